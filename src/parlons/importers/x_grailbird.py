"""The pre-2019 "Grailbird" X/Twitter archive: ``tweets.csv`` and ``data/js/tweets/YYYY_MM.js``.

Until 2019 X gave its users a browsable archive (``index.html``) holding every tweet twice:

- ``tweets.csv`` (sometimes also ``data/csv/YYYY_MM.csv``), one row per tweet, columns
  ``tweet_id, in_reply_to_status_id, in_reply_to_user_id, timestamp, source, text,
  retweeted_status_id, retweeted_status_user_id, retweeted_status_timestamp, expanded_urls``
  (``timestamp`` as ``2012-09-30 20:11:28 +0000``, ``source`` as HTML, text HTML-escaped,
  ``expanded_urls`` comma-separated);
- ``data/js/tweets/YYYY_MM.js``, ``Grailbird.data.tweets_YYYY_MM = [...]``: the same tweets as
  v1.1-style JSON, richer (``user``, ``entities`` with mentions and hashtags,
  ``in_reply_to_screen_name``, ``retweeted_status``).

The owner comes from ``data/js/user_details.js`` (``var user_details = {...}``); without it the
CSV needs ``--account``. When a tweet is in both, the JavaScript row wins and the CSV row is
dropped here, so nothing is counted twice. For CSV rows, mentions and hashtags are taken from the
text, the replied-to handle from users the JavaScript files describe, else from the reply's
leading ``@handle``. Kinds: ``repost`` when the tweet is a native retweet (``retweeted_status``),
else ``reply`` when it answers a tweet, else ``quote`` when it links to a tweet, else
``original`` (a hand-written "RT @x:" stays original: no retweeted id exists). The archive holds no
counts: they stay null. CSV rows that cannot be parsed are counted skips with their line number.
"""

from __future__ import annotations

import csv
import re
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from ..normalize import parse_time
from ..sources import Member, Source
from ._base import Importer, ReadContext
from ._duck import (
    CSV_BUFFER,
    CSV_TOO_LONG,
    MAX_CSV_RECORD,
    NOT_LANGUAGES,
    TWEET_MACROS,
    checked_batches,
    connect,
    long_csv_records,
    member_case,
    sql_string,
    strip_js_wrapper,
)

__all__ = ["IMPORTER", "XGrailbirdImporter"]

TWEETS_JS = re.compile(r"\s*Grailbird\.data\.tweets_\d{4}_\d{2}\s*=\s*", re.ASCII)
ANY_GRAILBIRD = re.compile(r"\s*(Grailbird\.|var\s+(user_details|payload_details|tweet_index)\s*=)", re.ASCII)
USER_DETAILS = re.compile(r"\s*var\s+user_details\s*=\s*", re.ASCII)
CSV_REQUIRED = ("tweet_id", "in_reply_to_status_id", "timestamp", "text", "retweeted_status_id")
CSV_OPTIONAL = ("in_reply_to_user_id", "source", "retweeted_status_user_id", "expanded_urls")
VIEWER_DIRS = frozenset({"css", "img", "js", "lib"})
VIEWER_FILES = frozenset({"readme.txt", "index.html"})

JS_TYPE = """STRUCT(id_str VARCHAR, id VARCHAR, created_at VARCHAR, "text" VARCHAR, "source" VARCHAR,
  lang VARCHAR, in_reply_to_status_id_str VARCHAR, in_reply_to_user_id_str VARCHAR,
  in_reply_to_screen_name VARCHAR, quoted_status_id_str VARCHAR,
  retweeted_status STRUCT(id_str VARCHAR, "user" STRUCT(screen_name VARCHAR, id_str VARCHAR)),
  "user" STRUCT(screen_name VARCHAR, id_str VARCHAR, "name" VARCHAR),
  entities STRUCT(user_mentions STRUCT(screen_name VARCHAR, id_str VARCHAR)[], hashtags STRUCT("text" VARCHAR)[],
                  urls STRUCT(expanded_url VARCHAR)[],
                  media STRUCT("type" VARCHAR, expanded_url VARCHAR)[]))"""

