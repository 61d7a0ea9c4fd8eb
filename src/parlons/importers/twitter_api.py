"""Twitter API JSON as researchers collect it: v1.1 tweets, and v2 tweets as written by twarc2.

Shapes read (one kind per file, decided from its first bytes):

- **v1.1** tweet objects (``id_str``, ``user.screen_name``, ``full_text``/``text``/
  ``extended_tweet.full_text``, ``retweeted_status``, ``quoted_status_id_str``, ``in_reply_to_*``,
  ``entities``, ``extended_entities``, ``source`` as HTML, counts): one object per file, a JSON
  array of them, or JSON lines (twarc 1, the streaming API); a ``user`` trimmed to its id
  (``trim_user``) gives the handle ``id:<user.id_str>``; objects without text (lists, users) are skips;
- **v1.1 search responses** (``search/tweets`` saved as it came, whole or one a line):
  ``{"statuses": [...], "search_metadata": ...}``, the tweets of ``statuses`` read as above;
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..sources import Member
from ._base import Importer, ReadContext, Revision
from ._duck import (
    NOT_LANGUAGES,
    TWEET_MACROS,
    Progress,
    blame,
    checked_batches,
    connect,
    kept_batches,
    sql_string,
)
from ._edits import EditChains
from ._lines import LineMap

__all__ = ["IMPORTER", "TwitterApiImporter"]

V1_TIME = re.compile(r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d [+-]\d{4} \d{4}"')
V2_TIME = re.compile(r'"created_at"\s*:\s*"\d{4}-\d\d-\d\dT\d\d:\d\d')
V2_KEYS = ('"conversation_id"', '"edit_history_tweet_ids"', '"__twarc"', '"public_metrics"',
           '"referenced_tweets"')
PAGE = re.compile(r'\s*\{\s*"data"\s*:\s*([\[{])')
SEARCH = re.compile(r'\s*\{\s*"(statuses|search_metadata)"\s*:')
"""A v1.1 search response (``search/tweets``), saved as it came: ``{"statuses": [...], "search_metadata": ...}``."""
ERRORS_ONLY = re.compile(r'\s*\{\s*"errors"\s*:\s*\[')
"""A v2 response line with ``errors`` and no ``data``: twarc2 writes one for a batch of ids none of which
could be had (``hydrate``, ``tweet``), or a stream's error message. Detection looks past such lines."""
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
  referenced_tweets STRUCT("type" VARCHAR, id VARCHAR, author_id VARCHAR, author {USER_V2},
                           edit_history_tweet_ids VARCHAR[])[],
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
PAGE_KEYS = "STRUCT(data STRUCT(id VARCHAR)[], includes STRUCT(tweets STRUCT(id VARCHAR)[]))"
STREAM_KEYS = PAGE_KEYS.replace("data STRUCT(id VARCHAR)[]", "data STRUCT(id VARCHAR)")

TEXT_LINES = ("read_csv({path}, columns = {{'line': 'VARCHAR'}}, delim = '\x01', quote = '', escape = '', "
              "header = false, auto_detect = false, strict_mode = false, max_line_size = {max_line}, "
              "buffer_size = {buffer}{new_line})")
"""The member as text lines, blank ones included (as NULL), so that ``row_number()`` is the line number.
A member whose first line ends in a carriage return and a line feed says so (``new_line``): else the
CSV reader takes a blank line of such a file for several."""

SLOW_LINES = """
SELECT rn::VARCHAR AS record, CASE WHEN is_object THEN j END AS j,
  CASE WHEN j IS NULL OR NOT is_object THEN CASE WHEN json_valid(line) THEN 'line is JSON but not a tweet object'
                                                 ELSE 'line is not valid JSON' END END AS bad
FROM (
  SELECT rn, line, try(from_json(line, {structure})) AS j, starts_with(ltrim(line, ' \t\r'), '{{') AS is_object
  FROM (SELECT row_number() OVER () AS rn, line FROM {lines})
  WHERE rn > {resume} AND trim(line, ' \t\r') <> '')
"""
"""The rest of a member after a bad line, line by line: blank lines (whitespace only, as for DuckDB's JSON
reader) are passed over, each other line is a tweet or a skip with its reason."""

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
of :func:`~._duck.kept_batches`), so that DuckDB reads on every core (``row_number()`` would put the
whole read on one thread)."""

COUNTED_PARTS = ("v1", "v2", "stream")
"""The parts that give one row per line: numbered by counting (:data:`COUNTED_LINES`)."""

DOCUMENT = """
SELECT (row_number() OVER () - 1)::VARCHAR AS record, j, NULL::VARCHAR AS bad
FROM read_json({path}, format = '{layout}', records = false, columns = {{'j': '{type}'}},
               maximum_object_size = {max_line})
