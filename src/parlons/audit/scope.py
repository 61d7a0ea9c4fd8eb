"""Which posts an audit looks at: the audited accounts, their period, their requests and answers.

Everything is a temporary table built by vectorized queries over a relation named ``posts``
(the store's table, or a view over its Parquet export):

- ``audited(target, platform, account, key, since, until, data_end)``: one row per audited
  account; ``target`` names what is audited: the account, or a group of accounts of one
  organization audited as one (``--with``);
- ``own``: the audited accounts' posts in their period (column ``target``);
- ``requests``: posts addressed to an audited account (definition in ``docs/metrics.md``), in the
  period, with their first answer (``answer_id``, ``answered_at``, ``response_s``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from ..errors import UsageError
from ..model import PLATFORMS
from ._sql import dicts

__all__ = ["Audited", "Target", "prepare", "resolve"]


@dataclass(frozen=True)
class Target:
    """One audited account."""

    platform: str
    account: str


@dataclass(frozen=True)
class Audited:
    """What one audit column is about: an account, or several accounts of one organization."""

    label: str
    members: tuple[Target, ...]

    @property
    def platforms(self) -> list[str]:
        return sorted({m.platform for m in self.members})


CASE_INSENSITIVE = frozenset({"x", "mastodon", "bluesky", "instagram", "blog"})
"""Platforms whose handles ignore case (a Facebook page or a LinkedIn name is compared exactly)."""


def resolve(con: duckdb.DuckDBPyConnection, name: str, platform: str | None) -> Target:
    """The account called ``name`` in the store: exactly, else ignoring case where its platform does.

    The leading ``@`` is optional (``org@social.example`` is ``@org@social.example``);
    ``PLATFORM:NAME`` (``x:org``) picks the platform. A name that matches nothing gets the closest
    accounts as suggestions.
    """
    wanted = name.strip()
    prefix, sep, rest = wanted.partition(":")
    if sep and prefix in PLATFORMS and rest:
        wanted, platform = rest, prefix
    spellings = list(dict.fromkeys([wanted, wanted.lstrip("@"), "@" + wanted.lstrip("@")]))
    rows = dicts(con, """
        SELECT platform, account, count(*) AS posts FROM posts
        WHERE lower(account) IN (SELECT lower(unnest($spellings::VARCHAR[])))
          AND ($platform IS NULL OR platform = $platform)
        GROUP BY ALL ORDER BY posts DESC, platform, account""", {"spellings": spellings, "platform": platform})
    found = ([r for r in rows if r["account"] in spellings]
             or [r for r in rows if r["platform"] in CASE_INSENSITIVE])
    if not found:
        raise UsageError(f"no posts by {name!r}{f' on {platform}' if platform else ''} in the store; "
                         f"{_suggestions(con, wanted, platform)}`parlons accounts` lists the accounts")
    if len({r["platform"] for r in found}) > 1:
        listed = ", ".join(f"{r['platform']} ({r['posts']} posts)" for r in found)
        raise UsageError(f"{name!r} is on several platforms: {listed}; choose one with --platform")
    return Target(found[0]["platform"], found[0]["account"])


def _suggestions(con: duckdb.DuckDBPyConnection, name: str, platform: str | None) -> str:
    """``did you mean ...?`` with the three closest account names (by edit distance, ignoring case)."""
    rows = dicts(con, """
        SELECT platform, account, count(*) AS posts,
               damerau_levenshtein(lower(ltrim(account, '@')), lower(ltrim($name, '@'))) AS distance
        FROM posts WHERE ($platform IS NULL OR platform = $platform)
        GROUP BY ALL HAVING distance <= greatest(2, length(ltrim($name, '@')) // 4)
        ORDER BY distance, posts DESC, account LIMIT 3""", {"name": name, "platform": platform})
    close = [f"{r['account']} ({r['platform']}, {r['posts']} posts)" for r in rows]
    return f"did you mean {' or '.join(close)}? " if close else ""


def prepare(con: duckdb.DuckDBPyConnection, audited: list[Audited], since: datetime | None,
            until: datetime | None) -> None:
    """Build the ``audited``, ``own`` and ``requests`` temporary tables."""
    con.execute("CREATE OR REPLACE TEMP TABLE members (target VARCHAR, platform VARCHAR, account VARCHAR, "
                "key VARCHAR)")
    con.executemany("INSERT INTO members VALUES (?, ?, ?, lower(?))",
                    [(a.label, m.platform, m.account, m.account) for a in audited for m in a.members])
    _periods(con, since, until)
    _own(con)
    _requests(con)
    _answers(con)


def _periods(con: duckdb.DuckDBPyConnection, since: datetime | None, until: datetime | None) -> None:
    """Default period: the span of the imported data on the audited platforms."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE spans AS
        SELECT platform, min(created_at) AS first_at, max(created_at) AS data_end FROM posts
        WHERE platform IN (SELECT platform FROM members) GROUP BY platform""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE audited AS
        SELECT m.*, coalesce($since::TIMESTAMPTZ, min(s.first_at) OVER (PARTITION BY m.target)) AS since,
               coalesce($until::TIMESTAMPTZ, max(s.data_end) OVER (PARTITION BY m.target)) AS until, s.data_end
        FROM members m JOIN spans s USING (platform)""", {"since": since, "until": until})


OWN_COLUMNS = ("platform, post_id, account, created_at, \"text\", title, lang, kind, in_reply_to_id, "
               "in_reply_to_account, repost_of_account, mentions, hashtags, urls, media_count, media_kinds, "
               "\"source\", permalink, importer")
"""The columns the audit reads: the rest (HTML, counts, provenance) is never copied."""
REQUEST_COLUMNS = ("platform, post_id, account, created_at, \"text\", lang, kind, in_reply_to_id, "
                   "in_reply_to_account, mentions, permalink, importer")


def _literal_keys(con: duckdb.DuckDBPyConnection) -> str:
    """The audited handles as a SQL list literal, so that DuckDB filters them inside the scan."""
    keys = [row[0] for row in con.execute("SELECT DISTINCT key FROM members ORDER BY key").fetchall()]
    return "[" + ", ".join("'" + k.replace("'", "''") + "'" for k in keys) + "]"


def _own(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE own_all AS
        SELECT p.*, a.target FROM (SELECT {OWN_COLUMNS} FROM posts
                                   WHERE list_contains({_literal_keys(con)}, lower(account))) p
        JOIN audited a ON p.platform = a.platform AND lower(p.account) = a.key""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE own AS
        SELECT o.* FROM own_all o JOIN audited a ON o.target = a.target AND o.platform = a.platform
          AND lower(o.account) = a.key
        WHERE o.created_at BETWEEN a.since AND a.until""")