JS_ROWS = r"""
SELECT 0 AS prio, <<member>> AS source_member, coalesce(t.id_str, t.id) AS post_id,
  coalesce(t."user".screen_name, $account) AS account, coalesce(t."user".id_str, $account_id) AS account_id,
  coalesce(t."user"."name", $account_name) AS account_name,
  t.created_at AS created_raw, t."text" AS body, t."source" AS source_raw, t.lang AS lang,
  t.in_reply_to_status_id_str AS in_reply_to_id, t.in_reply_to_screen_name AS reply_handle,
  t.in_reply_to_user_id_str AS reply_user_id,
  t.retweeted_status.id_str AS repost_of_id, t.retweeted_status."user".screen_name AS rt_handle,
  t.retweeted_status."user".id_str AS rt_user_id, t.quoted_status_id_str AS quoted_id,
  list_transform(t.entities.user_mentions, lambda m: m.screen_name) AS mention_list,
  list_transform(t.entities.hashtags, lambda h: h."text") AS hashtag_list,
  list_transform(t.entities.urls, lambda u: u.expanded_url) AS url_list,
  list_transform(coalesce(t.entities.media, []), lambda m: coalesce(m."type", media_type(m))) AS media_types,
  list_concat([{'id': t."user".id_str, 'handle': t."user".screen_name},
               {'id': t.in_reply_to_user_id_str, 'handle': t.in_reply_to_screen_name},
               {'id': t.retweeted_status."user".id_str, 'handle': t.retweeted_status."user".screen_name}],
              list_transform(t.entities.user_mentions, lambda m: {'id': m.id_str, 'handle': m.screen_name})) AS seen
FROM read_json(<<files>>, format = 'array', records = false, columns = {'t': '<<type>>'}, filename = true,
               maximum_object_size = 16777216)
"""

CSV_ROWS = r"""
SELECT 1 AS prio, <<member>> AS source_member, nullif(trim(tweet_id), '') AS post_id,
  $account AS account, $account_id AS account_id, $account_name AS account_name,
  "timestamp" AS created_raw, "text" AS body, <<source>> AS source_raw, NULL AS lang,
  nullif(trim(in_reply_to_status_id), '') AS in_reply_to_id, NULL AS reply_handle,
  nullif(trim(<<in_reply_to_user_id>>), '') AS reply_user_id,
  nullif(trim(retweeted_status_id), '') AS repost_of_id, NULL AS rt_handle,
  nullif(trim(<<retweeted_status_user_id>>), '') AS rt_user_id, NULL AS quoted_id,
  list_filter(regexp_extract_all(unescape_html("text"), '(?:^|[^\p{L}\p{N}_@/])@([\p{L}\p{N}_]+)', 1),
              lambda h: regexp_full_match(h, '[A-Za-z0-9_]{1,15}')) AS mention_list,
  list_filter(regexp_extract_all(unescape_html("text"), '(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]+)', 1),
              lambda h: regexp_matches(h, '\p{L}')) AS hashtag_list,
  string_split(regexp_replace(coalesce(<<expanded_urls>>, ''), ',\s*(https?://)', ' \1', 'g'), ' ') AS url_list,
  list_transform(retweet_media(list_filter(string_split(coalesce(<<expanded_urls>>, ''), ','),
                                            lambda u: regexp_matches(u, '/status/\d+/(photo|video)/\d+')),
                               nullif(trim(retweeted_status_id), '') IS NOT NULL),
                 lambda u: regexp_extract(u, '/status/\d+/(photo|video)/\d+', 1)) AS media_types,
  []::STRUCT(id VARCHAR, handle VARCHAR)[] AS seen
FROM read_csv(<<files>>, columns = <<columns>>, header = true, auto_detect = false, delim = ',',
              quote = '"', escape = '"', filename = true, ignore_errors = true, store_rejects = true,
              max_line_size = <<max_record>>, buffer_size = <<buffer>>)
"""

