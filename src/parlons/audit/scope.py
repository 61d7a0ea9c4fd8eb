"""Which posts an audit looks at: the audited accounts, their period, their requests and answers.

Everything is a temporary table built by vectorized queries over a relation named ``posts``
(the store's table, or a view over its Parquet export):

- ``audited(target, platform, account, key, since, until, data_end)``: one row per audited
  account; ``target`` names what is audited: the account, or a group of accounts of one
  organization audited as one (``--with``);
- ``periods(target, since, until, own_since, own_until, basis)``: the period of each subject;
- ``own``: the audited accounts' posts in their period (column ``target``);
- ``requests``: posts addressed to an audited account (definition in ``docs/metrics.md``), in the
  period, with their first answer (``answer_id``, ``answered_at``, ``response_s``).

The period of a subject is its own data: from the first to the last post by it or addressed to it
(``--since``/``--until`` replace either end). With peers, every subject is audited over the
common period (the overlap of their own periods), when they overlap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import duckdb

from ..errors import UsageError
from ..model import PLATFORMS
from ._sql import dicts

__all__ = ["Audited", "Period", "Target", "prepare", "resolve"]

Basis = Literal["own data", "given", "common with peers", "own data, no common period"]


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


CASE_INSENSITIVE = frozenset({"x", "mastodon", "bluesky", "instagram", "threads", "blog"})
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


@dataclass(frozen=True)
class Period:
    """The period of one subject, its own span, and on what basis the period was chosen."""

    since: datetime | None
    until: datetime | None
    own_since: datetime | None
    own_until: datetime | None
    basis: Basis


def prepare(con: duckdb.DuckDBPyConnection, audited: list[Audited], since: datetime | None,
            until: datetime | None) -> None:
    """Build the ``audited``, ``periods``, ``own`` and ``requests`` temporary tables."""
    con.execute("CREATE OR REPLACE TEMP TABLE members (target VARCHAR, platform VARCHAR, account VARCHAR, "
                "key VARCHAR)")
    con.executemany("INSERT INTO members VALUES (?, ?, ?, lower(?))",
                    [(a.label, m.platform, m.account, m.account) for a in audited for m in a.members])
    _files(con)
    _own(con)
    _requests(con)
    periods = choose_periods(_spans(con), since, until)
    con.execute("CREATE OR REPLACE TEMP TABLE periods (target VARCHAR, since TIMESTAMPTZ, until TIMESTAMPTZ, "
                "own_since TIMESTAMPTZ, own_until TIMESTAMPTZ, basis VARCHAR)")
    con.executemany("INSERT INTO periods VALUES (?, ?, ?, ?, ?, ?)",
                    [(t, p.since, p.until, p.own_since, p.own_until, p.basis) for t, p in periods.items()])
    _audited(con)
    _in_period(con)
    _answers(con)


def _files(con: duckdb.DuckDBPyConnection) -> None:
    """``files``: per imported file, importer and platform (audited platforms only), its posts and last post."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE files AS
        SELECT source_file, importer, platform, count(*) AS posts, max(created_at) AS last_at,
               max(imported_at) AS imported_at FROM posts
        WHERE platform IN (SELECT DISTINCT platform FROM members) GROUP BY ALL""")


def _spans(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[datetime | None, datetime | None]]:
    """Per subject: the first and last post by it or addressed to it (all the data, before any period)."""
    rows = con.execute("""
        SELECT m.target, min(t.created_at), max(t.created_at)
        FROM (SELECT DISTINCT target FROM members) m
        LEFT JOIN (SELECT target, created_at FROM own_all UNION ALL SELECT target, created_at FROM requests_all) t
          USING (target)
        GROUP BY m.target""").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def choose_periods(spans: dict[str, tuple[datetime | None, datetime | None]], since: datetime | None,
                   until: datetime | None) -> dict[str, Period]:
    """Each subject's period: its own span, or the common span of all subjects (peers), or what is given."""
    starts = [s for s, _ in spans.values() if s is not None]
    ends = [e for _, e in spans.values() if e is not None]
    common = (max(starts), min(ends)) if len(spans) > 1 and len(starts) == len(spans) else None
    overlap = common is not None and common[0] <= common[1]
    out = {}
    for target, (own_since, own_until) in spans.items():
        start, end = (common if overlap and common else (own_since, own_until))
        basis: Basis = ("common with peers" if overlap else
                        "own data, no common period" if len(spans) > 1 else "own data")
        if since is not None or until is not None:
            basis = "given" if since is not None and until is not None else basis
        out[target] = Period(since or start, until or end, own_since, own_until, basis)
    return out


