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

from typing import Any

import duckdb

from ._sql import dicts, one

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


def coverage(con: duckdb.DuckDBPyConnection, target: str) -> dict[str, Any]:
    """Per metric family: ``ok`` or ``unknown`` with the reason; per file: can it hold requests, and why."""
    params = {"target": target}
    row = one(con, """
        SELECT (SELECT count(*) FROM own WHERE target = $target) AS own_posts,
          (SELECT list(DISTINCT importer ORDER BY importer) FROM own_all WHERE target = $target) AS importers""",
              params)
    sources = _sources(con, target)
    known = [s for s in sources if s["holds_requests"]]
    unrelated = one(con, """
        SELECT count(*) AS files, coalesce(sum(f.posts), 0) AS posts FROM files f
        WHERE f.platform IN (SELECT platform FROM audited WHERE target = $target)
          AND (f.source_file, f.importer, f.platform) NOT IN (
            SELECT (source_file, importer, platform) FROM own_all WHERE target = $target
            UNION SELECT (source_file, importer, platform) FROM requests_all WHERE target = $target)""", params)
    own = {"status": "ok" if row["own_posts"] else "unknown",
           "reason": None if row["own_posts"] else "no post of the account in the period"}
    importers = row["importers"] or []
    return {
        "own_posts": row["own_posts"], "importers": importers,
        "caveats": [CAVEATS[i] for i in importers if i in CAVEATS] + _partly(con, target, known),
        "posts_by_others_on_platform": _others(con, target),
        "sources": sources, "unrelated_files": unrelated["files"], "unrelated_posts": int(unrelated["posts"]),
        "responsiveness": {"status": "ok" if known else "unknown",
                           "reason": None if known else _unknown_reason(sources)},
        **{family: own for family in ("conversation", "broadcast", "voice", "content", "function")},
    }


def _sources(con: duckdb.DuckDBPyConnection, target: str) -> list[dict[str, Any]]:
    """Each file holding the subject's posts or posts addressed to it, per member account, with the decision."""
    rows = dicts(con, """
        WITH held AS (
          SELECT platform, source_file, importer, count(*) AS own_posts, 0 AS addressed FROM own_all
          WHERE target = $target GROUP BY ALL
          UNION ALL
          SELECT platform, source_file, importer, 0, count(*) FROM requests_all WHERE target = $target GROUP BY ALL)
        SELECT h.platform, h.source_file, h.importer, sum(h.own_posts)::BIGINT AS own_posts,
               sum(h.addressed)::BIGINT AS addressed, any_value(f.posts) AS posts,
               any_value(f.imported_at) AS imported_at,
               (SELECT string_agg(DISTINCT account, ', ' ORDER BY account) FROM audited a
                WHERE a.target = $target AND a.platform = h.platform) AS account
        FROM held h JOIN files f USING (source_file, importer, platform)
        GROUP BY h.platform, h.source_file, h.importer ORDER BY h.platform, h.source_file, h.importer""",
                 {"target": target})
    return [_judge(r) for r in rows]


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


def _partly(con: duckdb.DuckDBPyConnection, target: str, known: list[dict[str, Any]]) -> list[str]:
    """A caveat when requests are known for some accounts of a group but not for others (by platform)."""
    platforms = {r[0] for r in con.execute("SELECT DISTINCT platform FROM audited WHERE target = $t",
                                           {"t": target}).fetchall()}
    return [PARTLY_KNOWN] if known and {s["platform"] for s in known} != platforms else []


def _others(con: duckdb.DuckDBPyConnection, target: str) -> int:
    """Posts on the subject's platforms by other accounts (whatever their source: not a sign of coverage)."""
    value = one(con, """
        SELECT coalesce(sum(posts), 0) - (SELECT count(*) FROM own_all WHERE target = $target) AS n FROM files
        WHERE platform IN (SELECT platform FROM audited WHERE target = $target)""", {"target": target})["n"]
    return int(value)
