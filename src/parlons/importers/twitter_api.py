"""Twitter API JSON as researchers collect it: v1.1 tweets, and v2 tweets as written by twarc2.

Shapes read (one kind per file, decided from its first bytes):

- **v1.1** tweet objects (``id_str``, ``user.screen_name``, ``full_text``/``text``/
  ``extended_tweet.full_text``, ``retweeted_status``, ``quoted_status_id_str``, ``in_reply_to_*``,
  ``entities``, ``extended_entities``, ``source`` as HTML, counts): one object per file, a JSON
  array of them, or JSON lines (twarc 1, the streaming API);
- **v2 flattened** (``twarc2 flatten``): one tweet per line with ``author``, ``in_reply_to_user``
  and the referenced tweets expanded in place (``referenced_tweets[{type, id, author}]``,
  ``public_metrics``, ``entities.mentions[].username``, ``attachments.media``, ``__twarc``);
- **v2 response pages** (``twarc2 search`` output): one API page per line,
  ``{"data": [...], "includes": {"users", "tweets", "media"}, "meta", "__twarc"}``. Authors and
  media are resolved from the page's ``includes``; the tweets in ``includes.tweets`` (the ones the
  collected tweets reply to, quote or retweet) are imported too, once, unless already in ``data``;
- **v2 stream output** (``twarc2 filter`` and ``sample``): one tweet a line,
  ``{"data": {...}, "includes": ..., "matching_rules": [...], "__twarc"}``, read like pages.

Pages of users, lists or counts (``twarc2 users``, ``lists``, ``counts``) and compliance output are
known companions: they hold no posts. Edited tweets (v2 ``edit_history_tweet_ids``) are folded
into one post per edit chain (:mod:`parlons.importers._edits`). A tweet whose author is not in the
page's ``includes.users`` (a withheld account) keeps its ``author_id``; ``id:<author_id>`` stands
in for the handle.

Everything is parsed by DuckDB with explicit types (no schema inference), ids as text. JSON lines
go through DuckDB's JSON reader, numbered (1-based line numbers become ``source_record``); when it
stops on a bad line, reading resumes after the last whole line streamed, line by line as text, so
a line that is not valid JSON, or not a tweet, is a counted skip with its line number.

Kinds: a retweet is a ``repost``, else a tweet that answers another one is a ``reply``, else one
that quotes is a ``quote`` (a reply that quotes stays a reply and keeps ``quote_of_id``). Counts of
a retweet are the retweeted tweet's in the API, so they are left null on reposts. Every author
seen is reported as an account. See ``docs/formats/twitter_api.md``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..sources import Member
from ._base import Importer, Numbered, ReadContext, SqlQuery, Staged, beyond_numbering
from ._duck import (
    NOT_LANGUAGES,
    TWEET_MACROS,
    Ahead,
    NotClear,
    Progress,
    blame,
    checked_batches,
    connect,
    kept_batches,
    sql_string,
)
from ._edits import EditChains

__all__ = ["IMPORTER", "TwitterApiImporter"]

V1_TIME = re.compile(r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}"')
V2_TIME = re.compile(r'"created_at"\s*:\s*"\d{4}-\d\d-\d\dT\d\d:\d\d')
V2_KEYS = ('"conversation_id"', '"edit_history_tweet_ids"', '"__twarc"', '"public_metrics"',
           '"referenced_tweets"')
PAGE = re.compile(r'\s*\{\s*"data"\s*:\s*([\[{])')
COMPLIANCE = re.compile(r'\s*\{\s*"id"\s*:\s*"\d+"\s*,\s*"action"\s*:\s*"(delete|scrub_geo|protect|suspend)"')
FIRST_LINE = 1 << 21
"""How much of a page file is read to tell tweets from users, lists or counts: its first line, if shorter."""

MAX_LINE = 16 * 1024 * 1024
"""The longest JSON line (or array element) read; a twarc2 page of 100 tweets is about 1 MB.
DuckDB's readers hold buffers in proportion to it, so it also bounds memory."""
USER_V1 = 'STRUCT(id_str VARCHAR, id VARCHAR, screen_name VARCHAR, "name" VARCHAR, description VARCHAR, ' \
          'created_at VARCHAR)'
ENTITIES_V1 = ('STRUCT(user_mentions STRUCT(screen_name VARCHAR)[], hashtags STRUCT("text" VARCHAR)[], '
               'urls STRUCT(expanded_url VARCHAR)[], media STRUCT("type" VARCHAR)[])')
MEDIA_V1 = 'STRUCT(media STRUCT("type" VARCHAR)[])'
TWEET_V1 = f"""STRUCT(id_str VARCHAR, id VARCHAR, created_at VARCHAR, full_text VARCHAR, "text" VARCHAR,
  "source" VARCHAR, lang VARCHAR, in_reply_to_status_id_str VARCHAR, in_reply_to_user_id_str VARCHAR,
  in_reply_to_screen_name VARCHAR, quoted_status_id_str VARCHAR, quoted_status STRUCT(id_str VARCHAR),
  retweeted_status STRUCT(id_str VARCHAR, "user" STRUCT(screen_name VARCHAR)),
  retweet_count VARCHAR, favorite_count VARCHAR, reply_count VARCHAR, quote_count VARCHAR,
  "user" {USER_V1}, entities {ENTITIES_V1}, extended_entities {MEDIA_V1},
  extended_tweet STRUCT(full_text VARCHAR, entities {ENTITIES_V1}, extended_entities {MEDIA_V1}))"""