def _audited(con: duckdb.DuckDBPyConnection) -> None:
    """``audited``: members with their subject's period and the end of the data that could hold their answers.

    ``data_end`` is the last post in any imported file that holds the member's own posts: an answer
    after it cannot be in the data.
    """
    con.execute("""
        CREATE OR REPLACE TEMP TABLE audited AS
        SELECT m.*, p.since, p.until,
               max(e.data_end) OVER (PARTITION BY m.target, m.platform) AS data_end
        FROM members m JOIN periods p USING (target)
        LEFT JOIN (SELECT o.target, o.platform, lower(o.account) AS key, max(f.last_at) AS data_end
                   FROM (SELECT DISTINCT target, platform, account, source_file, importer FROM own_all) o
                   JOIN files f USING (source_file, importer, platform)
                   GROUP BY ALL) e ON e.target = m.target AND e.platform = m.platform AND e.key = m.key""")


def _in_period(con: duckdb.DuckDBPyConnection) -> None:
    """``own`` and ``requests`` keep only the posts of each subject's period."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE own AS
        SELECT o.* FROM own_all o JOIN periods p USING (target) WHERE o.created_at BETWEEN p.since AND p.until""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE requests AS
        SELECT r.* FROM requests_all r JOIN periods p USING (target) WHERE r.created_at BETWEEN p.since AND p.until""")


OWN_COLUMNS = ("platform, post_id, account, created_at, \"text\", title, lang, kind, in_reply_to_id, "
               "in_reply_to_account, repost_of_account, mentions, hashtags, urls, media_count, media_kinds, "
               "\"source\", permalink, importer, source_file")
"""The columns the audit reads: the rest (HTML, counts, most provenance) is never copied."""
REQUEST_COLUMNS = ("platform, post_id, account, created_at, \"text\", lang, kind, in_reply_to_id, "
                   "in_reply_to_account, mentions, permalink, importer, source_file")


def _literal_keys(con: duckdb.DuckDBPyConnection) -> str:
    """The audited handles as a SQL list literal, so that DuckDB filters them inside the scan."""
    keys = [row[0] for row in con.execute("SELECT DISTINCT key FROM members ORDER BY key").fetchall()]
    return "[" + ", ".join("'" + k.replace("'", "''") + "'" for k in keys) + "]"


def _own(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE own_all AS
        SELECT p.*, a.target FROM (SELECT {OWN_COLUMNS} FROM posts
                                   WHERE list_contains({_literal_keys(con)}, lower(account))) p
        JOIN members a ON p.platform = a.platform AND lower(p.account) = a.key""")


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
        CREATE OR REPLACE TEMP TABLE requests_all AS
        SELECT r.* EXCLUDE (parent_target, hit_keys, targets),
               list_contains(targets.replied, target) AS is_reply_to_target
        FROM (
          SELECT c.*, unnest(list_distinct(list_filter(list_append(
                   flatten(list_transform(c.hit_keys, lambda k: coalesce({targets_of}[c.platform || ':' || k], []))),
                   c.parent_target), lambda t: t IS NOT NULL))) AS target,
                 {{'replied': list_append(coalesce({targets_of}[c.platform || ':' || lower(c.in_reply_to_account)], []),
                                         c.parent_target)}} AS targets
          FROM candidates c) r
        WHERE NOT list_contains(coalesce({keys_of}[r.target], []), r.platform || ':' || lower(r.account))""")


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
