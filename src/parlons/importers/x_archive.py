"""X/Twitter account archive (2019 onwards): ``data/tweets.js`` or ``data/tweet.js``, and ``community-tweet.js``.

Each file starts ``window.YTD.tweets.part0 = [`` and holds ``{"tweet": {...}}`` items in the
v1.1 shape (numbers written as strings in recent archives); big archives are split into
``tweets-part1.js``, ... The owner comes from ``account.js``. Parsing and shaping run in DuckDB.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson
import pyarrow as pa

from ..normalize import parse_time
from ..sources import Member
from ._base import Importer, ReadContext, Revision, SqlQuery
from ._common import text_or_none
from ._duck import member_case, sql_string, strip_js_wrapper
from ._notes import NOTE_FILE, note_revision

__all__ = ["IMPORTER", "XArchiveImporter"]

TWEETS = re.compile(r"\s*window\.YTD\.(tweets?|community_tweet)\.part\d+\s*=\s*", re.ASCII)
"""The owner's tweets, and those posted in X Communities (``community-tweet.js``, the same items, not in
``tweets.js``: a real archive of 2026 held three there)."""
ANY_YTD = re.compile(r"\s*window\.(YTD\.[\w-]+\.part\d+|__THAR_CONFIG)\s*=")
ACCOUNT = re.compile(r"\s*window\.YTD\.account\.part\d+\s*=\s*")

TWEET_TYPE = """STRUCT(
  id_str VARCHAR, created_at VARCHAR, full_text VARCHAR, "text" VARCHAR, "source" VARCHAR,
  lang VARCHAR, in_reply_to_status_id_str VARCHAR, in_reply_to_user_id_str VARCHAR,
  in_reply_to_screen_name VARCHAR, quoted_status_id_str VARCHAR,
  retweet_count VARCHAR, favorite_count VARCHAR,
  entities STRUCT(
    user_mentions STRUCT(screen_name VARCHAR, id_str VARCHAR)[],
    hashtags STRUCT("text" VARCHAR)[],
    urls STRUCT(expanded_url VARCHAR)[],
    media STRUCT("type" VARCHAR)[]),
  extended_entities STRUCT(media STRUCT("type" VARCHAR)[])
)"""

SHAPE = """
WITH t AS (
  SELECT tweet.*, {member} AS source_member FROM read_json(
    {files}, format = 'array', columns = {{'tweet': '{tweet_type}'}},
    filename = true, maximum_object_size = 16777216)
), linked AS (
  SELECT *,
    coalesce(full_text, "text", '') AS body,
    regexp_extract(coalesce(full_text, "text", ''), '^RT @(\\w+):', 1) AS rt_user,
    list_filter(list_transform(entities.urls, lambda u: u.expanded_url), lambda u: u IS NOT NULL
      AND NOT regexp_matches(u, '^https?://(www\\.|mobile\\.)?(twitter|x)\\.com/\\w+/status/\\d+/(photo|video)/'))
      AS links,
    CASE WHEN strpos("source", '>') > 0 THEN substr("source", strpos("source", '>') + 1) ELSE '' END AS after_tag
  FROM t
), k AS (
  SELECT *,
    coalesce(list_filter(list_transform(list_filter(links,
      lambda u: regexp_full_match(u, 'https?://(www\\.|mobile\\.)?(twitter|x)\\.com/\\w+/status(es)?/\\d+.*')),
      lambda u: regexp_extract(u, '/status(?:es)?/(\\d+)', 1)), lambda q: q <> id_str)[-1], '') AS quoted_from_url
  FROM linked
)
SELECT
  'x' AS platform, id_str AS post_id, $account AS account, $account_id AS account_id,
  $account_name AS account_name,
  try_strptime(created_at, '%a %b %d %H:%M:%S %z %Y') AS created_at,
  CASE WHEN contains(body, '&') THEN replace(replace(replace(body, '&lt;', '<'), '&gt;', '>'), '&amp;', '&')
       ELSE body END AS "text",
  NULL AS html, NULL AS title, CASE WHEN lang IN ('und', 'zxx') OR lang LIKE 'q%' THEN NULL ELSE lang END AS lang,
  CASE WHEN rt_user <> '' THEN 'repost'
       WHEN in_reply_to_status_id_str IS NOT NULL THEN 'reply'
       WHEN coalesce(quoted_status_id_str, nullif(quoted_from_url, '')) IS NOT NULL THEN 'quote'
       ELSE 'original' END AS kind,
  in_reply_to_status_id_str AS in_reply_to_id,
  in_reply_to_screen_name AS in_reply_to_account,
  in_reply_to_user_id_str AS in_reply_to_account_id,
  NULL AS conversation_id,
  NULL AS repost_of_id,
  nullif(rt_user, '') AS repost_of_account,
  CASE WHEN rt_user = '' THEN coalesce(quoted_status_id_str, nullif(quoted_from_url, '')) END
    AS quote_of_id,
  list_filter(list_transform(entities.user_mentions, lambda m: m.screen_name),
    lambda m, i: list_position(list_transform(entities.user_mentions, lambda u: u.screen_name), m) = i)
    AS mentions,
  list_transform(entities.hashtags, lambda h: h."text") AS hashtags,
  links AS urls,
  len(coalesce(extended_entities.media, entities.media, [])) AS media_count,
  list_transform(coalesce(extended_entities.media, entities.media, []),
    lambda m: CASE m."type" WHEN 'photo' THEN 'image' WHEN 'animated_gif' THEN 'gif'
                      WHEN 'video' THEN 'video' ELSE 'other' END) AS media_kinds,
  CASE WHEN "source" LIKE '%<%' THEN nullif(left(after_tag, greatest(strpos(after_tag, '<') - 1, 0)), '')
       ELSE nullif("source", '') END AS "source",
  CASE WHEN rt_user = '' THEN TRY_CAST(favorite_count AS BIGINT) END AS like_count,
  CASE WHEN rt_user = '' THEN TRY_CAST(retweet_count AS BIGINT) END AS repost_count,
  NULL AS reply_count, NULL AS quote_count,
  'https://x.com/' || $account || '/status/' || id_str AS permalink,
  source_member, id_str AS source_record