SHAPE = r"""
WITH tweets AS (<<parts>>), users AS (
  SELECT s.id, any_value(s.handle) AS handle
  FROM (SELECT unnest(seen) AS s FROM tweets UNION ALL SELECT {'id': $account_id::VARCHAR, 'handle': $account::VARCHAR})
  WHERE s.id IS NOT NULL AND s.handle IS NOT NULL GROUP BY s.id
), k AS (
  SELECT w.*, unescape_html(coalesce(body, '')) AS plain,
    try_strptime(created_raw, ['%Y-%m-%d %H:%M:%S %z', '%a %b %d %H:%M:%S %z %Y']) AS created,
    ru.handle AS reply_known, rtu.handle AS rt_known,
    list_filter(url_list, lambda u: nullif(trim(u), '') IS NOT NULL
      AND NOT regexp_matches(u, '^https?://(www\.|mobile\.)?(twitter|x)\.com/(\w+/status/\d+/(photo|video)/|i/web/status/)'))
      AS links
  FROM tweets w LEFT JOIN users ru ON ru.id = w.reply_user_id LEFT JOIN users rtu ON rtu.id = w.rt_user_id
), q AS (
  SELECT *, coalesce(quoted_id, nullif(regexp_extract(list_reduce(list_prepend('', links),
      lambda a, b: CASE WHEN regexp_matches(b, '^https?://(www\.|mobile\.)?(twitter|x)\.com/\w+/status(es)?/\d+')
                   THEN b ELSE a END), '/status(?:es)?/(\d+)', 1), '')) AS quote_id
  FROM k
)
SELECT
  'x' AS platform, post_id, account, account_id, account_name, created AS created_at, plain AS "text",
  NULL AS html, NULL AS title, CASE WHEN lang NOT IN <<not_languages>> THEN lang END AS lang,
  CASE WHEN repost_of_id IS NOT NULL THEN 'repost' WHEN in_reply_to_id IS NOT NULL THEN 'reply'
       WHEN quote_id IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  in_reply_to_id,
  CASE WHEN coalesce(in_reply_to_id, reply_user_id) IS NOT NULL THEN
    coalesce(reply_handle, reply_known, nullif(regexp_extract(plain, '^\s*\.?@(\w{1,15})', 1), '')) END
    AS in_reply_to_account,
  reply_user_id AS in_reply_to_account_id, NULL AS conversation_id, repost_of_id,
  CASE WHEN repost_of_id IS NOT NULL THEN
    coalesce(rt_handle, nullif(regexp_extract(plain, '^RT @(\w{1,15}):', 1), ''), rt_known) END AS repost_of_account,
  CASE WHEN repost_of_id IS NULL THEN quote_id END AS quote_of_id,
  coalesce(list_distinct_ordered(mention_list), []) AS mentions,
  coalesce(hashtag_list, []) AS hashtags, coalesce(list_distinct_ordered(links), []) AS urls,
  len(media_types) AS media_count, list_transform(media_types, lambda m: media_kind(m)) AS media_kinds,
  client_name(source_raw) AS "source",
  NULL AS like_count, NULL AS repost_count, NULL AS reply_count, NULL AS quote_count,
  'https://x.com/' || account || '/status/' || post_id AS permalink,
  source_member, post_id AS source_record,
  CASE WHEN post_id IS NULL THEN 'tweet without an id' WHEN account IS NULL THEN 'tweet without an author'
       WHEN created IS NULL THEN 'unreadable timestamp' END AS skip_reason
FROM q
QUALIFY post_id IS NULL OR row_number() OVER (PARTITION BY post_id ORDER BY prio, source_member) = 1
"""

UNESCAPE = ("CREATE OR REPLACE TEMP MACRO unescape_html(s) AS "
            "replace(replace(replace(s, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')")
