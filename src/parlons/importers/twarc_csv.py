"""Tweets as twarc-csv writes them (``twarc2 csv``): one CSV row per tweet, dotted column names.

twarc-csv turns twarc2's JSON (pages, stream or flattened) into a CSV that researchers share
more often than the JSON: columns ``id``, ``conversation_id``, ``referenced_tweets.replied_to.id``,
``referenced_tweets.retweeted.id``, ``referenced_tweets.quoted.id``, ``author_id``,
``in_reply_to_user_id``, ``in_reply_to_username``, ``retweeted_username``, ``created_at``, ``text``,
``lang``, ``source``, ``public_metrics.*_count``, ``edit_history_tweet_ids``, ``entities.*``,
``attachments.media``, ``author.username``, ``author.name``... (``--output-columns`` may keep
fewer). With its defaults, lists are JSON (``["@user"]``, ``["#tag"]``, expanded URLs), line
breaks in text are written ``\\n`` (two characters), and a retweet carries the retweeted tweet's
text and counts (``--merge-retweets``).

Vectorized in DuckDB like the other CSV readers: a first pass numbers the records and collects
the rows DuckDB rejects (:func:`~parlons.importers._duck.index_csv`), the second shapes the posts.
See ``docs/formats/twarc_csv.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence

import pyarrow as pa

from ..sources import Member
from ._base import Importer, ReadContext
from ._duck import (
    NOT_LANGUAGES,
    TWEET_MACROS,
    connect,
    csv_names,
    csv_scan,
    index_csv,
    long_csv_records,
    sql_name,
    sql_string,
    stream_checked,
    with_rejects,
)
from ._edits import EditChains

__all__ = ["IMPORTER", "TwarcCsvImporter"]

REQUIRED = ("id", "created_at", "text", "author_id")
MARKERS = ("referenced_tweets.replied_to.id", "author.username", "public_metrics.like_count",
           "edit_history_tweet_ids")
"""Columns only twarc-csv writes; one of them must be there with :data:`REQUIRED`."""
SHAPE = """
WITH t AS (
  SELECT r.*, l.line FROM (SELECT * FROM {scan} WHERE nullif(trim("id"), '') IS NOT NULL) AS r
  JOIN csv_lines l ON l.key = trim(r."id")
), people AS MATERIALIZED (
  SELECT trim(author_id) AS uid, min(nullif(trim(c_username), '')) AS uname FROM t
  WHERE nullif(trim(author_id), '') IS NOT NULL GROUP BY 1
), k AS (
  SELECT *, trim("id") AS tid, TRY_CAST(created_at AS TIMESTAMPTZ) AS created,
    nullif(trim(c_replied), '') AS rp, nullif(trim(c_retweeted), '') AS rt, nullif(trim(c_quoted), '') AS qt,
    coalesce(nullif(trim(c_username), ''), 'id:' || nullif(trim(author_id), '')) AS handle,
    json_list(c_media_keys) AS media_keys, json_media(c_media) AS media_types,
    (SELECT uname FROM people WHERE uid = trim(c_reply_user)) AS reply_known,
    (SELECT uname FROM people WHERE uid = trim(c_rt_user)) AS rt_known,
    replace(replace(replace(replace(coalesce("text", ''), '\\n', chr(10)), '&lt;', '<'), '&gt;', '>'),
            '&amp;', '&') AS body
  FROM t
)
SELECT
  'x' AS platform, tid AS post_id, handle AS account, nullif(trim(author_id), '') AS account_id,
  nullif(c_name, '') AS account_name, created AS created_at, body AS "text", NULL AS html, NULL AS title,
  CASE WHEN c_lang NOT IN {not_languages} THEN nullif(c_lang, '') END AS lang,
  CASE WHEN rt IS NOT NULL THEN 'repost' WHEN rp IS NOT NULL THEN 'reply'
       WHEN qt IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  rp AS in_reply_to_id, CASE WHEN rp IS NOT NULL OR nullif(c_reply_user, '') IS NOT NULL
    THEN coalesce(nullif(c_reply_name, ''), reply_known,
                  nullif(regexp_extract(body, '^\\s*@(\\w{{1,15}})', 1), '')) END
    AS in_reply_to_account,
  nullif(trim(c_reply_user), '') AS in_reply_to_account_id, nullif(trim(c_conversation), '') AS conversation_id,
  rt AS repost_of_id,
  CASE WHEN rt IS NOT NULL THEN coalesce(nullif(c_rt_name, ''), rt_known) END AS repost_of_account,
  CASE WHEN rt IS NULL THEN qt END AS quote_of_id,
  coalesce(list_distinct_ordered(list_transform(json_list(c_mentions), lambda m: ltrim(m, '@'))), [])
    AS mentions,
  coalesce(list_transform(json_list(c_hashtags), lambda h: ltrim(h, '#')), []) AS hashtags,
  coalesce(list_filter(json_list(c_urls), lambda u: regexp_matches(u, '^https?://')
    AND NOT regexp_matches(u, '^https?://(www\\.)?(twitter|x)\\.com/\\w+/status/\\d+/(photo|video)/')), []) AS urls,
  CASE WHEN {media_known} THEN coalesce(len(media_keys), len(media_types), 0) END AS media_count,
  CASE WHEN NOT {media_known} THEN NULL WHEN media_keys IS NOT NULL THEN list_transform(media_keys,
      lambda k, i: CASE WHEN media_types[i] IS NOT NULL THEN media_kind(media_types[i]) ELSE key_kind(k) END)
    ELSE coalesce(list_transform(media_types, lambda m: media_kind(m)), []) END AS media_kinds,
  client_name(c_source) AS "source",
  CASE WHEN rt IS NULL THEN TRY_CAST(TRY_CAST(c_likes AS DOUBLE) AS BIGINT) END AS like_count,
  CASE WHEN rt IS NULL THEN TRY_CAST(TRY_CAST(c_retweets AS DOUBLE) AS BIGINT) END AS repost_count,
  CASE WHEN rt IS NULL THEN TRY_CAST(TRY_CAST(c_replies AS DOUBLE) AS BIGINT) END AS reply_count,
  CASE WHEN rt IS NULL THEN TRY_CAST(TRY_CAST(c_quotes AS DOUBLE) AS BIGINT) END AS quote_count,
  'https://x.com/' || CASE WHEN starts_with(handle, 'id:') THEN 'i/web' ELSE handle END || '/status/' || tid
    AS permalink,
  {member} AS source_member, line::VARCHAR AS source_record,
  CASE WHEN handle IS NULL THEN 'missing author_id' WHEN created IS NULL THEN 'unreadable created_at' END
    AS problem