def _requests(con: duckdb.DuckDBPyConnection) -> None:
    """Posts not by A, not reposts, that reply to a post of A or mention A (one scan of ``posts``)."""
    keys = _literal_keys(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT * FROM (
          SELECT p.*, o.target AS parent_target,
                 list_intersect(list_append(list_transform(p.mentions, lambda m: lower(m)),
                                            lower(p.in_reply_to_account)), {keys}) AS hit_keys
          FROM (SELECT {REQUEST_COLUMNS} FROM posts WHERE kind <> 'repost') p
          LEFT JOIN (SELECT platform, post_id, target FROM own_all) o
            ON o.platform = p.platform AND o.post_id = p.in_reply_to_id
          WHERE o.target IS NOT NULL OR list_contains({keys}, lower(p.in_reply_to_account))
            OR (len(p.mentions) > 0 AND list_has_any(list_transform(p.mentions, lambda m: lower(m)), {keys})))""")
    targets_of, keys_of = _maps(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE requests AS
        SELECT r.* EXCLUDE (parent_target, hit_keys, targets),
               list_contains(targets.replied, target) AS is_reply_to_target
        FROM (
          SELECT c.*, unnest(list_distinct(list_filter(list_append(
                   flatten(list_transform(c.hit_keys, lambda k: coalesce({targets_of}[c.platform || ':' || k], []))),
                   c.parent_target), lambda t: t IS NOT NULL))) AS target,
                 {{'replied': list_append(coalesce({targets_of}[c.platform || ':' || lower(c.in_reply_to_account)], []),
                                         c.parent_target)}} AS targets
          FROM candidates c) r
        JOIN (SELECT DISTINCT target AS t, since, until FROM audited) a ON a.t = r.target
        WHERE r.created_at BETWEEN a.since AND a.until
          AND NOT list_contains(coalesce({keys_of}[r.target], []), r.platform || ':' || lower(r.account))""")


def _maps(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """SQL map literals: ``platform:handle`` -> subjects it belongs to, and subject -> its handles."""
    rows = con.execute("SELECT platform || ':' || key, list(DISTINCT target) FROM members GROUP BY ALL").fetchall()
    subjects = con.execute("SELECT target, list(DISTINCT platform || ':' || key) FROM members "
                           "GROUP BY target").fetchall()

    def literal(pairs: list[tuple[str, list[str]]]) -> str:
        items = ", ".join(f"{_sql_text(k)}: [{', '.join(_sql_text(v) for v in vs)}]" for k, vs in pairs)
        return f"MAP {{{items}}}"

    return literal([(r[0], r[1]) for r in rows]), literal([(r[0], r[1]) for r in subjects])


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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
