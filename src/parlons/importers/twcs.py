"""The "Customer Support on Twitter" dataset (twcs.csv, Kaggle / Thought Vector, 2017).

A CSV with the header ``tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id`` (any order), about 2.8 M rows for the full file: brand support accounts
(``author_id`` a name such as ``AppleSupport``, ``inbound`` False) answering customers whose
``author_id`` and ``@mentions`` were replaced by numbers. ``response_tweet_id`` lists the ids
of the replies (comma separated), ``in_response_to_tweet_id`` is the parent.

The ids are the dataset's own sequence numbers, not X status ids, so no permalink is built.
``in_reply_to_account`` is the parent's author when the parent is in the file (a self-join on
``tweet_id``), else the @mention the text starts with (replies in twcs open with the addressee).
``response_tweet_id`` adds nothing to that: a row that lists a reply is the reply's parent, which
the self-join already finds. Every author of an outbound post (``inbound`` False) is recorded as
an account (not as an owner: the dataset is not the brand's own export).

Vectorized in DuckDB: a first pass numbers the records (physical line numbers, quoted line
breaks counted), keeps ``tweet_id -> author_id`` for the self-join and collects the rows DuckDB
rejects (wrong number of fields, stray quotes); the second pass shapes the posts. Rows with an
unreadable ``created_at`` or no ``tweet_id``/``author_id`` are counted as skipped, with their line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence

import duckdb
import pyarrow as pa

from ..sources import Member
from ._base import Importer, ReadContext
from ._duck import (
    CSV_BUFFER,
    MAX_CSV_RECORD,
    X_TIME,
    connect,
    csv_names,
    index_csv,
    long_csv_records,
    sql_hashtags,
    sql_mentions,
    sql_string,
    sql_unique,
    sql_urls,
    stream_checked,
    with_rejects,
)

__all__ = ["COLUMNS", "IMPORTER", "TwcsImporter"]

COLUMNS = ("tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id",
           "in_response_to_tweet_id")

SHAPE = """
WITH t AS (
  SELECT * REPLACE ({tweet_id} AS tweet_id, {parent_id} AS in_response_to_tweet_id)
  FROM {scan} WHERE tweet_id IS NOT NULL
), j AS (
  SELECT t.*, l.line,
    CASE WHEN contains(t."text", '&') THEN replace(replace(replace(t."text", '&lt;', '<'), '&gt;', '>'),
      '&amp;', '&') ELSE coalesce(t."text", '') END AS body,
    try_strptime(t.created_at, '{x_time}') AS ts,
    coalesce(p.author_id, nullif(regexp_extract(t."text", '^\\s*@([A-Za-z0-9_]{{1,30}})', 1), ''))
      AS parent_author
  FROM t JOIN twcs_lines l ON l.m = {number} AND l.tweet_id = t.tweet_id
  LEFT JOIN twcs_parents p ON p.tweet_id = t.in_response_to_tweet_id
), e AS (
  SELECT *, {mentions} AS mention_list, {hashtags} AS hashtag_list, {urls} AS url_list FROM j
)
SELECT
  'x' AS platform, tweet_id AS post_id, author_id AS account, NULL AS account_id,
  NULL AS account_name, ts AS created_at, body AS "text", NULL AS html,
  NULL AS title, NULL AS lang,
  CASE WHEN in_response_to_tweet_id IS NULL THEN 'original' ELSE 'reply' END AS kind,
  in_response_to_tweet_id AS in_reply_to_id,
  CASE WHEN in_response_to_tweet_id IS NOT NULL THEN parent_author END AS in_reply_to_account,
  NULL AS in_reply_to_account_id, NULL AS conversation_id, NULL AS repost_of_id,
  NULL AS repost_of_account, NULL AS quote_of_id,
  {unique_mentions} AS mentions, {unique_hashtags} AS hashtags, {unique_urls} AS urls,
  NULL AS media_count, NULL AS media_kinds, NULL AS "source",
  NULL AS like_count, NULL AS repost_count, NULL AS reply_count, NULL AS quote_count,
  NULL AS permalink, {member} AS source_member, line::VARCHAR AS source_record,
  CASE WHEN author_id IS NULL THEN 'missing author_id' WHEN ts IS NULL THEN 'unreadable created_at' END AS problem