USER_V2 = 'STRUCT(id VARCHAR, username VARCHAR, "name" VARCHAR, description VARCHAR, created_at VARCHAR)'
MEDIA_V2 = 'STRUCT(media_key VARCHAR, "type" VARCHAR)'
TWEET_V2 = f"""STRUCT(id VARCHAR, "text" VARCHAR, created_at VARCHAR, author_id VARCHAR,
  conversation_id VARCHAR, lang VARCHAR, "source" VARCHAR, in_reply_to_user_id VARCHAR,
  in_reply_to_user STRUCT(id VARCHAR, username VARCHAR),
  referenced_tweets STRUCT("type" VARCHAR, id VARCHAR, author_id VARCHAR, author {USER_V2})[],
  public_metrics STRUCT(like_count VARCHAR, retweet_count VARCHAR, reply_count VARCHAR, quote_count VARCHAR),
  entities STRUCT(mentions STRUCT(username VARCHAR, id VARCHAR)[], hashtags STRUCT(tag VARCHAR)[],
                  urls STRUCT(expanded_url VARCHAR, media_key VARCHAR)[]),
  attachments STRUCT(media_keys VARCHAR[], media {MEDIA_V2}[]),
  note_tweet STRUCT("text" VARCHAR), author {USER_V2}, edit_history_tweet_ids VARCHAR[])"""
INCLUDES = f"STRUCT(users {USER_V2}[], tweets STRUCT(id VARCHAR, author_id VARCHAR)[], media {MEDIA_V2}[])"
PAGE_DATA = f"STRUCT(data {TWEET_V2}[], includes {INCLUDES})"
PAGE_INCLUDED = (f"STRUCT(data STRUCT(id VARCHAR)[], includes STRUCT(users {USER_V2}[], tweets {TWEET_V2}[], "
                 f"media {MEDIA_V2}[]))")
STREAM_DATA = f"STRUCT(data {TWEET_V2}, includes {INCLUDES})"
STREAM_INCLUDED = PAGE_INCLUDED.replace("data STRUCT(id VARCHAR)[]", "data STRUCT(id VARCHAR)")

TEXT_LINES = ("read_csv({path}, columns = {{'line': 'VARCHAR'}}, delim = '\x01', quote = '', escape = '', "
              "header = false, auto_detect = false, strict_mode = false, max_line_size = {max_line}, "
              "buffer_size = {buffer})")
"""The member as text lines, blank ones included (as NULL), so that ``row_number()`` is the line number."""

SLOW_LINES = """
SELECT rn::VARCHAR AS record, j,
  CASE WHEN j IS NULL THEN CASE WHEN json_valid(line) THEN 'line is JSON but not a tweet object'
                                ELSE 'line is not valid JSON' END END AS bad
FROM (
  SELECT rn, line, try(from_json(line, {structure})) AS j
  FROM (SELECT row_number() OVER () AS rn, line FROM {lines})
  WHERE rn > {resume} AND trim(line) <> '')
"""

FAST_LINES = """
SELECT (row_number() OVER ())::VARCHAR AS record, j, NULL::VARCHAR AS bad
FROM read_json({path}, format = 'newline_delimited', records = false, columns = {{'j': '{type}'}},
               maximum_object_size = {max_line})
"""

COUNTED_LINES = """
SELECT NULL::VARCHAR AS record, j, NULL::VARCHAR AS bad
FROM read_json({path}, format = 'newline_delimited', records = false, columns = {{'j': '{type}'}},
               maximum_object_size = {max_line})
"""
""":data:`FAST_LINES` for parts of one tweet per line: numbered by counting the rows (``counted``
of :func:`~._duck.kept_batches`), so that DuckDB reads on every core."""

NUMBERED_LINES = """
SELECT NULL::VARCHAR AS record, j, CASE WHEN j IS NULL THEN '{unread}' END AS bad
FROM read_json({path}, format = 'newline_delimited', records = false, columns = {{'j': '{type}'}},
               maximum_object_size = {max_line}, ignore_errors = true)
"""
"""JSON lines for the store's numbered query (:func:`_numbered`): one row per line, in order, on every
core; a line DuckDB cannot read as an object gives a row whose ``j`` is NULL."""
NO_ID = "not a tweet (no id)"
UNREAD = "line not read"
"""The reason :data:`NUMBERED_LINES` gives a line it could not read, until :func:`_explain_unread` says why."""
MAX_UNREAD = 1000
"""Beyond this many unreadable lines in a member, it is read line by line instead (:func:`_json_lines`)."""
NUMBERED_PARTS = ("v1", "v2", "stream")
"""The passes that give one row per line: the store may read them itself (pages give many)."""

DOCUMENT = """
SELECT (row_number() OVER () - 1)::VARCHAR AS record, j, NULL::VARCHAR AS bad
FROM read_json({path}, format = '{layout}', records = false, columns = {{'j': '{type}'}},
               maximum_object_size = {max_line})
"""