MEDIA_TYPE = r"""CREATE OR REPLACE TEMP MACRO media_type(m) AS
  nullif(regexp_extract(m.expanded_url, '/(photo|video)/\d+$', 1), '')"""
"""The type of a media entity the archive wrote without one (every photo of a 2009-2015 archive's
``data/js/tweets`` seen so far): ``photo`` or ``video`` from its link (``.../status/<id>/photo/1``)."""
RETWEET_MEDIA = """CREATE OR REPLACE TEMP MACRO retweet_media(links, retweet) AS
  CASE WHEN retweet AND len(links) % 2 = 0 AND links[:len(links) // 2] = links[len(links) // 2 + 1:]
       THEN links[:len(links) // 2] ELSE links END"""
"""The media links of a CSV row: a retweet's row lists each of them twice (a retweeted photo gives two
``/photo/1`` links), so a retweet's links repeated in two equal halves count once."""


class XGrailbirdImporter(Importer):
    name = "x-grailbird"
    platform = "x"
    description = "X/Twitter archive before 2019 (Grailbird): tweets.csv, data/js/tweets/YYYY_MM.js"
    example = "tweets.zip with tweets.csv, data/js/tweets/2012_05.js, data/js/user_details.js"

    def detect(self, member: Member) -> bool:
        name = member.name.lower()
        if name.endswith(".js"):
            return TWEETS_JS.match(member.head_text(200)) is not None
        return name.endswith(".csv") and _csv_header(member) is not None

    def companion(self, member: Member) -> bool:
        name = member.name.lower()
        if name.endswith(".js") and ANY_GRAILBIRD.match(member.head_text(200)):
            return not self.detect(member)
        viewer = member.basename.lower() in VIEWER_FILES or bool(set(name.split("/")[:-1]) & VIEWER_DIRS)
        return viewer and _is_grailbird(member)

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        scripts = [m for m in members if m.name.lower().endswith(".js")]
        tables = [m for m in members if not m.name.lower().endswith(".js")]
        owner = _owner(members[0], ctx, needed=bool(tables))
        parts, paths = [], {}
        if scripts:
            found = {strip_js_wrapper(m, TWEETS_JS, "`Grailbird.data.tweets_YYYY_MM = `"): m for m in scripts}
            parts.append(_fill(JS_ROWS, member=member_case(found), files=_files(found),
                               type=" ".join(JS_TYPE.split())))
            paths.update(found)
        for header, group in _by_header(tables).items():
            found = {m.local_path(): m for m in group}
            parts.append(_csv_rows(header, found))
            paths.update(found)
        sql = _fill(SHAPE, parts=" UNION ALL BY NAME ".join(parts), not_languages=NOT_LANGUAGES)
        con = _connection(members[0])
        yield from checked_batches(con, sql, ctx, paths, params=owner)
        if tables:
            _count_rejects(con, ctx, paths)


def _fill(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace(f"<<{key}>>", value)
    return template


def _files(paths: dict[Path, Member]) -> str:
    return "[" + ", ".join(sql_string(str(p)) for p in paths) + "]"


def _connection(member: Member) -> duckdb.DuckDBPyConnection:
    con = connect()
    con.execute(f"SET temp_directory = {sql_string(str(member.source.scratch()))}")
    for macro in (*TWEET_MACROS, UNESCAPE, MEDIA_TYPE, RETWEET_MEDIA):
        con.execute(macro)
    return con


def _csv_header(member: Member) -> tuple[str, ...] | None:
    """The CSV's column names when they are a Grailbird ``tweets.csv`` header, else None."""
    first = member.head_text(2048).splitlines()[:1]
    if not first:
        return None
    try:
        names = tuple(n.strip() for n in next(csv.reader(first)))
    except (csv.Error, StopIteration):
        return None
    return names if set(CSV_REQUIRED) <= set(names) else None


def _by_header(members: Sequence[Member]) -> dict[tuple[str, ...], list[Member]]:
    groups: dict[tuple[str, ...], list[Member]] = {}
    for member in members:
        header = _csv_header(member)
        if header is None:
            raise member.error("the first line is not the header of a Grailbird tweets.csv "
                               f"(expected the columns {', '.join(CSV_REQUIRED)})")
        groups.setdefault(header, []).append(member)
    return groups


def _csv_rows(header: tuple[str, ...], paths: dict[Path, Member]) -> str:
    columns = "{" + ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in header) + "}"
    optional = {n: (f'"{n}"' if n in header else "NULL") for n in CSV_OPTIONAL}
    return _fill(CSV_ROWS, member=member_case(paths), files=_files(paths), columns=columns,
                 max_record=str(MAX_CSV_RECORD), buffer=str(CSV_BUFFER), **optional)