FROM k
"""


class XArchiveImporter(Importer):
    name = "x-archive"
    platform = "x"
    description = "X/Twitter account archive (2019+): tweets.js / tweet.js, multi-part, account.js"
    example = "twitter-2024-01-01-abc.zip, data/tweets.js, data/tweets-part1.js"

    def detect(self, member: Member) -> bool:
        return member.name.endswith(".js") and TWEETS.match(member.head_text(200)) is not None

    def companion(self, member: Member) -> bool:
        return member.name.endswith(".js") and ANY_YTD.match(member.head_text(200)) is not None

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery | Revision]:
        """Queries over :data:`PARTS_AT_ONCE` parts at a time, in order, each part read from a copy
        without its JavaScript prefix.

        DuckDB reads each file of a query on a thread of its own. The copies take turns in as many
        scratch files, each renamed for its part and written over in place (:func:`_slot`,
        :func:`strip_js_wrapper`): the store has run a query before the next parts are copied, so that
        an archive of many parts touches the memory of the first ones only (new memory costs most on
        a virtual machine, see ``docs/performance.md``).
        """
        owner: dict[str, str | None] = {}
        scratch = members[0].source.scratch()
        slots: list[Path] = []
        for first in range(0, len(members), PARTS_AT_ONCE):
            parts = members[first:first + PARTS_AT_ONCE]
            paths = {strip_js_wrapper(member, TWEETS, "`window.YTD.tweets.part0 = `",
                                      _slot(slots, slot, scratch / f"x-archive-part{first + slot}.json")): member
                     for slot, member in enumerate(parts)}
            owner = owner or self._owner(members[0], ctx)  # once the first part's wrapper is known
            files = "[" + ", ".join(sql_string(str(p)) for p in paths) + "]"
            sql = SHAPE.format(member=member_case(paths), files=files, tweet_type=TWEET_TYPE)
            yield SqlQuery(sql, owner, tuple(parts), paths=paths, reread=True, order_free=True)
        notes = [m for m in members[0].source.members if NOTE_FILE.fullmatch(m.basename)]
        if notes and (revision := note_revision(notes, scratch, ctx)) is not None:
            yield revision

    def _owner(self, member: Member, ctx: ReadContext) -> dict[str, str | None]:
        account = member.source.find("account.js")
        if account is None:
            manifest = member.source.find("manifest.js")
            if manifest is None or ctx.options.account or (found := _manifest_owner(manifest)) is None:
                return self._owner_from_options(member, ctx)
            ctx.note(f"account.js is missing; owner taken from {manifest.name}: {found['account']}")
            ctx.account(manifest, platform="x", account=found["account"], account_id=found["account_id"],
                        display_name=found["account_name"], is_owner=True, url=f"https://x.com/{found['account']}")
            return found
        data = _parse_account(account)
        owner = {"account": data.get("username"), "account_id": data.get("accountId"),
                 "account_name": data.get("accountDisplayName")}
        if not owner["account"]:
            raise account.error("account.js has no `username`")
        ctx.account(account, platform="x", account=owner["account"],
                    account_id=owner["account_id"], display_name=owner["account_name"],
                    created_at=parse_time(data.get("createdAt")), is_owner=True,
                    url=f"https://x.com/{owner['account']}")
        return owner

    def _owner_from_options(self, member: Member, ctx: ReadContext) -> dict[str, str | None]:
        if not ctx.options.account:
            raise member.error("account.js is missing, so the archive's owner is unknown; "
                               "import the whole archive (folder or zip) or give --account")
        ctx.note(f"owner taken from --account: {ctx.options.account}")
        return {"account": ctx.options.account.lstrip("@"), "account_id": None,
                "account_name": None}


MANIFEST = re.compile(r"\s*window\.__THAR_CONFIG\s*=\s*", re.ASCII)


def _manifest_owner(member: Member) -> dict[str, str | None] | None:
    """The owner in ``manifest.js`` (``userInfo``: ``userName``, ``accountId``, ``displayName``), which archives
    shared without ``account.js`` (it holds the e-mail address and the phone number) often keep; None when it
    does not name one."""
    text = member.read_text()
    match = MANIFEST.match(text)
    if match is None:
        return None
    try:
        info = orjson.loads(text[match.end():].strip().rstrip(";")).get("userInfo") or {}
    except (orjson.JSONDecodeError, AttributeError):
        return None
    name = info.get("userName") if isinstance(info, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    return {"account": name.strip().lstrip("@"), "account_id": text_or_none(info.get("accountId")),
            "account_name": text_or_none(info.get("displayName"))}


def _parse_account(member: Member) -> dict[str, str]:
    text = member.read_text()
    match = ACCOUNT.match(text)
    if match is None:
        raise member.error("expected `window.YTD.account.part0 = ` at the start of account.js")
    try:
        items = orjson.loads(text[match.end():].strip().rstrip(";"))
        return dict(items[0]["account"])
    except (orjson.JSONDecodeError, LookupError, TypeError, ValueError) as exc:
        raise member.error(f"account.js is not the expected JSON ({exc})") from None



def _slot(slots: list[Path], slot: int, path: Path) -> Path:
    """``path`` for the copy of slot ``slot``: the slot's file of the query before, renamed (its pages go
    with it, and each part has a name of its own as DuckDB reads it), else a new one."""
    if slot < len(slots):
        os.replace(slots[slot], path)
        slots[slot] = path
    else:
        slots.append(path)
    return path


PARTS_AT_ONCE = max(os.cpu_count() or 1, 2)
"""How many parts one query reads: one a core, and at least two. One part a query took a 1 M archive
(two parts) from 5.6 to 6.6 s on two cores (and 9.3 to 6.8 CPU-seconds: the second copy went into the
first's pages)."""

IMPORTER = XArchiveImporter()
