"""Coverage: what the imported data can support, per metric family, decided per file and per account.

Requests addressed to an account are known only where an imported file could hold them. Each file
(one importer's posts from one imported file or archive) that holds the account's posts or posts
addressed to it is judged on its own:

- it holds posts addressed to the account (a capture of its mentions, a support CSV, comments
  under its posts, a Jetstream capture, collected threads): requests are known;
- it is a blog export (WordPress WXR), which holds every comment under the blog's posts, or a live
  collection (``parlons collect``) with the public threads under the account's posts: requests are
  known, even when there is none;
- it is the account's own archive (X, Mastodon, Facebook, Instagram, LinkedIn): it holds only the
  account's own posts;
- it holds the account's posts but none addressed to it: nothing shows that it was collected to
  capture them.

Files that hold no post by the account and none addressed to it (a capture of other accounts) say
nothing of its requests: they are counted apart, never read as "0 received".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import grouped, per_target

__all__ = ["COLLECTED", "COMPLETE_INCOMING", "REASONS", "SELF_ONLY", "coverage"]

SELF_ONLY = ("x-archive", "x-grailbird", "mastodon-archive", "facebook", "instagram", "linkedin")
"""Importers of archives that hold only their owner's posts."""
COMPLETE_INCOMING = ("wordpress-wxr",)
"""Importers of exports that hold every post addressed to the owner (every comment under a blog's posts)."""
COLLECTED = ("mastodon-api", "bluesky-api")
"""Live collection (``parlons collect``): the account's posts with the public threads under them."""

REASONS = {
    "addressed": "holds posts addressed to the account",
    "complete": "a blog export holds every comment under the blog's posts: none means none was received",
    "collected": "collected live with the public threads under the account's posts: none means none was seen there",
    "own_archive": "the account's own archive: it holds only the account's own posts",
    "no_addressed": "holds the account's posts but none addressed to it: nothing shows that it was collected "
                    "to capture them",
}
"""Why a file can or cannot hold requests to the account (English msgids, translated by the report)."""

UNKNOWN_OWN_ARCHIVE = (
    "only the account's own archive was imported: requests addressed to it are not in it; "
    "import incoming posts too (mentions captured with twarc, support CSVs, blog comments, "
    "Bluesky/Jetstream captures)")
UNKNOWN_NO_SOURCE = (
    "no imported file holds posts addressed to the account: requests are unknown, not zero; "
    "import incoming posts too (mentions captured with twarc, support CSVs, blog comments, "
    "Bluesky/Jetstream captures)")

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
PARTLY_KNOWN = "requests are known for some of the accounts audited together only: see the sources"


