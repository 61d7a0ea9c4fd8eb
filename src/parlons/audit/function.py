"""Post function (Lovejoy & Saxton 2012): information, community, action, by a rule cascade.

The cascade (``features.py``): a reply to another account, a response solicitation, thanks or
recognition, or a question to the audience -> community; else a call to act (buy, donate,
register, attend, share, ...) -> action; else information. Each post keeps the rule that fired.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import dicts, share

__all__ = ["REFERENCE", "function"]

REFERENCE = {"information": 0.59, "community": 0.26, "action": 0.16,
             "source": "Lovejoy & Saxton (2012), 100 large US nonprofits on Twitter"}


def function(con: duckdb.DuckDBPyConnection, target: str, min_n: int, examples: int) -> dict[str, Any]:
    """Shares of each function, the rules that fired, and example posts."""
    rows = dicts(con, """
        SELECT f.function, count(*) AS posts FROM own o JOIN features f USING (platform, post_id)
        WHERE o.target = $target AND o.kind <> 'repost' GROUP BY 1""", {"target": target})
    n = sum(r["posts"] for r in rows)
    counts = {r["function"]: r["posts"] for r in rows}
    return {
        "posts": n, "note": "reposts are left out", "reference": REFERENCE,
        **{f"{k}_share": share(counts.get(k, 0), n, min_n) for k in ("information", "community", "action")},
        "rules": dicts(con, """
            SELECT f.function, regexp_replace(f.function_rule, ':.*', '') AS rule, count(*) AS posts
            FROM own o JOIN features f USING (platform, post_id)
            WHERE o.target = $target AND o.kind <> 'repost' GROUP BY ALL ORDER BY posts DESC""", {"target": target}),
        "examples": {k: _examples(con, target, k, examples) for k in ("information", "community", "action")},
    }


def _examples(con: duckdb.DuckDBPyConnection, target: str, kind: str, limit: int) -> list[dict[str, Any]]:
    return dicts(con, f"""
        SELECT o.post_id AS id, o."text", o.permalink, f.function_rule AS rule
        FROM own o JOIN features f USING (platform, post_id)
        WHERE o.target = $target AND o.kind <> 'repost' AND f.function = $kind
        ORDER BY o.created_at DESC LIMIT {int(limit)}""", {"target": target, "kind": kind})