SOURCES = {
    "v1": "parsed AS ({parsed}), tweets AS (SELECT record, bad, j AS t FROM parsed)",
    "v2": f"parsed AS ({{parsed}}), tweets AS (SELECT record, bad, j AS t, NULL::{INCLUDES} AS inc FROM parsed)",
    "pages": f"""parsed AS ({{parsed}}), tweets AS (
      SELECT record, bad, j.includes AS inc,
        unnest(CASE WHEN j IS NULL THEN [NULL::{TWEET_V2}] ELSE coalesce(j.data, []) END) AS t
      FROM parsed)""",
    "included": """parsed AS NOT MATERIALIZED ({parsed}), tweets AS (
      SELECT i.record, NULL::VARCHAR AS bad, i.t, i.inc
      FROM (SELECT record, j.includes AS inc, unnest(j.includes.tweets) AS t FROM parsed) AS i
      ANTI JOIN (SELECT unnest(list_transform(j.data, lambda d: d.id)) AS id FROM parsed) AS own
        ON own.id = i.t.id
      QUALIFY row_number() OVER (PARTITION BY i.t.id ORDER BY i.record::BIGINT) = 1)""",
    "stream": "parsed AS ({parsed}), tweets AS (SELECT record, bad, j.includes AS inc, j.data AS t FROM parsed)",
    "stream_included": """parsed AS NOT MATERIALIZED ({parsed}), tweets AS (
      SELECT i.record, NULL::VARCHAR AS bad, i.t, i.inc
      FROM (SELECT record, j.includes AS inc, unnest(j.includes.tweets) AS t FROM parsed) AS i
      ANTI JOIN (SELECT j.data.id AS id FROM parsed WHERE j.data.id IS NOT NULL) AS own ON own.id = i.t.id
      QUALIFY row_number() OVER (PARTITION BY i.t.id ORDER BY i.record::BIGINT) = 1)""",
}
"""Per flavour, the CTEs ``parsed`` (``record``, ``j``, ``bad``) and ``tweets`` (``record``, ``bad``, ``t``,
``inc``: the page's includes, v2 only) that the shaping query reads."""

SHAPE_V1 = """
WITH {sources}, k AS (
  SELECT record, bad, t,
    coalesce(t.id_str, t.id) AS tid,
    coalesce(t.extended_tweet.full_text, t.full_text, t."text", '') AS body,
    coalesce(t.extended_tweet.entities, t.entities) AS ents,
    coalesce(t.extended_tweet.extended_entities.media, t.extended_entities.media,
             t.extended_tweet.entities.media, t.entities.media, []) AS media,
    t.retweeted_status.id_str AS rt_id,
    try_strptime(t.created_at, '%a %b %d %H:%M:%S %z %Y') AS created
  FROM tweets
), q AS (
  SELECT *, coalesce(t.quoted_status_id_str, t.quoted_status.id_str,
    nullif(regexp_extract(list_reduce(list_prepend('', list_transform(ents.urls, lambda u: u.expanded_url)),
      lambda a, b: CASE WHEN b SIMILAR TO 'https?://(www\\.|mobile\\.)?(twitter|x)\\.com/\\w+/status(es)?/\\d+.*'
                     THEN b ELSE a END), '/status(?:es)?/(\\d+)', 1), '')) AS quoted_id
  FROM k
)
SELECT
  'x' AS platform, tid AS post_id, t."user".screen_name AS account,
  coalesce(t."user".id_str, t."user".id) AS account_id, t."user"."name" AS account_name,
  created AS created_at,
  replace(replace(replace(body, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') AS "text",
  NULL AS html, NULL AS title, CASE WHEN t.lang NOT IN {not_languages} THEN t.lang END AS lang,
  CASE WHEN rt_id IS NOT NULL THEN 'repost' WHEN t.in_reply_to_status_id_str IS NOT NULL THEN 'reply'
       WHEN quoted_id IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  t.in_reply_to_status_id_str AS in_reply_to_id, t.in_reply_to_screen_name AS in_reply_to_account,
  t.in_reply_to_user_id_str AS in_reply_to_account_id, NULL AS conversation_id,
  rt_id AS repost_of_id,
  coalesce(t.retweeted_status."user".screen_name, nullif(regexp_extract(body, '^RT @(\\w+):', 1), ''))
    AS repost_of_account,
  CASE WHEN rt_id IS NULL THEN quoted_id END AS quote_of_id,
  coalesce(list_distinct_ordered(list_transform(ents.user_mentions, lambda m: m.screen_name)), [])
    AS mentions,
  coalesce(list_transform(ents.hashtags, lambda h: h."text"), []) AS hashtags,
  coalesce(list_filter(list_transform(ents.urls, lambda u: u.expanded_url), lambda u: u IS NOT NULL), [])
    AS urls,
  len(media) AS media_count, list_transform(media, lambda m: media_kind(m."type")) AS media_kinds,
  client_name(t."source") AS "source",
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.favorite_count AS BIGINT) END AS like_count,
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.retweet_count AS BIGINT) END AS repost_count,
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.reply_count AS BIGINT) END AS reply_count,
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.quote_count AS BIGINT) END AS quote_count,
  'https://x.com/' || t."user".screen_name || '/status/' || tid AS permalink,
  {member} AS source_member, record AS source_record,
  t."user".description AS author_description,
  try_strptime(t."user".created_at, '%a %b %d %H:%M:%S %z %Y') AS author_created_at,
  CASE WHEN bad IS NOT NULL THEN bad WHEN tid IS NULL THEN 'not a tweet (no id)'
       WHEN t."user".screen_name IS NULL THEN 'tweet without user.screen_name'
       WHEN created IS NULL THEN 'unreadable created_at' END AS skip_reason
FROM q
"""

