"""Broadcast: posts made by automation, cross-posted or repeated duplicates, link-only posts."""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import dicts, one, share
from .lexicon import automation_clients, normalize_sql

__all__ = ["broadcast", "prepare_duplicates"]

MIN_KEY_CHARS = 20
"""Normalized texts shorter than this are too common to call duplicates ("merci !")."""


def _automation_sql() -> str:
    likes = " OR ".join(f"contains(lower(o.source), '{c.replace(chr(39), chr(39) * 2)}')"
                        for c in automation_clients())
    return f"""
        CASE WHEN {likes} THEN 'automation client: ' || o.source
             WHEN t.title IS NOT NULL THEN 'feed item title plus link: ' || t.title END"""


def prepare_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """``dupkeys``: normalized texts of audited and owner accounts' posts (reposts excluded);
    ``dups``: the posts whose normalized text occurs more than once, with who posted it (grouped by
    text, never paired, so a canned answer repeated 100,000 times costs no more than once);
    ``titles``: titles of blog posts and feed items, for the feed-title-plus-link rule."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dupkeys AS
        SELECT platform, account, post_id, trim(regexp_replace({normalize_sql('"text"')}, ' +', ' ', 'g')) AS key
        FROM (SELECT platform, account, post_id, "text" FROM own_all WHERE kind <> 'repost'
              UNION
              SELECT platform, account, post_id, "text" FROM posts
              WHERE kind <> 'repost' AND list_contains({_owners(con)}, account)
                AND (platform, account) IN (SELECT (platform, account) FROM accounts WHERE is_owner))""")
    con.execute(f"DELETE FROM dupkeys WHERE length(key) < {MIN_KEY_CHARS}")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dups AS
        WITH groups AS (
          SELECT key, list(DISTINCT platform || ':' || account ORDER BY platform || ':' || account) AS who
          FROM dupkeys GROUP BY key HAVING count(*) > 1)
        SELECT d.platform, d.post_id, array_to_string(g.who, ', ') AS also
        FROM dupkeys d JOIN groups g USING (key)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE titles AS SELECT DISTINCT lower(trim(title)) AS title FROM posts
                   WHERE title IS NOT NULL AND length(trim(title)) >= 10""")


def _owners(con: duckdb.DuckDBPyConnection) -> str:
    """Accounts whose own archive was imported, as a SQL list literal (a cheap filter in the scan)."""
    rows = con.execute("SELECT DISTINCT account FROM accounts WHERE is_owner").fetchall()
    return "[" + ", ".join("'" + r[0].replace("'", "''") + "'" for r in rows) + "]::VARCHAR[]"


def broadcast(con: duckdb.DuckDBPyConnection, target: str, min_n: int, examples: int) -> dict[str, Any]:
    """Shares of automated, duplicated and link-only posts, with examples and the rule that fired."""
    flagged = f"""
        SELECT o.post_id, o.platform, o."text", o.permalink, o.source, {_automation_sql()} AS automation_rule,
               dups.also AS duplicate_of, f.link_only AND regexp_matches(o."text", 'https?://') AS link_only
        FROM own o JOIN features f USING (platform, post_id)
        LEFT JOIN titles t ON t.title = lower(trim(regexp_replace(o."text", '\\s*(https?://\\S+\\s*)+$', '')))
        LEFT JOIN dups ON dups.post_id = o.post_id AND dups.platform = o.platform
        WHERE o.target = $target AND o.kind <> 'repost'"""
    con.execute(f"CREATE OR REPLACE TEMP TABLE flagged AS {flagged}", {"target": target})
    row = one(con, """SELECT count(*) AS n, count(automation_rule) AS automated, count(duplicate_of) AS duplicated,
                      count(*) FILTER (link_only) AS link_only FROM flagged""")
    n = row["n"]
    return {
        "posts": n, "note": "reposts are left out: they are not the account's own words",
        "automated_share": share(row["automated"], n, min_n),
        "duplicated_share": share(row["duplicated"], n, min_n),
        "link_only_share": share(row["link_only"], n, min_n),
        "automated_examples": _examples(con, "automation_rule IS NOT NULL", "automation_rule", examples),
        "duplicated_examples": _examples(con, "duplicate_of IS NOT NULL", "'same text posted by ' || duplicate_of",
                                         examples),
        "automation_clients": dicts(con, """SELECT source, count(*) AS posts FROM flagged
            WHERE automation_rule LIKE 'automation client:%' GROUP BY source ORDER BY posts DESC"""),
    }


def _examples(con: duckdb.DuckDBPyConnection, where: str, rule: str, limit: int) -> list[dict[str, Any]]:
    return dicts(con, f"""SELECT post_id AS id, "text", permalink, {rule} AS rule FROM flagged
                          WHERE {where} ORDER BY post_id DESC LIMIT {int(limit)}""")
