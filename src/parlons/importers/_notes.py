"""The whole text of an X archive's long posts, kept apart in ``data/note-tweet.js``.

A post longer than 280 characters (a "note tweet", X Premium) is in ``tweets.js`` cut short: its text ends
with ``…`` and a ``t.co`` link to the whole post, and its entities list only the part shown. The whole text,
with its own mentions, hashtags and links, is in ``note-tweet.js`` (``window.YTD.note_tweet.part0 = [...]``,
items ``{"noteTweet": {"noteTweetId", "createdAt", "core": {"text", "urls", "mentions", "hashtags"}}}``).
The note's id is not the post's, and nothing else names the post: a note is matched to the one post written
in the same second whose shown text (without the reply's leading mentions, the trailing ``t.co`` links and
``…``) begins the note's text. A note that matches no post this import wrote (the post was stored before, or
no single post fits) is left alone and counted.

The matching runs once the posts are written (a :class:`~._base.Revision`): the post's text becomes its
reply's leading mentions followed by the note's text, and the note's mentions, hashtags and links are added
to the post's. A file imported again writes no post, so nothing is matched again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from ..sources import Member
from ._base import ReadContext, Revision, Written
from ._duck import connect, sql_string, strip_js_wrapper

__all__ = ["NOTE_FILE", "note_revision"]

NOTE_FILE = re.compile(r"note-tweet(-part\d+)?\.js", re.IGNORECASE)
"""The files of the long posts' whole texts (not ``deleted-note-tweet.js``: those posts are deleted)."""
WRAPPER = re.compile(r"\s*window\.YTD\.note_tweet\.part\d+\s*=\s*", re.ASCII)

NOTE_TYPE = """STRUCT(noteTweetId VARCHAR, createdAt VARCHAR, core STRUCT("text" VARCHAR,
  urls STRUCT(expandedUrl VARCHAR)[], mentions STRUCT(screenName VARCHAR)[], hashtags STRUCT("text" VARCHAR)[]))"""

READ = """
SELECT noteTweet.noteTweetId AS note_id, try_cast(noteTweet.createdAt AS TIMESTAMPTZ) AS created,
  noteTweet.core."text" AS note_text,
  coalesce(list_filter(list_transform(noteTweet.core.urls, lambda u: u.expandedUrl), lambda u: u IS NOT NULL), [])
    AS note_urls,
  coalesce(list_filter(list_transform(noteTweet.core.mentions, lambda m: m.screenName), lambda m: m IS NOT NULL), [])
    AS note_mentions,
  coalesce(list_filter(list_transform(noteTweet.core.hashtags, lambda h: h."text"), lambda h: h IS NOT NULL), [])
    AS note_hashtags
FROM read_json({files}, format = 'array', columns = {{'noteTweet': '{note_type}'}}, maximum_object_size = 16777216)
WHERE noteTweet.core."text" <> '' AND try_cast(noteTweet.createdAt AS TIMESTAMPTZ) IS NOT NULL
"""

NOTES = "parlons_note_tweets"
TCO = "regexp_replace({}, 'https://t\\.co/\\w+', 'https://t.co/', 'g')"
"""Each ``t.co`` link without its code: the note and the post wrap the same link in different codes."""
SHOWN = TCO.format("regexp_replace(regexp_replace(regexp_replace(s.\"text\", '(\\s*https://t\\.co/\\w+)+\\s*$', ''), "
                   "'…$', ''), '^(@\\w+\\s+)+', '')")
"""The part of a post's text the note begins with: without its reply's leading mentions, its trailing ``t.co``
links and the ``…`` that marks the cut."""

MATCHES = f"""
SELECT * FROM (
  SELECT s.staged_row, s."text", s.mentions, s.hashtags, s.urls, n.*,
    count(*) OVER (PARTITION BY s.staged_row) AS notes, count(*) OVER (PARTITION BY n.note_id) AS posts
  FROM staged s JOIN {NOTES} n ON s.created_at = n.created
  WHERE s.kind <> 'repost' AND {SHOWN} <> '' AND starts_with({TCO.format('n.note_text')}, {SHOWN})
) WHERE notes = 1 AND posts = 1
"""


def _union(column: str) -> str:
    """The post's list, then the note's items it lacks, each once."""
    ours, theirs = f"coalesce(s.{column}, [])", f"s.note_{column}"
    return (f"{column} = list_concat({ours}, list_filter({theirs}, lambda x, i: NOT list_contains({ours}, x) "
            f"AND list_position({theirs}, x) = i))")


ASSIGNMENTS = (f"\"text\" = regexp_extract(s.\"text\", '^(@\\w+\\s+)*', 0) || s.note_text, "
               f"{_union('mentions')}, {_union('hashtags')}, {_union('urls')}")


def note_revision(notes: Sequence[Member], scratch: Path, ctx: ReadContext) -> Revision | None:
    """The revision that gives the archive's long posts their whole text, or None without notes."""
    table = read_notes(notes, scratch)
    if table.num_rows == 0:
        return None

    def apply(written: Written) -> None:
        written.register(NOTES, table)
        matched = written.update(ASSIGNMENTS, MATCHES)
        names = ", ".join(m.name for m in notes)
        left = table.num_rows - matched
        ctx.note(f"{names}: {matched} of {table.num_rows} long posts given their whole text"
                 + (f"; the other {left} match no post this import wrote (stored before, or not exactly one)"
                    if left else ""))

    return Revision(apply)


def read_notes(notes: Sequence[Member], scratch: Path) -> pa.Table:
    """The notes of the members (copies without their JavaScript prefix, read by DuckDB)."""
    paths = [strip_js_wrapper(member, WRAPPER, "`window.YTD.note_tweet.part0 = `",
                              scratch / f"note-tweet-{index}.json") for index, member in enumerate(notes)]
    con = connect()
    try:
        files = "[" + ", ".join(sql_string(str(p)) for p in paths) + "]"
        return con.sql(READ.format(files=files, note_type=NOTE_TYPE)).to_arrow_table()
    except duckdb.Error as exc:
        raise _not_json(exc, dict(zip(paths, notes, strict=True))) from None
    finally:
        con.close()
        for path in paths:
            path.unlink(missing_ok=True)


def _not_json(exc: duckdb.Error, copies: dict[Path, Member]) -> Exception:
    """The failure of DuckDB's read, on the member whose copy it names, the copy's path replaced by the member's."""
    message = str(exc).splitlines()[0]
    member = next((m for path, m in copies.items() if str(path) in message), next(iter(copies.values())))
    for path, named in copies.items():
        message = message.replace(f'"{path}"', named.name).replace(str(path), named.name)
    return member.error(f"the long posts' file is not the expected JSON ({message})")