SHAPE_V2 = """
WITH {sources}, k AS (
  SELECT record, bad, t, inc,
    list_filter(coalesce(t.referenced_tweets, []), lambda r: r."type" = 'retweeted')[1] AS rt,
    list_filter(coalesce(t.referenced_tweets, []), lambda r: r."type" = 'replied_to')[1] AS rp,
    list_filter(coalesce(t.referenced_tweets, []), lambda r: r."type" = 'quoted')[1] AS qt,
    coalesce(t.author, find_user(inc.users, t.author_id)) AS au,
    coalesce(t.note_tweet."text", t."text", '') AS body,
    TRY_CAST(t.created_at AS TIMESTAMPTZ) AS created
  FROM tweets
), r AS (
  SELECT *,
    coalesce(t.in_reply_to_user_id, rp.author_id, rp.author.id) AS reply_user_id,
    coalesce(rt.author_id, rt.author.id, list_filter(inc.tweets, lambda x: x.id = rt.id)[1].author_id)
      AS rt_user_id
  FROM k
)
SELECT
  'x' AS platform, t.id AS post_id, coalesce(au.username, 'id:' || coalesce(t.author_id, au.id)) AS account,
  coalesce(t.author_id, au.id) AS account_id,
  nullif(au."name", '') AS account_name, created AS created_at,
  replace(replace(replace(body, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') AS "text",
  NULL AS html, NULL AS title, CASE WHEN t.lang NOT IN {not_languages} THEN t.lang END AS lang,
  CASE WHEN rt.id IS NOT NULL THEN 'repost' WHEN rp.id IS NOT NULL THEN 'reply'
       WHEN qt.id IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  rp.id AS in_reply_to_id,
  coalesce(t.in_reply_to_user.username, rp.author.username, find_user(inc.users, reply_user_id).username,
           list_filter(t.entities.mentions, lambda m: m.id = reply_user_id)[1].username) AS in_reply_to_account,
  reply_user_id AS in_reply_to_account_id, t.conversation_id AS conversation_id,
  rt.id AS repost_of_id,
  coalesce(rt.author.username, find_user(inc.users, rt_user_id).username,
           nullif(regexp_extract(body, '^RT @(\\w+):', 1), '')) AS repost_of_account,
  CASE WHEN rt.id IS NULL THEN qt.id END AS quote_of_id,
  coalesce(list_distinct_ordered(list_transform(t.entities.mentions, lambda m: m.username)), [])
    AS mentions,
  coalesce(list_transform(t.entities.hashtags, lambda h: h.tag), []) AS hashtags,
  coalesce(list_transform(list_filter(t.entities.urls, lambda u: u.media_key IS NULL AND u.expanded_url IS NOT NULL
      AND NOT regexp_matches(u.expanded_url, '^https?://(www\\.)?(twitter|x)\\.com/\\w+/status/\\d+/(photo|video)/')),
    lambda u: u.expanded_url), []) AS urls,
  len(coalesce(t.attachments.media_keys, [])) AS media_count,
  list_transform(coalesce(t.attachments.media_keys, []), lambda key: media_kind(coalesce(
    list_filter(t.attachments.media, lambda m: m.media_key = key)[1]."type",
    list_filter(inc.media, lambda m: m.media_key = key)[1]."type"))) AS media_kinds,
  client_name(t."source") AS "source",
  CASE WHEN rt.id IS NULL THEN TRY_CAST(t.public_metrics.like_count AS BIGINT) END AS like_count,
  CASE WHEN rt.id IS NULL THEN TRY_CAST(t.public_metrics.retweet_count AS BIGINT) END AS repost_count,
  CASE WHEN rt.id IS NULL THEN TRY_CAST(t.public_metrics.reply_count AS BIGINT) END AS reply_count,
  CASE WHEN rt.id IS NULL THEN TRY_CAST(t.public_metrics.quote_count AS BIGINT) END AS quote_count,
  'https://x.com/' || coalesce(au.username, 'i/web') || '/status/' || t.id AS permalink,
  {member} AS source_member, record AS source_record,
  au.description AS author_description, TRY_CAST(au.created_at AS TIMESTAMPTZ) AS author_created_at,
  CASE WHEN bad IS NOT NULL THEN bad WHEN t.id IS NULL THEN 'not a tweet (no id)'
       WHEN au.username IS NULL AND t.author_id IS NULL AND au.id IS NULL
         THEN 'author unknown (no author, author_id or includes.users entry)'
       WHEN created IS NULL THEN 'unreadable created_at' END AS skip_reason
FROM r
"""

AUTHOR_COLUMNS = ("author_description", "author_created_at")


