"""Post function (Lovejoy & Saxton 2012): information, community, action, by a rule cascade.

The cascade (``features.py``): a reply to another account, a response solicitation, thanks or
recognition, or a question to the audience -> community; else a call to act (buy, donate,
register, attend, share, ...) -> action; else information. Each post keeps the rule that fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import distinct_text, grouped, share

__all__ = ["REFERENCE", "function"]

REFERENCE = {"information": 0.59, "community": 0.26, "action": 0.16,
             "source": "Lovejoy & Saxton (2012), 100 large US nonprofits on Twitter"}
FUNCTIONS = ("information", "community", "action")


def function(con: duckdb.DuckDBPyConnection, targets: Sequence[str], min_n: int,
             examples: int) -> dict[str, dict[str, Any]]:
    """Per subject: shares of each function, the rules that fired, and example posts."""
    counts = grouped(con, """
        SELECT o.target, f.function, count(*) AS posts FROM own o JOIN features f USING (platform, post_id)
        WHERE o.kind <> 'repost' GROUP BY ALL""")
    rules = grouped(con, """
        SELECT o.target, f.function, regexp_replace(f.function_rule, ':.*', '') AS rule, count(*) AS posts
        FROM own o JOIN features f USING (platform, post_id)
        WHERE o.kind <> 'repost' GROUP BY ALL ORDER BY o.target, posts DESC, f.function, rule""")
    picked = _examples(con, examples) if examples > 0 else {}
    out = {}
    for target in targets:
        by_function = {r["function"]: r["posts"] for r in counts.get(target, [])}
        n = sum(by_function.values())
        shown = picked.get(target, [])
        out[target] = {
            "posts": n, "note": "reposts are left out", "reference": REFERENCE,
            **{f"{k}_share": share(by_function.get(k, 0), n, min_n) for k in FUNCTIONS},
            "rules": rules.get(target, []),
            "examples": {k: [{c: r[c] for c in ("id", "text", "permalink", "rule")}
                             for r in shown if r["function"] == k] for k in FUNCTIONS},
        }
    return out


def _examples(con: duckdb.DuckDBPyConnection, limit: int) -> dict[str, list[dict[str, Any]]]:
    """The newest posts of each subject and class, one per text (a cross-posted or repeated text is one).

    Up to twice ``limit``: a reader that shows each text once (the report) skips the texts it already
    showed in another section and still has ``limit`` to show.
    """
    key = distinct_text('o."text"', "o.platform || ':' || o.post_id")
    return grouped(con, f"""
        SELECT target, function, id, "text", permalink, rule FROM (
          SELECT *, row_number() OVER (PARTITION BY target, function ORDER BY created_at DESC, id) AS nth FROM (
            SELECT o.target, f.function, o.post_id AS id, o."text", o.permalink, f.function_rule AS rule,
                   o.created_at
            FROM own o JOIN features f USING (platform, post_id) WHERE o.kind <> 'repost'
            QUALIFY row_number() OVER (PARTITION BY o.target, f.function, {key}
                                       ORDER BY o.created_at DESC, o.platform, o.post_id) = 1))
        WHERE nth <= {2 * int(limit)} ORDER BY target, function, nth""")