"""

KEPT = """WITH keys AS NOT MATERIALIZED ({keys}),
  firsts AS MATERIALIZED (
    SELECT tweet_key(id) AS k, min(place) AS place
    FROM (SELECT record::BIGINT * 16777216 + unnest(range(len(j.includes.tweets))) AS place,
                 unnest(j.includes.tweets).id AS id FROM keys)
    GROUP BY k),
  own AS (SELECT tweet_key({own}) AS k FROM keys)
SELECT place FROM firsts ANTI JOIN (SELECT k FROM own SEMI JOIN firsts USING (k)) USING (k)"""
"""The tweets of ``includes`` to import: those not in ``data``, each from the first page that holds it
(``place``: record times 2^24 plus the place in the page's list, which a line of 16 MB cannot reach).
Found in a read of the ids alone (``keys``), by a hash aggregate of the included ids and a pass of
the own ids against it: memory in proportion to the distinct included tweets, not to the file. Run
before the pages are read, in a DuckDB of its own, closed after (:func:`_keep`): what it took goes
back to the system, and the passes over the pages start from as little as before. 10 M tweets of
pages with 2.5 M included ids: 19-24 s and 550 MB at most (the process's), where joining whole
tweets, as before, ran out of memory."""
OWN = {"included": "unnest(list_transform(j.data, lambda d: d.id))", "stream_included": "j.data.id"}
"""Per pass over the tweets of ``includes``, the collected ids of a record."""

INCLUDED_TWEETS = """
  SELECT i.record, NULL::VARCHAR AS bad, i.t, i.inc
  FROM (SELECT record, j.includes AS inc, unnest(j.includes.tweets) AS t,
               record::BIGINT * 16777216 + unnest(range(len(j.includes.tweets))) AS place FROM parsed) AS i
  SEMI JOIN kept USING (place)"""
"""The tweets of ``includes`` whose place is in ``kept`` (:data:`KEPT`, an Arrow table, the build side)."""

SOURCES = {
    "v1": "parsed AS ({parsed}), tweets AS (SELECT record, bad, j AS t FROM parsed)",
    "search": f"""parsed AS ({{parsed}}), tweets AS (
      SELECT record, bad, unnest(CASE WHEN j IS NULL THEN [NULL::{TWEET_V1}] ELSE coalesce(j.statuses, []) END) AS t
      FROM parsed)""",
    "v2": f"parsed AS ({{parsed}}), tweets AS (SELECT record, bad, j AS t, NULL::{INCLUDES} AS inc FROM parsed)",
    "pages": f"""parsed AS ({{parsed}}), tweets AS (
      SELECT record, bad, j.includes AS inc,
        unnest(CASE WHEN j IS NULL THEN [NULL::{TWEET_V2}] ELSE coalesce(j.data, []) END) AS t
      FROM parsed)""",
    "included": f"parsed AS ({{parsed}}), tweets AS ({INCLUDED_TWEETS})",
    "stream": "parsed AS ({parsed}), tweets AS (SELECT record, bad, j.includes AS inc, j.data AS t FROM parsed)",
    "stream_included": f"parsed AS ({{parsed}}), tweets AS ({INCLUDED_TWEETS})",
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
    t.retweeted_status.id_str AS rt_id, coalesce(t."user".id_str, t."user".id) AS uid,
    coalesce(t."user".screen_name, 'id:' || uid) AS handle,
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
  'x' AS platform, tid AS post_id, handle AS account, uid AS account_id, t."user"."name" AS account_name,
  created AS created_at,
  replace(replace(replace(body, '&lt;', '<'), '&gt;', '>'), '&amp;', '&') AS "text",
  NULL AS html, NULL AS title, CASE WHEN t.lang NOT IN {not_languages} THEN t.lang END AS lang,
  CASE WHEN rt_id IS NOT NULL THEN 'repost' WHEN t.in_reply_to_status_id_str IS NOT NULL THEN 'reply'
       WHEN quoted_id IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  t.in_reply_to_status_id_str AS in_reply_to_id, t.in_reply_to_screen_name AS in_reply_to_account,
  t.in_reply_to_user_id_str AS in_reply_to_account_id, NULL AS conversation_id,
  rt_id AS repost_of_id,
  CASE WHEN rt_id IS NOT NULL THEN coalesce(t.retweeted_status."user".screen_name,
    nullif(regexp_extract(body, '^RT @(\\w+):', 1), '')) END AS repost_of_account,
  CASE WHEN rt_id IS NULL THEN quoted_id END AS quote_of_id,
  coalesce(list_distinct_ordered(list_transform(ents.user_mentions, lambda m: m.screen_name)), [])
    AS mentions,
  coalesce(list_transform(ents.hashtags, lambda h: h."text"), []) AS hashtags,
  coalesce(list_filter(list_transform(ents.urls, lambda u: u.expanded_url), lambda u: u IS NOT NULL
    AND NOT regexp_matches(u, '^https?://(www\\.|mobile\\.)?(twitter|x)\\.com/i/web/status/')), []) AS urls,
  len(media) AS media_count, list_transform(media, lambda m: media_kind(m."type")) AS media_kinds,
  client_name(t."source") AS "source",
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.favorite_count AS BIGINT) END AS like_count,
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.retweet_count AS BIGINT) END AS repost_count,
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.reply_count AS BIGINT) END AS reply_count,
  CASE WHEN rt_id IS NULL THEN TRY_CAST(t.quote_count AS BIGINT) END AS quote_count,
  'https://x.com/' || CASE WHEN t."user".screen_name IS NULL THEN 'i/web' ELSE handle END || '/status/' || tid
    AS permalink,
  {member} AS source_member, record AS source_record,
  t."user".description AS author_description,
  try_strptime(t."user".created_at, '%a %b %d %H:%M:%S %z %Y') AS author_created_at,
  NULL::VARCHAR[][] AS edits,
  CASE WHEN bad IS NOT NULL THEN bad WHEN tid IS NULL THEN 'not a tweet (no id)'
       WHEN coalesce(t.extended_tweet.full_text, t.full_text, t."text") IS NULL THEN 'not a tweet (no text)'
       WHEN handle IS NULL THEN 'tweet without user (no user.screen_name or user.id_str)'
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
  CASE WHEN rt.id IS NOT NULL THEN coalesce(rt.author.username, find_user(inc.users, rt_user_id).username,
    nullif(regexp_extract(body, '^RT @(\\w+):', 1), '')) END AS repost_of_account,
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
  CASE WHEN len(t.edit_history_tweet_ids) > 1
         OR list_bool_or(list_transform(t.referenced_tweets, lambda x: len(x.edit_history_tweet_ids) > 1))
    THEN list_filter(list_prepend(t.edit_history_tweet_ids, list_transform(coalesce(t.referenced_tweets, []),
                                                                           lambda x: x.edit_history_tweet_ids)),
                     lambda c: len(c) > 1) END AS edits,
  CASE WHEN bad IS NOT NULL THEN bad WHEN t.id IS NULL THEN 'not a tweet (no id)'
       WHEN au.username IS NULL AND t.author_id IS NULL AND au.id IS NULL
         THEN 'author unknown (no author, author_id or includes.users entry)'
       WHEN created IS NULL THEN 'unreadable created_at' END AS skip_reason
FROM r
"""

AUTHOR_COLUMNS = ("author_description", "author_created_at")
ALSO = (*AUTHOR_COLUMNS, "edits")
"""The columns beside the canonical ones that the shaping queries give: the author's, and the edit chains
the row names (its own and its referenced tweets', of two versions or more)."""


class TwitterApiImporter(Importer):
    name = "twitter-api"
    platform = "x"
    description = "Twitter API JSON: v1.1 tweets (object, array, JSON lines), v2 from twarc2 (flat or pages)"
    example = "tweets.jsonl (twarc), search-results.jsonl (twarc2), flat.jsonl (twarc2 flatten)"

    def detect(self, member: Member) -> bool:
        return _flavour(member) in PARTS

    def companion(self, member: Member) -> bool:
        return _flavour(member) in COMPANIONS

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | Revision]:
        authors, edits = Authors(), EditChains()

        def seen(batch: pa.RecordBatch) -> None:
            authors.add(batch)
            edits.note(batch.column("edits"))

        yield from self._batches(members, ctx, seen)
        if edits.first:  # the versions of edited tweets, written as they came: folded now
            yield Revision(edits.fold_written)
        yield from edits.rows(ctx)
        authors.report(ctx, {m.name: m for m in members})

    def _batches(self, members: Sequence[Member], ctx: ReadContext, seen: Callable[[pa.RecordBatch], None]
                 ) -> Iterator[pa.RecordBatch]:
        """The rows of each member; ``seen`` sees the rows kept with the :data:`ALSO` columns."""
        con = _connection(members[0])
        for member in members:
            flavour = _flavour(member)
            if flavour not in PARTS:
                raise member.error("is not Twitter API JSON (v1.1 tweets, or v2 tweets from twarc2)")
            layout, path = _layout(member), member.local_path()
            try:
                if layout == "lines":
                    yield from _member_lines(con, member, PARTS[flavour], ctx, seen)
                    continue
                parsed = partial(_read, DOCUMENT, path=sql_string(str(path)), layout=layout, max_line=MAX_LINE)
                for part in PARTS[flavour]:
                    if part in KEYS:
                        con.register("kept", _keep(member, part, parsed))
                    yield from checked_batches(con, _shape(member, part, parsed), ctx, {path: member}, also=ALSO,
                                               seen=seen)
            finally:
                with suppress(duckdb.Error):
                    con.unregister("kept")


PARTS = {"v1": ("v1",), "search": ("search",), "v2": ("v2",), "pages": ("pages", "included"),
         "stream": ("stream", "stream_included")}
"""The shaping passes per flavour: pages are shaped twice, for ``data`` then for ``includes.tweets``
(whose ids are read twice before either, :data:`KEPT`)."""
TYPES = {"v1": TWEET_V1, "search": f"STRUCT(statuses {TWEET_V1}[])", "v2": TWEET_V2, "pages": PAGE_DATA,
         "included": PAGE_INCLUDED, "stream": STREAM_DATA, "stream_included": STREAM_INCLUDED}
COMPANIONS = ("users", "lists", "counts", "compliance")
"""Flavours of twarc output that hold no posts."""
KEEP_ORDER_OPTIMIZERS = "in_clause,build_side_probe_side"
"""DuckDB's optimizers the importer's connections go without (``_duck.KEEP_ORDER``, and see :func:`_connection`)."""
KEYS = {"included": PAGE_KEYS, "stream_included": STREAM_KEYS}
"""The passes over the tweets of ``includes``, and the type of their narrow read of ids (:data:`KEPT`)."""
TWEET_KEY = """CREATE OR REPLACE TEMP MACRO tweet_key(id) AS
  CASE WHEN TRY_CAST(id AS UBIGINT)::VARCHAR = id AND TRY_CAST(id AS UBIGINT) < 9223372036854775808
       THEN TRY_CAST(id AS UBIGINT) WHEN id IS NOT NULL THEN hash(id) | 9223372036854775808 END"""
"""A tweet id as an 8-byte number: itself when it is one below 2^63 (every real id), else its hash with
the top bit set (ids of other shapes can then only be taken for one another, by a hash collision); NULL
for none, which matches nothing."""


def _connection(member: Member) -> duckdb.DuckDBPyConnection:
    """A DuckDB of the importer's own; its joins build their hash table on the side written on the right.

    DuckDB takes a file read by ``read_json`` for a few dozen rows and would build on it (every
    included tweet, whole) rather than on the ids kept: :data:`KEPT` and :data:`INCLUDED_TWEETS` are
    written with the small side on the right."""
    con = connect()
    con.execute(f"SET disabled_optimizers = {sql_string(KEEP_ORDER_OPTIMIZERS)}")
    con.execute(f"SET temp_directory = {sql_string(str(member.source.scratch()))}")
    for macro in (*TWEET_MACROS, TWEET_KEY):
        con.execute(macro)
    return con


def _flavour(member: Member) -> str | None:
    """What the member holds, from its first bytes; None when not Twitter API JSON.

    Tweets: ``v1``, ``search`` (v1.1 search responses), ``v2`` (flattened), ``pages`` or ``stream``;
    companions: ``users``, ``lists``, ``counts`` (pages of those) or ``compliance``.
    """
    head = _past_errors(member.head_text(65536).lstrip())
    if not head.startswith(("{", "[")):
        return None
    page = PAGE.match(head)
    if page and '"id"' in head:
        return _page_flavour(member, page.group(1))
    if page and '"tweet_count"' in head:
        return "counts"
    if COMPLIANCE.match(head):
        return "compliance"
    if SEARCH.match(head):
        return "search"
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


def _past_errors(head: str) -> str:
    """``head`` from its first line that is not an errors-only response (:data:`ERRORS_ONLY`), if any."""
    rest = head
    while ERRORS_ONLY.match(rest) and "\n" in rest:
        rest = rest.split("\n", 1)[1].lstrip()
    return rest if rest.startswith(("{", "[")) else head


def _first_record(member: Member) -> dict[str, Any] | None:
    """The first element of ``data`` in the first line (past errors-only lines), when short enough to parse."""
    text = member.head(FIRST_LINE).decode(member.encoding(), errors="replace").lstrip("\ufeff")
    line = _past_errors(text.lstrip()).split("\n", 1)[0]
    try:
        data = json.loads(line).get("data")
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


def _quoted(kind: str) -> str:
    """A DuckDB type on one line, quoted for a SQL string."""
    return " ".join(kind.split()).replace("'", "''")


def _read(template: str, kind: str, **values: object) -> str:
    """``template`` filled in to read the member as DuckDB type ``kind``."""
    return template.format(type=_quoted(kind), **values)


def _read_lines(lines: str, resume: int, kind: str) -> str:
    """:data:`SLOW_LINES` over ``lines`` (text lines) to read them as DuckDB type ``kind``."""
    return SLOW_LINES.format(lines=lines, structure=sql_string(json.dumps(" ".join(kind.split()))), resume=resume)


def _shape(member: Member, part: str, parsed: Callable[[str], str]) -> str:
    """The shaping query of one pass; ``parsed`` gives the query that reads the member as a type."""
    template = SHAPE_V1 if part in ("v1", "search") else SHAPE_V2
    sources = SOURCES[part].replace("{parsed}", parsed(TYPES[part]))
    return template.format(sources=sources, member=sql_string(member.name), not_languages=NOT_LANGUAGES)


def _member_lines(con: duckdb.DuckDBPyConnection, member: Member, parts: Sequence[str], ctx: ReadContext,
                  seen: Callable[[pa.RecordBatch], None]) -> Iterator[pa.RecordBatch]:
    """The passes over a JSON lines member. The tweets of ``includes`` to import are chosen first
    (:data:`KEPT`), by the reader that can: DuckDB's JSON reader, else text lines."""
    lines, kept = LineMap(member.local_path()), None
    try:
        for part in parts:
            if part in KEYS:
                kept = _keep_lines(con, member, part)
        for part in parts:
            with _threads(con, 1 if part in KEYS else None):
                yield from _json_lines(con, member, part, ctx, seen, lines, kept)
    finally:
        lines.close()


@contextmanager
def _threads(con: duckdb.DuckDBPyConnection, threads: int | None) -> Iterator[None]:
    """DuckDB's threads are ``threads`` within the block (unless None), and set back after.

    The pass over included tweets runs on one: it numbers the pages with ``row_number()``, one thread
    anyway, while a second one only parses pages ahead. A re-import of 10 M tweets of pages, whose
    lookup of stored keys holds 80 MB then, peaked at 652 MB in that pass on two threads, 549 on one,
    in about the same time (16-17 s)."""
    if threads is None:
        yield
        return
    before = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute(f"SET threads = {int(threads)}")
    try:
        yield
    finally:
        with suppress(duckdb.Error):
            con.execute(f"SET threads = {int(before)}")


def _keep_lines(con: duckdb.DuckDBPyConnection, member: Member, part: str) -> str:
    """``kept`` for a JSON lines member (:func:`_keep`): ``fast`` by the JSON reader, else ``slow`` by
    text lines."""
    try:
        con.register("kept", _keep(member, part, _fast(member, part), blamed=False))
        return "fast"
    except (duckdb.Error, OSError):
        con.register("kept", _keep(member, part, _slow(member, 0), whole=True))
        return "slow"


def _keep(member: Member, part: str, parsed: Callable[[str], str], *, blamed: bool = True,
          whole: bool = False) -> pa.Table:
    """The places of the tweets of ``includes`` that this member gives (:data:`KEPT`), found by a
    DuckDB of their own, closed after.

    The ids are read alone, or, ``whole``, with the whole tweets as the pass over them reads them:
    read line by line, a page whose tweets cannot be read gives none, and its ids must not count."""
    con = _connection(member)
    try:
        return con.sql(KEPT.format(keys=parsed(TYPES[part] if whole else KEYS[part]), own=OWN[part])).to_arrow_table()
    except (duckdb.Error, OSError) as exc:
        if not blamed:
            raise
        raise blame(exc, {member.local_path(): member}) from None
    finally:
        con.close()


def _fast(member: Member, part: str) -> Callable[[str], str]:
    """The JSON reader over a JSON lines member (:data:`COUNTED_LINES` or :data:`FAST_LINES`)."""
    template = COUNTED_LINES if part in COUNTED_PARTS else FAST_LINES
    return partial(_read, template, path=sql_string(str(member.local_path())), max_line=MAX_LINE)


def _slow(member: Member, resume: int) -> Callable[[str], str]:
    """The member's text lines after line ``resume``, each parsed on its own (:data:`SLOW_LINES`)."""
    crlf = member.head(FIRST_LINE).split(b"\n", 1)[0].endswith(b"\r")
    lines_sql = TEXT_LINES.format(path=sql_string(str(member.local_path())), max_line=MAX_LINE,
                                  buffer=2 * MAX_LINE, new_line=", new_line = '\\r\\n'" if crlf else "")
    return partial(_read_lines, lines_sql, resume)


def _json_lines(con: duckdb.DuckDBPyConnection, member: Member, part: str, ctx: ReadContext,
                seen: Callable[[pa.RecordBatch], None], lines: LineMap, kept: str | None
                ) -> Iterator[pa.RecordBatch]:
    """One pass over a JSON lines member: DuckDB's JSON reader first, text lines when it cannot.

    The JSON reader is the fast path: it reads on every core and keeps the order of the lines, so
    rows are numbered by counting them (one tweet per line) or by ``row_number()`` (pages); ``lines``
    turns those places into line numbers, since the reader passes over blank lines. It stops at the
    first bad line: then the member is read as text lines, each parsed on its own, from the line
    after the last one already streamed, so bad lines become counted skips with their number. The
    tweets of ``includes`` are matched to ``kept`` by their record, so both are read the same way
    (``kept`` tells which way the table was made: it is made again the other way if need be).
    """
    path, progress = member.local_path(), Progress()
    if not (part in KEYS and kept == "slow"):
        try:
            yield from kept_batches(con, _shape(member, part, _fast(member, part)), ctx, {path: member}, None, ALSO,
                                    seen, progress, counted=part in COUNTED_PARTS, lines=lines.lines)
            return
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            if part in KEYS and progress.rows:
                raise blame(exc, {path: member}) from None
    if part in KEYS and kept == "fast":
        con.register("kept", _keep(member, part, _slow(member, 0), whole=True))
    slow = _slow(member, progress.last if part not in KEYS else 0)
    yield from checked_batches(con, _shape(member, part, slow), ctx, {path: member}, also=ALSO, seen=seen)


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