class TwitterApiImporter(Importer):
    name = "twitter-api"
    platform = "x"
    description = "Twitter API JSON: v1.1 tweets (object, array, JSON lines), v2 from twarc2 (flat or pages)"
    example = "tweets.jsonl (twarc), search-results.jsonl (twarc2), flat.jsonl (twarc2 flatten)"

    def detect(self, member: Member) -> bool:
        return _flavour(member) in PARTS

    def companion(self, member: Member) -> bool:
        return _flavour(member) in COMPANIONS

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
        authors, edits = Authors(), EditChains()
        scans = ByteScans(members, edits)
        try:
            yield from edits.fold(self._batches(members, ctx, authors, scans), ready=scans.wait)
        finally:
            scans.close()
        yield from edits.rows(ctx)
        authors.report(ctx, {m.name: m for m in members})

    def _batches(self, members: Sequence[Member], ctx: ReadContext, authors: Authors,
                 scans: ByteScans) -> Iterator[pa.RecordBatch | SqlQuery]:
        """The rows of each member; ``scans``: the byte passes over the JSON lines members."""
        con = _connection(members[0])
        for member in members:
            flavour = _flavour(member)
            if flavour not in PARTS:
                raise member.error("is not Twitter API JSON (v1.1 tweets, or v2 tweets from twarc2)")
            layout, path = _layout(member), member.local_path()
            for part in PARTS[flavour]:
                if layout == "lines" and part in NUMBERED_PARTS:
                    query = _numbered(member, part, authors, scans)
                    yield query
                    if query.numbered is not None and not query.numbered.refused:
                        continue
                if layout == "lines":
                    yield from _json_lines(con, member, part, ctx, authors, scans)
                else:
                    parsed = DOCUMENT.format(path=sql_string(str(path)), layout=layout, type=_type(part),
                                             max_line=MAX_LINE)
                    yield from checked_batches(con, _shape(member, part, parsed), ctx, {path: member},
                                               also=AUTHOR_COLUMNS, seen=authors.add)


PARTS = {"v1": ("v1",), "v2": ("v2",), "pages": ("pages", "included"), "stream": ("stream", "stream_included")}
"""The shaping passes per flavour: pages are read twice, for ``data`` then for ``includes.tweets``."""
TYPES = {"v1": TWEET_V1, "v2": TWEET_V2, "pages": PAGE_DATA, "included": PAGE_INCLUDED,
         "stream": STREAM_DATA, "stream_included": STREAM_INCLUDED}
COMPANIONS = ("users", "lists", "counts", "compliance")
"""Flavours of twarc output that hold no posts."""
INCLUDED_PARTS = ("included", "stream_included")


def _connection(member: Member) -> duckdb.DuckDBPyConnection:
    con = connect()
    con.execute(f"SET temp_directory = {sql_string(str(member.source.scratch()))}")
    for macro in TWEET_MACROS:
        con.execute(macro)
    return con


def _flavour(member: Member) -> str | None:
    """What the member holds, from its first bytes; None when not Twitter API JSON.

    Tweets: ``v1``, ``v2`` (flattened), ``pages`` or ``stream``; companions: ``users``, ``lists``,
    ``counts`` (pages of those) or ``compliance``.
    """
    head = member.head_text(65536).lstrip()
    if not head.startswith(("{", "[")):
        return None
    page = PAGE.match(head)
    if page and '"id"' in head:
        return _page_flavour(member, page.group(1))
    if page and '"tweet_count"' in head:
        return "counts"
    if COMPLIANCE.match(head):
        return "compliance"
    if '"id_str"' in head and V1_TIME.search(head):
        return "v1"
    if '"author_id"' in head and V2_TIME.search(head) and any(key in head for key in V2_KEYS):
        return "v2"
    return None


def _page_flavour(member: Member, opening: str) -> str:
    """``pages`` or ``stream`` for tweets, else the companion the first record of the first line is."""
    record = _first_record(member)
    if record is None or "text" in record or "author_id" in record:
        return "stream" if opening == "{" else "pages"
    if "username" in record:
        return "users"
    if "owner_id" in record or "member_count" in record or "follower_count" in record:
        return "lists"
    if "tweet_count" in record:
        return "counts"
    return "stream" if opening == "{" else "pages"


def _first_record(member: Member) -> dict[str, Any] | None:
    """The first element of ``data`` in the first line, when that line is short enough to parse."""
    line = member.head(FIRST_LINE).split(b"\n", 1)[0]
    try:
        data = json.loads(line.decode(member.encoding(), errors="replace").lstrip("\ufeff")).get("data")
    except (ValueError, AttributeError, RecursionError):
        return None
    first = data[0] if isinstance(data, list) and data else data
    return first if isinstance(first, dict) else None


def _layout(member: Member) -> str:
    """``lines`` (JSON lines), ``array`` (a JSON array) or ``unstructured`` (pretty-printed objects)."""
    head = member.head_text(65536).lstrip()
    if head.startswith("["):
        return "array"
    first, newline, _ = head.partition("\n")
    return "unstructured" if newline and first.rstrip().endswith(("{", "[")) else "lines"


def _type(part: str) -> str:
    """The DuckDB type of one JSON value of this part, on one line, quoted for a SQL string."""
    return " ".join(TYPES[part].split()).replace("'", "''")


def _shape(member: Member, part: str, parsed: str) -> str:
    template = SHAPE_V1 if part == "v1" else SHAPE_V2
    sources = SOURCES[part].replace("{parsed}", parsed)
    return template.format(sources=sources, member=sql_string(member.name), not_languages=NOT_LANGUAGES)