FROM e
"""


class TwcsImporter(Importer):
    name = "twcs"
    platform = "x"
    description = "Customer Support on Twitter (twcs.csv): brands answering customers, research dataset"
    example = "twcs.csv, sample.csv (tweet_id,author_id,inbound,created_at,text,...)"

    def detect(self, member: Member) -> bool:
        return set(COLUMNS) <= set(_header(member))

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        con = connect()
        con.execute("SET TimeZone = 'UTC'")
        scans = [_scan(m) for m in members]
        for number, (member, scan) in enumerate(zip(members, scans, strict=True)):
            self._index(con, number, member, scan, ctx)
        con.execute(LINES)
        con.execute(PARENTS[len(members) > 1])
        self._brands(con, members[0], ctx)
        con.execute("DROP TABLE csv_index")
        for number, (member, scan) in enumerate(zip(members, scans, strict=True)):
            yield from stream_checked(con, _shape(number, member, scan), member, ctx)

    def _index(self, con: duckdb.DuckDBPyConnection, number: int, member: Member, scan: str,
               ctx: ReadContext) -> None:
        """Pass 1: line numbers, the rows DuckDB rejects and those without a tweet_id."""
        missing = [c for c in COLUMNS if c not in _header(member)]
        if missing:
            raise member.error(f"the header lacks the twcs columns {', '.join(missing)}; "
                               f"expected: {', '.join(COLUMNS)}", 1)
        long = long_csv_records(member.local_path())
        for line, reason in index_csv(con, number, scan, _header(member), 2, _INDEXED, long):
            ctx.skip(member, line, reason)
        for (line,) in con.execute(f"SELECT line FROM csv_index WHERE m = {number} AND tweet_id IS NULL "
                                   "ORDER BY line").fetchall():
            ctx.skip(member, line, "missing tweet_id")

    def _brands(self, con: duckdb.DuckDBPyConnection, member: Member, ctx: ReadContext) -> None:
        for (brand,) in con.execute("SELECT DISTINCT author_id FROM csv_index WHERE brand "
                                    "AND author_id IS NOT NULL ORDER BY 1").fetchall():
            ctx.account(member, platform="x", account=brand, url=f"https://x.com/{brand}")


LINES = """
CREATE TEMP TABLE twcs_lines AS
  SELECT m, tweet_id, min(line) AS line, arg_min(author_id, line) AS author_id FROM csv_index
  WHERE tweet_id IS NOT NULL GROUP BY m, tweet_id
"""
"""The line and author of each tweet, per member (a repeated id gets its first line)."""

PARENTS = ("CREATE TEMP VIEW twcs_parents AS SELECT tweet_id, author_id FROM twcs_lines",
           "CREATE TEMP TABLE twcs_parents AS SELECT tweet_id, arg_min(author_id, m) AS author_id "
           "FROM twcs_lines GROUP BY tweet_id")
"""The author of each tweet: one member needs no second grouping; with several, a parent may be
in another member."""

def _id(column: str) -> str:
    """An id as written, or as pandas writes an integer column with gaps back: ``3.0`` is ``3``."""
    return f"regexp_replace(trim({column}), '^([0-9]+)\\.0*$', '\\1')"


_INDEXED = f", {_id('tweet_id')} AS tweet_id, author_id, lower(trim(inbound)) = 'false' AS brand"


def _header(member: Member) -> list[str]:
    """The header's column names, lower-cased ([] when the first line is not a CSV header)."""
    first = member.head_text(2048).splitlines()[:1]
    try:
        names = next(csv.reader(first), [])
    except csv.Error:
        return []
    return csv_names([n.strip().lower() for n in names])


def _scan(member: Member) -> str:
    """The ``read_csv`` call: the header's columns, all VARCHAR, RFC 4180 quoting."""
    columns = ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in _header(member))
    return (f"read_csv({sql_string(str(member.local_path()))}, columns = {{{columns}}}, header = true, "
            "auto_detect = false, delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
            f"max_line_size = {MAX_CSV_RECORD}, buffer_size = {CSV_BUFFER})")


def _shape(number: int, member: Member, scan: str) -> str:
    tolerant = with_rejects(scan, f"shape_rejects_{number}", f"shape_scans_{number}")  # read on past a bad row
    return SHAPE.format(scan=tolerant, number=number, x_time=X_TIME,
                        tweet_id=_id("tweet_id"), parent_id=_id("in_response_to_tweet_id"),
                        member=sql_string(member.name), mentions=sql_mentions("body"),
                        hashtags=sql_hashtags("body"), urls=sql_urls("body"),
                        **{f"unique_{n}": sql_unique(f"{n[:-1]}_list") for n in ("mentions", "hashtags", "urls")})


IMPORTER = TwcsImporter()
