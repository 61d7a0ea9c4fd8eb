"""Post function (Lovejoy & Saxton 2012): information, community, action, by a rule cascade.

The cascade (``features.py``): a reply to another account, a response solicitation, thanks or
recognition, or a question to the audience -> community; else a call to act (buy, donate,
register, attend, share, ...) -> action; else information. Each post keeps the rule that fired.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import dicts, distinct_text, share

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
    """The newest posts of the class, one per text: a text cross-posted or posted again is one example.

    Up to twice ``limit``: a reader that shows each text once (the report) skips the texts it already
    showed in another section and still has ``limit`` to show.
    """
    return dicts(con, f"""
        SELECT id, "text", permalink, rule FROM (
            SELECT o.post_id AS id, o."text", o.permalink, f.function_rule AS rule, o.created_at
            FROM own o JOIN features f USING (platform, post_id)
            WHERE o.target = $target AND o.kind <> 'repost' AND f.function = $kind
            QUALIFY row_number() OVER (PARTITION BY {distinct_text('o."text"', "o.platform || ':' || o.post_id")}
                                       ORDER BY o.created_at DESC, o.platform, o.post_id) = 1)
        ORDER BY created_at DESC, id LIMIT {2 * int(limit)}""", {"target": target, "kind": kind})