def _numbered(member: Member, part: str, authors: Authors, scans: ByteScans) -> SqlQuery:
    """The member read by the store itself, one row per line on every core (:class:`Numbered`).

    The store writes the rows, then checks them against the byte pass: as many rows as lines means
    no line was blank (DuckDB passes over blank lines, and the numbers would drift). Then the edit
    chains are folded, the authors noted (their description and creation time ride in ``html`` and
    ``title``, which tweets leave empty) and unreadable lines explained. Otherwise the store drops
    the rows and the member is read line by line (:func:`_json_lines`).
    """
    path = member.local_path()
    parsed = NUMBERED_LINES.format(path=sql_string(str(path)), type=_type(part), max_line=MAX_LINE, unread=UNREAD)
    sql = (f"SELECT * EXCLUDE ({', '.join(AUTHOR_COLUMNS)}) REPLACE (author_description AS html, "
           f"strftime(author_created_at, '%Y-%m-%dT%H:%M:%S.%fZ') AS title) FROM ({_shape(member, part, parsed)})")

    def after(staged: Staged) -> bool:
        scans.wait()
        if not _explain_unread(staged, path):
            return False
        scans.chains.fold_staged(staged)
        authors.add_staged(staged)
        return True

    numbered = Numbered(expected=lambda: scans.lines_of(member), size=member.size, after=after,
                        scratch=("html", "title"))
    return SqlQuery(sql, {}, (member,), numbered=numbered, setup=TWEET_MACROS)


def _explain_unread(staged: Staged, path: Path) -> bool:
    """Give the lines DuckDB could not read as a tweet the reason the line-by-line reading gives; False
    when there are more than :data:`MAX_UNREAD` (the member is then read line by line).

    DuckDB reads a line that is JSON but not an object (an array, a number) as an object without
    fields, that is a tweet without id: those lines are looked at too.
    """
    marked = f"starts_with(post_id, chr(1)) AND text IN ({sql_string(UNREAD)}, {sql_string(NO_ID)})"
    unread = staged.select(f"SELECT record, text FROM staged WHERE {marked} ORDER BY record LIMIT {MAX_UNREAD + 1}")
    if unread.num_rows > MAX_UNREAD:
        return False
    given = dict(zip(unread.column("record").to_pylist(), unread.column("text").to_pylist(), strict=True))
    reasons: dict[str, list[int]] = {}
    for number, line in _lines_at(path, list(given)).items():
        reason = _why_unread(line, given[number])
        if reason != given[number]:
            reasons.setdefault(reason, []).append(number)
    for reason, records in reasons.items():
        staged.update("text = $reason", "list_contains($records, record)", {"reason": reason, "records": records})
    return True


def _why_unread(line: bytes, given: str) -> str:
    """Why a line is no tweet, in the words of :data:`SLOW_LINES` (``given``: an object without id stays so)."""
    try:
        value = json.loads(line)
    except ValueError:
        return "line is not valid JSON"
    return given if isinstance(value, dict) and given == NO_ID else "line is JSON but not a tweet object"


def _lines_at(path: Path, numbers: Sequence[int], chunk_size: int = 1 << 22) -> dict[int, bytes]:
    """The lines of a file at these numbers (1 for the first; at most :data:`MAX_LINE` bytes of each)."""
    wanted, found = sorted(set(numbers)), {}
    line, held, index = 1, b"", 0
    with open(path, "rb") as stream:
        while index < len(wanted) and (chunk := stream.read(chunk_size)):
            breaks = chunk.count(b"\n")
            if wanted[index] > line + breaks:
                line += breaks
                held = (held + chunk)[-MAX_LINE:] if not breaks else chunk[chunk.rfind(b"\n") + 1:]
                continue
            pieces = (held + chunk).split(b"\n")
            for offset, piece in enumerate(pieces[:-1]):
                if line + offset in found or line + offset not in wanted:
                    continue
                found[line + offset] = piece[:MAX_LINE]
            line += len(pieces) - 1
            held = pieces[-1][-MAX_LINE:]
            while index < len(wanted) and wanted[index] < line:
                index += 1
    if index < len(wanted) and wanted[index] == line:
        found[line] = held
    return found