def coverage(con: duckdb.DuckDBPyConnection, targets: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per subject and metric family: ``ok`` or ``unknown`` with the reason; per file: can it hold requests, and why."""
    rows = per_target(con, """
        SELECT t.target, coalesce(o.n, 0) AS own_posts, i.importers
        FROM (SELECT DISTINCT target FROM members) t
        LEFT JOIN (SELECT target, count(*) AS n FROM own GROUP BY target) o USING (target)
        LEFT JOIN (SELECT target, list(DISTINCT importer ORDER BY importer) AS importers FROM own_all
                   GROUP BY target) i USING (target)""")
    sources = _sources(con)
    unrelated = per_target(con, """
        SELECT t.target, count(*) AS files, coalesce(sum(f.posts), 0) AS posts
        FROM (SELECT DISTINCT target, platform FROM audited) t JOIN files f ON f.platform = t.platform
        WHERE (t.target, f.source_file, f.importer, f.platform) NOT IN (
            SELECT (target, source_file, importer, platform) FROM own_all
            UNION SELECT (target, source_file, importer, platform) FROM requests_all)
        GROUP BY t.target""")
    platforms = {t: {r["platform"] for r in group} for t, group in grouped(
        con, "SELECT DISTINCT target, platform FROM audited").items()}
    others = _others(con)
    out = {}
    for target in targets:
        row, held = rows[target], sources.get(target, [])
        known = [s for s in held if s["holds_requests"]]
        gone = unrelated.get(target, {"files": 0, "posts": 0})
        own = {"status": "ok" if row["own_posts"] else "unknown",
               "reason": None if row["own_posts"] else "no post of the account in the period"}
        importers = row["importers"] or []
        partly = [PARTLY_KNOWN] if known and {s["platform"] for s in known} != platforms[target] else []
        out[target] = {
            "own_posts": row["own_posts"], "importers": importers,
            "caveats": [CAVEATS[i] for i in importers if i in CAVEATS] + partly,
            "posts_by_others_on_platform": others[target],
            "sources": held, "unrelated_files": gone["files"], "unrelated_posts": int(gone["posts"]),
            "responsiveness": {"status": "ok" if known else "unknown",
                               "reason": None if known else _unknown_reason(held)},
            **{family: own for family in ("conversation", "broadcast", "voice", "content", "function")},
        }
    return out


def _sources(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Each file holding a subject's posts or posts addressed to it, per member account, with the decision."""
    rows = grouped(con, """
        WITH held AS (
          SELECT target, platform, source_file, importer, count(*) AS own_posts, 0 AS addressed FROM own_all
          GROUP BY ALL
          UNION ALL
          SELECT target, platform, source_file, importer, 0, count(*) FROM requests_all GROUP BY ALL),
        names AS (SELECT target, platform, string_agg(DISTINCT account, ', ' ORDER BY account) AS account
                  FROM audited GROUP BY ALL)
        SELECT h.target, h.platform, h.source_file, h.importer, sum(h.own_posts)::BIGINT AS own_posts,
               sum(h.addressed)::BIGINT AS addressed, any_value(f.posts) AS posts,
               any_value(f.imported_at) AS imported_at, any_value(n.account) AS account
        FROM held h JOIN files f USING (source_file, importer, platform)
        LEFT JOIN names n ON n.target = h.target AND n.platform = h.platform
        GROUP BY h.target, h.platform, h.source_file, h.importer
        ORDER BY h.target, h.platform, h.source_file, h.importer""")
    return {target: [_judge(r) for r in group] for target, group in rows.items()}


def _judge(r: dict[str, Any]) -> dict[str, Any]:
    if r["addressed"]:
        key = "addressed"
    elif r["importer"] in COMPLETE_INCOMING and r["own_posts"]:
        key = "complete"
    elif r["importer"] in COLLECTED and r["own_posts"]:
        key = "collected"
    elif r["importer"] in SELF_ONLY:
        key = "own_archive"
    else:
        key = "no_addressed"
    where = str(r["source_file"] or "")
    name = where if r["importer"] in COLLECTED else where.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return {"platform": r["platform"], "account": r["account"], "file": name, "importer": r["importer"],
            "imported_at": r["imported_at"], "collected": r["importer"] in COLLECTED,
            "own_posts": r["own_posts"], "addressed": r["addressed"],
            "other_posts": r["posts"] - r["own_posts"] - r["addressed"],
            "holds_requests": key in ("addressed", "complete", "collected"), "reason": REASONS[key]}


def _unknown_reason(sources: list[dict[str, Any]]) -> str:
    if sources and all(s["importer"] in SELF_ONLY for s in sources):
        return UNKNOWN_OWN_ARCHIVE
    return UNKNOWN_NO_SOURCE


def _others(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Posts on each subject's platforms by other accounts (whatever their source: not a sign of coverage)."""
    rows = per_target(con, """
        SELECT t.target, coalesce(fp.n, 0) - coalesce(o.n, 0) AS n
        FROM (SELECT DISTINCT target FROM members) t
        LEFT JOIN (SELECT p.target, sum(f.posts) AS n FROM (SELECT DISTINCT target, platform FROM audited) p
                   JOIN files f USING (platform) GROUP BY p.target) fp USING (target)
        LEFT JOIN (SELECT target, count(*) AS n FROM own_all GROUP BY target) o USING (target)""")
    return {t: int(r["n"]) for t, r in rows.items()}
