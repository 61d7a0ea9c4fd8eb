"""Coverage: what the imported data can support, per metric family.

An account's own archive holds only its own posts: requests addressed to it are then unknown,
and reported as such, never as zero.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import one

__all__ = ["SELF_ONLY", "coverage", "prepare_coverage"]

SELF_ONLY = ("x-archive", "x-grailbird", "mastodon-archive", "facebook", "instagram", "linkedin")
"""Importers of archives that hold only their owner's posts."""


CAVEATS = {
    "feed": "comment feeds do not say which comment a comment answers: the blog's answers to its "
            "readers may be undercounted (a WordPress export keeps the threading)",
    "twcs": "a customer-support CSV may be a sample: answers outside it are missing",
    "mastodon-api": "collected live from Mastodon: requests are those in the public threads under the account's "
                    "posts (and its mentions when its token was given); deleted, private and followers-only "
                    "posts are not seen",
    "bluesky-api": "collected live from Bluesky: requests are those in the public threads under the account's "
                   "posts (and its notifications when an app password was given); deleted and blocked posts "
                   "are not seen",
}
"""Caveats that some sources bring to the responsiveness figures."""


def prepare_coverage(con: duckdb.DuckDBPyConnection) -> None:
    """``incoming``: per audited platform, posts from sources that capture other accounts' posts."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE incoming AS
        SELECT platform, count(*) AS n FROM posts
        WHERE platform IN (SELECT platform FROM audited) AND importer NOT IN $self_only GROUP BY platform""",
                {"self_only": list(SELF_ONLY)})


def coverage(con: duckdb.DuckDBPyConnection, target: str) -> dict[str, Any]:
    """Per metric family: ``ok`` or ``unknown`` with the reason."""
    row = one(con, """
        SELECT (SELECT count(*) FROM own WHERE target = $target) AS own_posts,
          (SELECT list(DISTINCT importer ORDER BY importer) FROM own_all WHERE target = $target) AS importers,
          (SELECT count(*) FROM requests WHERE target = $target) AS requests,
          (SELECT coalesce(sum(n), 0) FROM incoming WHERE platform IN (
             SELECT platform FROM audited WHERE target = $target))
          - (SELECT count(*) FROM own_all WHERE target = $target AND importer NOT IN $self_only) AS others""",
              {"target": target, "self_only": list(SELF_ONLY)})
    known = row["requests"] > 0 or row["others"] > 0
    reason = None if known else (
        "only the account's own archive was imported: requests addressed to it are not in it; "
        "import incoming posts too (mentions captured with twarc, support CSVs, blog comments, "
        "Bluesky/Jetstream captures)")
    own = {"status": "ok" if row["own_posts"] else "unknown",
           "reason": None if row["own_posts"] else "no post of the account in the period"}
    importers = row["importers"] or []
    return {
        "own_posts": row["own_posts"], "importers": importers,
        "caveats": [CAVEATS[i] for i in importers if i in CAVEATS],
        "posts_by_others_on_platform": row["others"],
        "responsiveness": {"status": "ok" if known else "unknown", "reason": reason},
        **{family: own for family in ("conversation", "broadcast", "voice", "content", "function")},
    }