def _json_lines(con: duckdb.DuckDBPyConnection, member: Member, part: str, ctx: ReadContext,
                authors: Authors, scans: ByteScans) -> Iterator[pa.RecordBatch]:
    """One pass over a JSON lines member: DuckDB's JSON reader first, text lines when it cannot.

    The JSON reader is the fast path, but it skips blank lines (line numbers would drift) and stops
    at the first bad line. Then the member is read as text lines, each parsed on its own, from the
    line after the last one already streamed, so bad lines become counted skips with their number.
    While the byte pass that looks for blank lines still runs (:class:`ByteScans`), the fast path
    reads ahead and holds its first batches; they are dropped, untouched, if a blank line is found.
    """
    path, progress = member.local_path(), Progress()
    lines = TEXT_LINES.format(path=sql_string(str(path)), max_line=MAX_LINE, buffer=2 * MAX_LINE)
    counted = part in NUMBERED_PARTS
    fast = (COUNTED_LINES if counted else FAST_LINES).format(path=sql_string(str(path)), type=_type(part),
                                                             max_line=MAX_LINE)
    ahead = scans.ahead(member) if scans.pending() else None
    if ahead is not None or not _has_blank_lines(con, member, lines, scans.blanks):
        try:
            yield from kept_batches(con, _shape(member, part, fast), ctx, {path: member}, None, AUTHOR_COLUMNS,
                                    authors.add, progress, ahead=ahead, counted=counted)
            return
        except NotClear:  # nothing was passed on: decide as if the byte pass had come first
            yield from _json_lines(con, member, part, ctx, authors, scans)
            return
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            if part in INCLUDED_PARTS and progress.rows:
                raise blame(exc, {path: member}) from None
    resume = progress.last if part not in INCLUDED_PARTS else 0
    slow = SLOW_LINES.format(lines=lines, structure=sql_string(json.dumps(" ".join(TYPES[part].split()))),
                             resume=resume)
    yield from checked_batches(con, _shape(member, part, slow), ctx, {path: member},
                               also=AUTHOR_COLUMNS, seen=authors.add)


BLANK_LINE = re.compile(rb"\n *\n")
"""A line that :data:`TEXT_LINES` reads as blank (empty or spaces only), after the first line of a text."""
BLANK_FIRST = re.compile(rb" *\n")


def _has_blank_lines(con: duckdb.DuckDBPyConnection, member: Member, lines: str,
                     blanks: Mapping[str, bool | None]) -> bool:
    """Whether :data:`TEXT_LINES` reads a blank line: a byte pass in Python (three times DuckDB's speed).

    ``blanks`` holds the answer when the pass over the member was already made (with the edit
    chains). A member with a carriage return is left to DuckDB itself: where its CSV reader
    breaks lines then depends on the line ending it detects first.
    """
    found = blanks[member.name] if member.name in blanks else _blank_line_scan(member.local_path())
    if found is None:
        row = con.execute(f"SELECT count(*) FROM {lines} WHERE line IS NULL OR trim(line) = ''").fetchall()[0]
        return bool(row and row[0])
    return found


def _blank_line_scan(path: Path, chunk_size: int = 1 << 22, chains: EditChains | None = None,
                     stop: threading.Event | None = None) -> bool | None:
    """True when a line is empty or spaces only, None at a carriage return or a line over
    :data:`MAX_LINE` (left to DuckDB, whose reader bounds it), else False.

    Each chunk is searched in place up to its last line feed; the rest (the start of a line) is
    held for the next one. With ``chains``, the same pass finds the edit chains (a record is one
    line) and reads the whole file; without, it stops at the first answer.
    """
    found: bool | None = False
    held = b""
    with open(path, "rb") as stream:
        while chunk := stream.read(chunk_size):
            if stop is not None and stop.is_set():
                return None
            if len(held) > MAX_LINE:
                if chains is not None:
                    chains.scan_path(path)
                return None
            cut = chunk.rfind(b"\n") + 1
            if chains is not None:
                _chains_in(chains, held, chunk, cut)
            if found is False:
                found = _blank_in(held, chunk, cut)
            if found is not False and chains is None:
                return found
            held = chunk[cut:] if cut else held + chunk
    if chains is not None:
        chains.find(held)
    if found is not False or b"\r" in held:
        return True if found else None
    return bool(held) and not held.strip(b" ")


def _count_lines(path: Path, chains: EditChains | None, stop: threading.Event, chunk_size: int = 1 << 22
                 ) -> int | None:
    """The lines of a file (a last one without a line feed counted), and with ``chains`` its edit chains.

    None when stopped. A line longer than :data:`MAX_LINE` leaves the chains to a pass of their own.
    """
    count, held, last, long_line = 0, b"", b"\n", False
    with open(path, "rb") as stream:
        while chunk := stream.read(chunk_size):
            if stop.is_set():
                return None
            count += chunk.count(b"\n")
            last = chunk[-1:]
            if chains is None or long_line:
                continue
            cut = chunk.rfind(b"\n") + 1
            _chains_in(chains, held, chunk, cut)
            held = chunk[cut:] if cut else held + chunk
            long_line = len(held) > MAX_LINE
    if chains is not None:
        if long_line:
            chains.scan_path(path)
        else:
            chains.find(held)
    return count + (last != b"\n")


def _blank_in(held: bytes, chunk: bytes, cut: int) -> bool | None:
    """Whether the lines that end in ``chunk[:cut]`` (the first one begun by ``held``) hold a blank one."""
    if b"\r" in chunk:
        return None
    if not cut:
        return False
    if not held.strip(b" ") and BLANK_FIRST.match(chunk, 0, cut):
        return True
    return BLANK_LINE.search(chunk, 0, cut) is not None


def _chains_in(chains: EditChains, held: bytes, chunk: bytes, cut: int) -> None:
    """The edit chains in the lines that end in ``chunk[:cut]``, the first one begun by ``held``."""
    first = chunk.find(b"\n", 0, cut) + 1
    if first:
        chains.find(held + chunk[:first])
        chains.find(chunk, first, cut)


