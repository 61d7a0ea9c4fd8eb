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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import duckdb

from ..errors import UsageError
from ..model import PLATFORMS
from ._sql import dicts

__all__ = ["READ_COLUMNS", "Audited", "Period", "Target", "prepare", "resolve", "resolve_many"]

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
    return resolve_many(con, [name], platform)[0]


def resolve_many(con: duckdb.DuckDBPyConnection, names: Sequence[str], platform: str | None) -> list[Target]:
    """:func:`resolve` for each of ``names``, with one query for all of them."""
    wanted = [_spellings(name, platform) for name in names]
    every = sorted({s for _, spellings, _ in wanted for s in spellings})
    # DuckDB's lower() on both sides: Python's differs on a final capital sigma and on the Turkish İ
    lowered = dict(con.execute("SELECT s, lower(s) FROM unnest($s::VARCHAR[]) t(s)", {"s": every}).fetchall())
    rows = dicts(con, """
        SELECT platform, account, lower(account) AS key, count(*) AS posts FROM posts
        WHERE lower(account) IN (SELECT lower(unnest($spellings::VARCHAR[])))
        GROUP BY ALL ORDER BY posts DESC, platform, account""", {"spellings": every})
    by_lower: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_lower.setdefault(row.pop("key"), []).append(row)
    return [_pick(con, name, text, [(s, lowered[s]) for s in spellings], on, by_lower)
            for name, (text, spellings, on) in zip(names, wanted, strict=True)]


def _spellings(name: str, platform: str | None) -> tuple[str, list[str], str | None]:
    wanted = name.strip()
    prefix, sep, rest = wanted.partition(":")
    if sep and prefix in PLATFORMS and rest:
        wanted, platform = rest, prefix
    return wanted, list(dict.fromkeys([wanted, wanted.lstrip("@"), "@" + wanted.lstrip("@")])), platform


def _pick(con: duckdb.DuckDBPyConnection, name: str, wanted: str, spellings: list[tuple[str, str]],
          platform: str | None, by_lower: dict[str, list[dict[str, Any]]]) -> Target:
    """``spellings``: each spelling of the name with its DuckDB ``lower()``."""
    lowered = {low for _, low in spellings}
    rows = sorted((r for key in lowered for r in by_lower.get(key, [])
                   if platform is None or r["platform"] == platform),
                  key=lambda r: (-r["posts"], r["platform"], r["account"]))
    found = ([r for r in rows if r["account"] in {s for s, _ in spellings}]
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
            until: datetime | None, *, separately: bool = False) -> None:
    """Build the ``audited``, ``periods``, ``own`` and ``requests`` temporary tables (``files_all``, a
    fact of the store, must exist: ``facts.py``). Subjects audited ``separately`` each keep their own
    period, as if each were audited alone."""
    con.execute("CREATE OR REPLACE TEMP TABLE members (target VARCHAR, platform VARCHAR, account VARCHAR, "
                "key VARCHAR)")
    con.executemany("INSERT INTO members VALUES (?, ?, ?, lower(?))",
                    [(a.label, m.platform, m.account, m.account) for a in audited for m in a.members])
    _files(con)
    _own(con)
    _requests(con)
    spans = _spans(con)
    periods = ({t: choose_periods({t: span}, since, until)[t] for t, span in spans.items()} if separately
               else choose_periods(spans, since, until))
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
        SELECT * FROM files_all WHERE platform IN (SELECT DISTINCT platform FROM members)""")


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
               "in_reply_to_account, conversation_id, repost_of_account, mentions, hashtags, urls, media_count, "
               "media_kinds, \"source\", permalink, importer, source_file")
"""The columns the audit reads: the rest (HTML, counts, most provenance) is never copied."""
REQUEST_COLUMNS = ("platform, post_id, account, created_at, \"text\", lang, kind, in_reply_to_id, "
                   "in_reply_to_account, conversation_id, mentions, permalink, importer, source_file")
READ_COLUMNS = tuple(dict.fromkeys(c.strip().strip('"') for c in f"{OWN_COLUMNS}, {REQUEST_COLUMNS}".split(",")))
"""Every column of ``posts`` an audit reads once given the store-wide facts (``facts.py``)."""


PREFILTER_KEYS = 64
"""Up to this many audited handles, a literal list of them filters ``posts`` inside the scan (cheap on
a large store); beyond it, the joins with ``members`` alone do (a long literal costs per row)."""


def _prefilter(con: duckdb.DuckDBPyConnection, condition: str) -> str:
    """SQL: ``condition`` with ``{keys}`` the audited handles as a list literal, or TRUE when they are many."""
    keys = [row[0] for row in con.execute("SELECT DISTINCT key FROM members ORDER BY key").fetchall()]
    if len(keys) > PREFILTER_KEYS:
        return "TRUE"
    return condition.format(keys="[" + ", ".join("'" + k.replace("'", "''") + "'" for k in keys) + "]::VARCHAR[]")


def _own(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE own_all AS
        SELECT p.*, a.target FROM (SELECT {OWN_COLUMNS} FROM posts
                                   WHERE {_prefilter(con, "list_contains({keys}, lower(account))")}) p
        JOIN members a ON p.platform = a.platform AND lower(p.account) = a.key""")


