"""Which posts an audit looks at: the audited accounts, their period, their requests and answers.

Everything is a temporary table built by vectorized queries over a relation named ``posts``
(the store's table, or a view over its Parquet export):

- ``audited(platform, account, since, until, data_end)``: one row per audited account;
- ``own``: the audited accounts' posts in their period (column ``target`` names the account);
- ``requests``: posts addressed to an audited account (definition in ``docs/metrics.md``), in the
  period, with their first answer (``answer_id``, ``answered_at``, ``response_s``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ..errors import UsageError
from ._sql import dicts

__all__ = ["Target", "prepare", "resolve"]


@dataclass(frozen=True)
class Target:
    """One audited account."""

    platform: str
    account: str


def resolve(con: duckdb.DuckDBPyConnection, name: str, platform: str | None) -> Target:
    """The account called ``name`` (case-insensitive, leading ``@`` optional) in the store."""
    wanted = name.strip()
    rows = dicts(con, """
        SELECT platform, account, count(*) AS posts FROM posts
        WHERE (lower(account) = lower($name) OR lower(account) = lower(ltrim($name, '@')))
          AND ($platform IS NULL OR platform = $platform)
        GROUP BY ALL ORDER BY posts DESC""", {"name": wanted, "platform": platform})
    if not rows:
        raise UsageError(f"no posts by {name!r}{f' on {platform}' if platform else ''} in the store; "
                         "`parlons accounts` lists the accounts")
    if len({r["platform"] for r in rows}) > 1:
        found = ", ".join(f"{r['platform']} ({r['posts']} posts)" for r in rows)
        raise UsageError(f"{name!r} is on several platforms: {found}; choose one with --platform")
    return Target(rows[0]["platform"], rows[0]["account"])


def prepare(con: duckdb.DuckDBPyConnection, targets: list[Target], since: datetime | None,
            until: datetime | None) -> None:
    """Build the ``audited``, ``own`` and ``requests`` temporary tables."""
    con.execute("CREATE OR REPLACE TEMP TABLE audited (platform VARCHAR, account VARCHAR, key VARCHAR)")
    con.executemany("INSERT INTO audited VALUES (?, ?, lower(?))",
                    [(t.platform, t.account, t.account) for t in targets])
    _periods(con, since, until)
    _own(con)
    _requests(con)
    _answers(con)


def _periods(con: duckdb.DuckDBPyConnection, since: datetime | None, until: datetime | None) -> None:
    """Default period: the span of the imported data on the account's platform."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE spans AS
        SELECT platform, min(created_at) AS first_at, max(created_at) AS data_end FROM posts
        WHERE platform IN (SELECT platform FROM audited) GROUP BY platform""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE audited AS
        SELECT a.*, coalesce($since::TIMESTAMPTZ, s.first_at) AS since,
               coalesce($until::TIMESTAMPTZ, s.data_end) AS until, s.data_end
        FROM audited a JOIN spans s USING (platform)""", {"since": since, "until": until})


def _own(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE own_all AS
        SELECT p.*, a.account AS target FROM posts p
        JOIN audited a ON p.platform = a.platform AND lower(p.account) = a.key""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE own AS
        SELECT o.* FROM own_all o JOIN audited a ON o.target = a.account AND o.platform = a.platform
        WHERE o.created_at BETWEEN a.since AND a.until""")


def _requests(con: duckdb.DuckDBPyConnection) -> None:
    """Posts not by A, not reposts, that reply to a post of A or mention A (three cheap scans)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT p.*, o.target AS parent_target FROM posts p
        JOIN own_all o ON o.platform = p.platform AND o.post_id = p.in_reply_to_id
        WHERE p.kind <> 'repost'""")
    con.execute("""
        INSERT INTO candidates SELECT p.*, NULL FROM posts p
        ANTI JOIN candidates c ON c.platform = p.platform AND c.post_id = p.post_id
        WHERE p.kind <> 'repost' AND (
          (p.in_reply_to_account IS NOT NULL AND lower(p.in_reply_to_account) IN (SELECT key FROM audited))
          OR (len(p.mentions) > 0 AND list_has_any(list_transform(p.mentions, lambda m: lower(m)),
                                                   (SELECT list(key) FROM audited))))""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE requests AS
        SELECT c.* EXCLUDE (parent_target), a.account AS target,
               coalesce(c.parent_target = a.account, false) OR lower(c.in_reply_to_account) = a.key
                 AS is_reply_to_target
        FROM candidates c JOIN audited a ON a.platform = c.platform AND lower(c.account) <> a.key
          AND (c.parent_target = a.account OR lower(c.in_reply_to_account) = a.key
               OR list_contains(list_transform(c.mentions, lambda m: lower(m)), a.key))
        WHERE c.created_at BETWEEN a.since AND a.until""")


def _answers(con: duckdb.DuckDBPyConnection) -> None:
    """The earliest reply of A to each request (answers may come after the period)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE requests AS
        SELECT r.*, f.answer_id, f.answered_at,
               date_diff('second', r.created_at, f.answered_at) AS response_s
        FROM requests r LEFT JOIN (
          SELECT r.target, r.post_id, arg_min(o.post_id, o.created_at) AS answer_id,
                 min(o.created_at) AS answered_at
          FROM requests r JOIN own_all o ON o.target = r.target AND o.platform = r.platform
            AND o.in_reply_to_id = r.post_id
          GROUP BY ALL) f ON f.target = r.target AND f.post_id = r.post_id""")