class ByteScans:
    """The byte passes over the JSON lines members (:func:`_blank_line_scan`: blank lines, and edit
    chains in v2) and the edit chains of the other v2 members, on a thread of their own.

    They used to run before DuckDB started, on the same thread (1.3 CPU-seconds for 1 M tweets,
    mostly regular expressions); now DuckDB reads meanwhile (see :meth:`ahead`). The passes only
    read the members' files; :meth:`wait` raises what they raised.
    """

    def __init__(self, members: Sequence[Member], chains: EditChains) -> None:
        self.blanks: dict[str, bool | None] = {}
        self.lines: dict[str, int | None] = {}
        """Lines of the members the store reads itself (:func:`_numbered`), counted instead of searched
        (up to the rows the store numbers in one import, :func:`~._base.beyond_numbering`: the
        members beyond are searched for blank lines, which their careful reading needs)."""
        self.chains = chains
        self.error: BaseException | None = None
        self.stop = threading.Event()
        # Files are materialized here, on the reading thread: a zip member copied out by two threads
        # at once could be read half-written.
        work = [(m, m.local_path() if _layout(m) == "lines" else None, _flavour(m) in ("v2", "pages", "stream"))
                for m in members]
        self.thread = threading.Thread(target=self._run, args=(work, chains), name="parlons-byte-pass", daemon=True)
        self.thread.start()

    def _run(self, work: list[tuple[Member, Path | None, bool]], chains: EditChains) -> None:
        numbered = 0
        try:
            for member, path, edited in work:
                if self.stop.is_set():
                    return
                found = chains if edited else None
                counted = path is not None and PARTS.get(_flavour(member) or "", ("",))[0] in NUMBERED_PARTS
                numbered += member.size if counted else 0
                if counted and not beyond_numbering(numbered):
                    assert path is not None
                    self.lines[member.name] = _count_lines(path, found, self.stop)
                elif path is not None:  # the store will not number it: the careful way needs the blank lines
                    self.blanks[member.name] = _blank_line_scan(path, chains=found, stop=self.stop)
                elif edited:
                    chains.scan(member)
        except BaseException as exc:  # raised again on the reading thread by wait()
            self.error = exc

    def lines_of(self, member: Member) -> int | None:
        """How many lines the member has (None when unknown): waits for the passes."""
        self.wait()
        return self.lines.get(member.name)

    def pending(self) -> bool:
        return self.thread.is_alive()

    def wait(self) -> None:
        """Wait until every pass is done; raise what a pass raised."""
        self.thread.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def ahead(self, member: Member) -> Ahead:
        """DuckDB's fast path reads ahead while the passes run; it may go on when no blank line was found."""
        def clear() -> bool:
            self.wait()
            return self.blanks.get(member.name) is False
        return Ahead(self.pending, clear)

    def close(self) -> None:
        """Stop the passes (the import ended or failed) and wait for the thread."""
        self.stop.set()
        self.thread.join()


class Authors:
    """The authors seen in the rows read, first description of each, for ``ctx.account``."""

    def __init__(self) -> None:
        self.seen: dict[str, dict[str, Any]] = {}

    def add(self, batch: pa.RecordBatch) -> None:
        """Keep the first row of each author not seen yet (the batch's distinct authors looked up, not its rows)."""
        accounts = batch.column("account")
        new = [a for a in pc.unique(accounts).to_pylist() if a not in self.seen]
        if not new:
            return
        if self.seen:
            batch = batch.filter(pc.is_in(accounts, value_set=pa.array(new, pa.string())))
        table = pa.Table.from_batches([batch]).select(
            ["account", "account_id", "account_name", "source_member", *AUTHOR_COLUMNS])
        firsts = table.group_by("account", use_threads=False).aggregate(
            [(name, "first") for name in table.column_names if name != "account"])
        for row in firsts.to_pylist():
            if row["account"] not in self.seen:
                self.seen[row["account"]] = {k.removesuffix("_first"): v for k, v in row.items()}

    def add_staged(self, staged: Staged) -> None:
        """:meth:`add` for rows the store wrote: the first row of each author by line (the
        description in ``html``, the creation time in ``title``, put there by :func:`_numbered`)."""
        firsts = staged.select("""
            SELECT account, arg_min(account_id, record) AS account_id, arg_min(account_name, record) AS account_name,
                   arg_min(source_member, record) AS source_member,
                   arg_min(html, record) AS author_description,
                   arg_min(title, record)::TIMESTAMPTZ AS author_created_at
            FROM staged WHERE NOT starts_with(post_id, chr(1)) GROUP BY account ORDER BY min(record)""")
        for row in firsts.to_pylist():
            self.seen.setdefault(row["account"], row)

    def report(self, ctx: ReadContext, members: dict[str, Member]) -> None:
        for author in self.seen.values():
            ctx.account(members[author["source_member"]], platform="x", account=author["account"],
                        account_id=author["account_id"], display_name=author["account_name"],
                        description=author["author_description"] or None,
                        created_at=author["author_created_at"],
                        url=_profile_url(author["account"], author["account_id"]))


def _profile_url(account: str, account_id: str | None) -> str:
    """The profile's URL; by id for an author known only by it (``id:<author_id>``)."""
    if account.startswith("id:") and account_id:
        return f"https://x.com/i/user/{account_id}"
    return f"https://x.com/{account}"


IMPORTER = TwitterApiImporter()