def _requests(con: duckdb.DuckDBPyConnection) -> None:
    """Posts not by A, not reposts, that reply to a post of A or mention A: one
    row per request and subject it is addressed to, with whether it replies to the subject.

    Where ``posts`` is a table and the audited handles are few, a first pass reads only the columns
    that find the candidates (replies to a post of A, posts naming A) and keeps their row ids; the
    other columns (the text above all) are read for these rows alone: most replies in a large store
    are not addressed to the audited accounts. Otherwise (a view over a Parquet export, many handles)
    one query reads the replies and the posts that name A."""
    named = ("list_contains({keys}, lower(in_reply_to_account)) "
             "OR list_has_any(list_transform(mentions, lambda m: lower(m)), {keys})")
    scan = _prefilter(con, "in_reply_to_id IS NOT NULL OR " + named)
    if scan == "TRUE" or not _has_row_ids(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE requests_all AS {_requests_sql(scan)}")
        return
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE request_rows AS
        SELECT rowid AS row_id FROM posts WHERE kind <> 'repost' AND in_reply_to_id IN (SELECT post_id FROM own_all)
        UNION
        SELECT rowid FROM posts WHERE kind <> 'repost' AND ({_prefilter(con, named)})""")
    con.execute("CREATE OR REPLACE TEMP TABLE requests_all AS "
                f"{_requests_sql('rowid IN (SELECT row_id FROM request_rows)')}")
    con.execute("DROP TABLE request_rows")


def _has_row_ids(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``posts`` is a table (whose rows have ids), not a view."""
    try:
        con.execute("SELECT rowid FROM posts LIMIT 0")
    except duckdb.BinderException:
        return False
    return True


def _requests_sql(scan: str) -> str:
    """SQL: one row per request and subject (the request, the subject, whether it replies to the
    subject), from the posts that pass ``scan``."""
    return f"""
        WITH p AS (SELECT {REQUEST_COLUMNS} FROM posts WHERE kind <> 'repost' AND ({scan})),
        parents AS (
          SELECT p.platform, p.post_id, o.target FROM p
          JOIN (SELECT platform, post_id, target FROM own_all) o
            ON o.platform = p.platform AND o.post_id = p.in_reply_to_id),
        named AS (
          SELECT h.platform, h.post_id, m.target FROM (
            SELECT platform, post_id, lower(unnest(mentions)) AS key FROM p
            UNION ALL
            SELECT platform, post_id, lower(in_reply_to_account) FROM p WHERE in_reply_to_account IS NOT NULL) h
          JOIN members m ON m.platform = h.platform AND m.key = h.key),
        pairs AS (SELECT DISTINCT platform, post_id, target FROM (SELECT * FROM parents UNION ALL SELECT * FROM named))
        SELECT p.*, pr.target,
               EXISTS (SELECT 1 FROM parents x WHERE x.platform = pr.platform AND x.post_id = pr.post_id
                         AND x.target = pr.target)
               OR EXISTS (SELECT 1 FROM members m WHERE m.target = pr.target AND m.platform = p.platform
                            AND m.key = lower(p.in_reply_to_account)) AS is_reply_to_target
        FROM pairs pr JOIN p ON p.platform = pr.platform AND p.post_id = pr.post_id
        WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.target = pr.target AND m.platform = p.platform
                            AND m.key = lower(p.account))"""


def _answers(con: duckdb.DuckDBPyConnection) -> None:
    """The earliest reply of A to each request (answers may come after the period), and whether an
    unanswered one may have been answered where the data cannot tell (``untraceable``): A commented
    in its conversation after it, in a comment whose source does not say what it answers (an RSS
    comment feed: ``in_reply_to_id`` null, ``conversation_id`` the post)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE requests AS
        SELECT r.*, f.answer_id, f.answered_at,
               date_diff('second', r.created_at, f.answered_at) AS response_s,
               f.answer_id IS NULL AND EXISTS (
                 SELECT 1 FROM own_all o
                 WHERE o.target = r.target AND o.platform = r.platform AND o.conversation_id = r.conversation_id
                   AND o.in_reply_to_id IS NULL AND o.kind IN ('reply', 'comment')
                   AND o.created_at >= r.created_at) AS untraceable
        FROM requests r LEFT JOIN (
          SELECT r.target, r.post_id, arg_min(o.post_id, o.created_at) AS answer_id,
                 min(o.created_at) AS answered_at
          FROM requests r JOIN own_all o ON o.target = r.target AND o.platform = r.platform
            AND o.in_reply_to_id = r.post_id
          GROUP BY ALL) f ON f.target = r.target AND f.post_id = r.post_id""")