FROM k
"""

CHAINS = """SELECT DISTINCT h FROM (SELECT json_list("edit_history_tweet_ids") AS h
  FROM {scan}) WHERE len(h) > 1"""
"""Edit chains (two versions or more), folded into one post each as in ``twitter_api.md``."""

MACROS = (
    "CREATE OR REPLACE TEMP MACRO json_list(x) AS "
    "CASE WHEN starts_with(trim(x), '[') THEN try(from_json(x, '[\"VARCHAR\"]')) END",
    "CREATE OR REPLACE TEMP MACRO json_media(x) AS CASE WHEN starts_with(trim(x), '[') THEN "
    "list_transform(try(from_json(x, '[{\"type\": \"VARCHAR\"}]')), lambda m: m.\"type\") END",
    "CREATE OR REPLACE TEMP MACRO key_kind(k) AS CASE split_part(k, '_', 1) WHEN '3' THEN 'image' "
    "WHEN '7' THEN 'video' WHEN '16' THEN 'gif' ELSE 'other' END",
)
"""``key_kind``: a media key's prefix tells the kind (3 photo, 7 video, 16 animated GIF) when
twarc-csv wrote the media objects empty (``[{}]``, for a retweet's media)."""
ALIASES = {
    "c_replied": "referenced_tweets.replied_to.id", "c_retweeted": "referenced_tweets.retweeted.id",
    "c_quoted": "referenced_tweets.quoted.id", "c_username": "author.username", "c_name": "author.name",
    "c_lang": "lang", "c_reply_user": "in_reply_to_user_id", "c_reply_name": "in_reply_to_username",
    "c_conversation": "conversation_id", "c_rt_name": "retweeted_username", "c_rt_user": "retweeted_user_id",
    "c_mentions": "entities.mentions",
    "c_hashtags": "entities.hashtags", "c_urls": "entities.urls", "c_media_keys": "attachments.media_keys",
    "c_media": "attachments.media", "c_source": "source", "c_likes": "public_metrics.like_count",
    "c_retweets": "public_metrics.retweet_count", "c_replies": "public_metrics.reply_count",
    "c_quotes": "public_metrics.quote_count",
}
"""Short names for the columns the shaping reads; a column the file lacks is NULL."""


class TwarcCsvImporter(Importer):
    name = "twarc-csv"
    platform = "x"
    description = "Tweets as twarc-csv writes them (twarc2 csv): dotted column names, one tweet a row"
    example = "tweets.csv (twarc2 csv tweets.jsonl tweets.csv)"

    def detect(self, member: Member) -> bool:
        names = set(_header(member))
        return set(REQUIRED) <= names and any(m in names for m in MARKERS)

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        for member in members:
            con = connect()
            for macro in (*TWEET_MACROS, *MACROS):
                con.execute(macro)
            read, columns = csv_scan(member)
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                raise member.error(f"the header lacks the twarc-csv columns {', '.join(missing)}", 1)
            long = long_csv_records(member.local_path())
            for line, reason in index_csv(con, 0, read, columns, 2, ', trim("id") AS key', long):
                ctx.skip(member, line, reason)
            con.execute("CREATE TEMP TABLE csv_lines AS SELECT key, min(line) AS line FROM csv_index "
                        "WHERE nullif(key, '') IS NOT NULL GROUP BY key")
            edits = EditChains()
            if "edit_history_tweet_ids" in columns:
                for (chain,) in con.execute(CHAINS.format(scan=_tolerant(read, "chains"))).fetchall():
                    edits.add(tuple(chain))
            yield from edits.fold(stream_checked(con, _shape(member, read, columns), member, ctx))
            yield from edits.rows(ctx)
            con.close()


def _header(member: Member) -> list[str]:
    first = member.head_text(8192).splitlines()[:1]
    try:
        return csv_names([n.strip() for n in next(csv.reader(first), [])])
    except csv.Error:
        return []


def _tolerant(read: str, name: str) -> str:
    """``read`` passing over the rows DuckDB rejects (counted by the first pass) to the rows after them."""
    return with_rejects(read, f"{name}_rejects", f"{name}_scans")


def _shape(member: Member, read: str, columns: list[str]) -> str:
    aliases = ", ".join(f"{sql_name(column) if column in columns else 'NULL::VARCHAR'} AS {alias}"
                        for alias, column in ALIASES.items())
    scan = f"(SELECT *, {aliases} FROM {_tolerant(read, 'shape')})"
    known = "attachments.media_keys" in columns or "attachments.media" in columns
    return SHAPE.format(scan=scan, member=sql_string(member.name), not_languages=NOT_LANGUAGES,
                        media_known=str(known).upper())


IMPORTER = TwarcCsvImporter()
