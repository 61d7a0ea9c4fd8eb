"""Which accounts a corpus audit covers, and which posts concern each of them (DuckDB).

A post concerns account A (key: platform and lower-cased handle) when A wrote it, when it mentions
A, when it replies to A (``in_reply_to_account``) or when it replies to a post of A
(``in_reply_to_id``). That is a superset of what the audit reads for A (its posts, the requests
addressed to it and its answers); the audit itself then applies the definitions of
``docs/metrics.md``. The Spark engine routes with the same four rules (:mod:`parlons.corpus.spark`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from ..errors import InputError, UsageError
from ..model import PLATFORMS

__all__ = ["ROUTES_SQL", "read_accounts_file", "select_accounts"]

ROUTES_SQL = """
    SELECT platform, lower(account) AS key, post_id FROM posts
    UNION SELECT platform, lower(in_reply_to_account), post_id FROM posts WHERE in_reply_to_account IS NOT NULL
    UNION SELECT platform, lower(m), post_id FROM (SELECT platform, post_id, unnest(mentions) AS m FROM posts)
    UNION SELECT c.platform, lower(p.account), c.post_id FROM posts c
          JOIN posts p ON p.platform = c.platform AND p.post_id = c.in_reply_to_id"""
"""``(platform, key, post_id)``: every account each post concerns (the four rules)."""


def read_accounts_file(path: Path) -> list[tuple[str | None, str]]:
    """``ACCOUNT`` or ``PLATFORM:ACCOUNT`` per line (blank lines and ``#`` comments ignored)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the accounts file: {exc}", file=str(path)) from None
    wanted: list[tuple[str | None, str]] = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        prefix, sep, rest = text.partition(":")
        platform, name = (prefix, rest.strip()) if sep and prefix in PLATFORMS else (None, text)
        if not name:
            raise InputError("an empty account name", file=str(path), record=f"line {number}")
        wanted.append((platform, name))
    return wanted


def select_accounts(con: duckdb.DuckDBPyConnection, *, min_posts: int = 1,
                    wanted: Sequence[tuple[str | None, str]] | None = None, since: datetime | None = None,
                    until: datetime | None = None) -> int:
    """Create the temp table ``selected(platform, key, posts)``: authors with at least ``min_posts`` posts
    in the period (``since``/``until``, inclusive, as the audit counts its own posts).

    ``wanted`` restricts them to named accounts; a name with no post (at any date) raises :class:`UsageError`.
    """
    con.execute("""CREATE OR REPLACE TEMP TABLE authors AS
                   SELECT platform, lower(account) AS key,
                          count(*) FILTER (created_at >= coalesce($since, created_at)
                                           AND created_at <= coalesce($until, created_at)) AS posts
                   FROM posts GROUP BY ALL""", {"since": since, "until": until})
    if wanted is None:
        con.execute("CREATE OR REPLACE TEMP TABLE selected AS SELECT * FROM authors WHERE posts >= $m",
                    {"m": min_posts})
    else:
        _select_named(con, wanted, min_posts)
    return int(con.execute("SELECT count(*) FROM selected").fetchall()[0][0])


def _select_named(con: duckdb.DuckDBPyConnection, wanted: Sequence[tuple[str | None, str]], min_posts: int) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE wanted (platform VARCHAR, key VARCHAR)")
    con.executemany("INSERT INTO wanted VALUES (?, lower(?))", [(p, ltrim_at(n)) for p, n in wanted])
    missing = con.execute("""SELECT w.key FROM wanted w ANTI JOIN authors a
                             ON a.key IN (w.key, '@' || w.key) AND (w.platform IS NULL OR a.platform = w.platform)
                             ORDER BY w.key LIMIT 5""").fetchall()
    if missing:
        raise missing_names([str(m[0]) for m in missing])
    con.execute("""CREATE OR REPLACE TEMP TABLE selected AS
                   SELECT DISTINCT a.* FROM authors a JOIN wanted w
                     ON a.key IN (w.key, '@' || w.key) AND (w.platform IS NULL OR a.platform = w.platform)
                   WHERE a.posts >= $m""", {"m": min_posts})


def missing_names(keys: Sequence[str]) -> UsageError:
    """The error for names of ``--accounts-file`` with no post in the corpus (both engines)."""
    return UsageError(f"no posts by {', '.join(repr(k) for k in keys)} in the corpus; "
                      "`parlons accounts` lists the accounts")


def ltrim_at(name: str) -> str:
    return name[1:] if name.startswith("@") and name.count("@") == 1 else name