def _count_rejects(con: duckdb.DuckDBPyConnection, ctx: ReadContext, paths: dict[Path, Member]) -> None:
    """Rows DuckDB's CSV reader could not parse, counted as skips with their line number.

    Records longer than the CSV limit are found by :func:`long_csv_records` (DuckDB drops those
    longer than its buffer without a word), so DuckDB's own reports of them are left out.
    """
    rows = con.execute("SELECT s.file_path, e.line, lower(first(e.error_type ORDER BY e.column_idx)) "
                       "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id) "
                       "WHERE e.error_type <> 'LINE SIZE OVER MAXIMUM' "
                       "GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line").fetchall()
    members = {str(p): m for p, m in paths.items()}
    for file_path, line, error in rows:
        ctx.skip(members[file_path], f"line {line}", f"unreadable CSV row ({error})")
    for path, member in paths.items():
        if member.name.lower().endswith(".csv"):
            for record in long_csv_records(path):
                ctx.skip(member, f"line {record.line}", CSV_TOO_LONG)


_GRAILBIRD_SOURCES: weakref.WeakKeyDictionary[Source, bool] = weakref.WeakKeyDictionary()


def _is_grailbird(member: Member) -> bool:
    """Whether the member's source holds a Grailbird archive (remembered per source)."""
    source = member.source
    if source not in _GRAILBIRD_SOURCES:
        _GRAILBIRD_SOURCES[source] = any(m.basename.lower() in ("tweet_index.js", "user_details.js")
                                         for m in source.members)
    return _GRAILBIRD_SOURCES[source]


def _owner(member: Member, ctx: ReadContext, needed: bool) -> dict[str, Any]:
    details = member.source.find("user_details.js")
    if details is not None:
        return _owner_from_details(details, ctx)
    if ctx.options.account:
        ctx.note(f"owner taken from --account: {ctx.options.account}")
        return {"account": ctx.options.account.lstrip("@"), "account_id": None, "account_name": None}
    if needed:
        raise member.error("data/js/user_details.js is missing, so the archive's owner is unknown; "
                           "import the whole archive (folder or zip) or give --account")
    return {"account": None, "account_id": None, "account_name": None}


def _owner_from_details(details: Member, ctx: ReadContext) -> dict[str, Any]:
    text = details.read_text()
    match = USER_DETAILS.match(text)
    try:
        data = orjson.loads(text[match.end():].strip().rstrip(";")) if match else None
    except orjson.JSONDecodeError as exc:
        raise details.error(f"user_details.js is not the expected JSON ({exc})") from None
    if not isinstance(data, dict) or not data.get("screen_name"):
        raise details.error("expected `var user_details = {...}` with a `screen_name`")
    owner = {"account": str(data["screen_name"]), "account_id": _text(data.get("id")),
             "account_name": _text(data.get("full_name"))}
    ctx.account(details, platform="x", account=owner["account"], account_id=owner["account_id"],
                display_name=owner["account_name"], description=_text(data.get("bio")),
                created_at=parse_time(_text(data.get("created_at"))), is_owner=True,
                url=f"https://x.com/{owner['account']}")
    return owner


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


IMPORTER = XGrailbirdImporter()
