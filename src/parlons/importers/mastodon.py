"""Mastodon account archive (a folder or zip): ``outbox.json`` with ``actor.json`` beside it.

``outbox.json`` is an ActivityStreams ``OrderedCollection`` whose ``orderedItems`` are the
owner's activities: ``Create`` (its ``object`` is the status, a ``Note`` with HTML ``content``,
``contentMap``, ``published``, ``url``, ``inReplyTo``, ``tag`` mentions and hashtags,
``attachment``, ``to``/``cc`` addressing) and ``Announce`` (a boost; its ``object`` is the URL of
the boosted status). ``actor.json`` describes the owner. ``likes.json``, ``bookmarks.json``,
``avatar.*``, ``header.*`` and ``media_attachments/`` are known companions without posts.

The outbox of a big account runs to a gigabyte, written by Mastodon as one line of compact JSON
with ``orderedItems`` last. One pass over the bytes, on a thread of its own, cuts that array
between activities into JSON lines in scratch parts of 256 MB (regular expressions, edits in
place, no JSON parsing in Python); a private DuckDB reads each part on every core while the next
is cut (a part read is written over by the next but one), does everything else in SQL, HTML to
text included, and streams Arrow batches with a ``problem`` column: the reason to skip a record, counted in Python.
Rows are numbered by counting them (a line is an activity). An outbox laid out otherwise
(indented, keys reordered, unexpected values) makes DuckDB refuse a line; it is then streamed
with ijson into lines, and reading resumes after the last activity read.
Memory stays bounded whatever the size. Nesting is not measured on the cut path: DuckDB's reader
parses without recursion (two million levels in 0.2 s), and a value nested where a status has a
structure fails its typed read, which sends the outbox to ijson, whose stream refuses it. Direct
messages (addressed neither to the public nor to the followers) are private conversations, not
public posts: they are skipped and counted.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import tempfile
import threading
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import duckdb
import ijson
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..normalize import QUOTE_FALLBACK, handle, html_to_text, parse_time
from ..sources import Member, Source
from ._base import ROW_SCHEMA, Importer, ReadContext
from ._common import text_or_none
from ._duck import connect, sql_string
from ._json import MAX_NESTING, TooDeep, stream_items

__all__ = ["IMPORTER", "MastodonImporter", "html_text_sql"]

OUTBOX_ITEMS = re.compile(r'"orderedItems"\s*:\s*\[\s*([{\]])')
ACTIVITY_TYPE = re.compile(r'"type"\s*:\s*"(Create|Announce)"')
OUTBOX_ACTOR = re.compile(r'"actor"\s*:\s*"(https://[^"/]+/[^"]*)"')
JSON_COMPANIONS = frozenset({"actor.json", "likes.json", "bookmarks.json", "followers.json", "following.json"})
"""The JSON files beside an outbox without posts; Pleroma and Akkoma backups add ``followers.json`` and
``following.json`` (collections of actor URIs)."""
IMAGE_COMPANIONS = frozenset({"avatar", "header"})

ITEMS_START = re.compile(rb'"orderedItems"\s*:\s*\[\s*')
ITEMS_AGAIN = re.compile(rb'\]\s*,\s*(?="orderedItems"\s*:\s*\[)')
"""After an empty ``orderedItems``, the same key again: a real archive, exported from a Mastodon server in
July 2024, holds ``"orderedItems":[],"orderedItems":[…]`` with its 1,586 activities in the second array. JSON
readers that keep the last value of a key read them there, and ijson streams both arrays."""
ITEMS_END = re.compile(rb"\}\s*\]\s*\}\s*\Z")
ITEM_CUT = re.compile(rb'\},\s*\{(?="id"\s*:\s*"[^"\\]{0,4096}"\s*,\s*"type"\s*:\s*"(Create|Announce)")')
"""Between two activities: ``},{`` followed by an activity's ``"id":"…","type":"Create"``.

A quote inside a JSON string is always escaped, so this cannot match inside a string; a match
inside a nested structure leaves a line with unclosed brackets, which DuckDB refuses.
"""
SORTED_CUT = re.compile(rb'"type":"(Create|Announce)"\},\n\{')
"""Between two activities of a Pleroma or Akkoma backup: one activity a line, its keys in alphabetical
order, so its ``type`` last. The type is the activity's before the cut."""
SORTED_END = re.compile(rb'"type":"(Create|Announce)"\}\n\]\s*,\s*"totalItems"\s*:\s*[0-9]+\s*\}\s*\Z')
"""After the last activity of a Pleroma or Akkoma backup: ``totalItems`` follows the items."""
ITEM_HEAD = re.compile(rb'\{"id"\s*:\s*"[^"\\]{0,4096}"\s*,\s*"type"\s*:\s*"(Create|Announce)"')
"""The start of the first activity, with its type."""
BOOSTED_URL = re.compile(rb'"object"(?=\s*:\s*")')
"""A boost's ``object`` (the URL of the boosted status), renamed ``objUri`` (as long, so the bytes are
edited in place): DuckDB's reader takes ``object`` as the status (a STRUCT), and an object or a string
cannot share one column."""
CHUNK = 1 << 20
PART = 1 << 28
"""The size of a part of the cut outbox (256 MB): DuckDB reads each part on every core while the next is cut.
Each part costs a query and its start, but the two files the parts take turns in are new memory of the file
cache (see :class:`_PartWriter`), which costs most on a virtual machine: at 1 M statuses (1.75 GB), written
over in place, parts of 512 MB took 18.3 s and 29.8 CPU-seconds (median of 4), of 256 MB 14.2-17.4 s and
24.2-27.9, of 128 MB 14.0 s and 23.3 (two runs of ``benchmarks/ab_import.py``, a noisy machine). At 10 M
statuses 128 MB would make 140 queries; 256 MB is the middle."""
FIRST_PART = 1 << 26
"""The size of the first part (64 MB, or :data:`PART` if smaller): DuckDB starts reading after a fraction
of a second of cutting instead of a second or two, during which the second core had nothing to do."""
ROWS_PER_BATCH = 50_000
"""Bigger batches than BATCH_ROWS: the store stages them faster, and they stay small (about 50 MB)."""
LONGEST_ITEM = 1 << 24
"""The longest activity read (16 MB; a status is a few kilobytes). DuckDB's JSON reader holds buffers in
proportion to it: at 64 MB an import of 1 M statuses peaked at twice the memory."""


def _ijson() -> Any:
    """ijson's C backend (yajl2_c) when it is installed, else ijson's default."""
    try:
        return ijson.get_backend("yajl2_c")
    except ImportError:
        return ijson


IJSON = _ijson()

# --- SQL -----------------------------------------------------------------------------------

# DuckDB's reader is strict: a text column takes any value (other values as their JSON text),
# but ``object``, ``contentMap`` must be objects and ``tag``, ``attachment`` lists of objects, as
# Mastodon writes them. A boost's URL is moved to ``objUri`` (see ``_cut_items``); anything
# else makes the reader fail, and the outbox is then parsed with ijson (see ``_line``).
COLUMNS = """{'id': 'VARCHAR', 'type': 'VARCHAR', 'actor': 'VARCHAR', 'published': 'VARCHAR',
  'objUri': 'VARCHAR', 'object': 'STRUCT(id VARCHAR, "type" VARCHAR, published VARCHAR, "to" VARCHAR,
    cc VARCHAR, url VARCHAR, inReplyTo VARCHAR, conversation VARCHAR, content VARCHAR,
    contentMap MAP(VARCHAR, VARCHAR), attachment STRUCT(mediaType VARCHAR)[],
    tag STRUCT("type" VARCHAR, name VARCHAR, href VARCHAR)[], quote VARCHAR, quoteUri VARCHAR,
    _misskey_quote VARCHAR)'}"""
PUBLIC = r'(^|")(https://www\.w3\.org/ns/activitystreams#Public|as:Public|Public|[^"]*/followers)("|$)'
STATUS_URI = r"^https?://([^/?#]+)/users/([^/?#]+)/statuses/[^/?#]+"
ACTOR_OF_STATUS = r"^(https?://[^/?#]+(?:/ap)?/users/[^/?#]+)/statuses/[^/?#]+"
"""The author's actor URI in a status URI, of the classic form (``/users/name/statuses/id``) or the
newer one (``/ap/users/<numeric id>/statuses/id``, Mastodon 4.4+), where the URI names no handle."""
STATUS_URL = r"^https?://([^/?#]+)/@([^/?#@]+)/[^/?#]+$"
URL_HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?([^:/?#]*)"


def _text_or_null(x: str) -> str:
    """A JSON string value, else NULL (DuckDB gives other JSON values as their JSON text)."""
    return f"CASE WHEN {x} <> '' AND NOT starts_with({x}, '{{') AND NOT starts_with({x}, '[') THEN {x} END"


def _public(addressed: str) -> str:
    """Whether the JSON text of ``to`` or ``cc`` names the public or the followers (:data:`PUBLIC`).

    The public's URI in quotes, as Mastodon writes it, is found without the regular expression.
    """
    return (f"CASE WHEN contains({addressed}, '\"https://www.w3.org/ns/activitystreams#Public\"') THEN true "
            f"ELSE regexp_matches(coalesce({addressed}, ''), '{PUBLIC}') END")


def _host(url: str) -> str:
    """The lower-case host of a URL, else NULL."""
    return f"nullif(lower(regexp_extract({url}, '{URL_HOST}', 1)), '')"


def _handle(raw: str, instance: str) -> str:
    """``normalize.handle('mastodon', raw, instance=instance)`` in SQL."""
    value = f"trim({raw})"
    name = f"ltrim({value}, '@')"
    after = f"CASE WHEN strpos({name}, '@') > 0 THEN substr({name}, strpos({name}, '@') + 1) END"
    path = f"rtrim(regexp_extract({value}, '^[^:]*://[^/?#]*([^?#]*)', 1), '/')"
    from_url = f"'@' || ltrim(regexp_extract({path}, '[^/]*$'), '@') || '@' || coalesce({_host(value)}, '')"
    host = f"lower(coalesce(nullif({after}, ''), {instance}))"
    from_name = f"'@' || split_part({name}, '@', 1) || coalesce('@' || nullif({host}, ''), '')"
    return (f"CASE WHEN {value} = '' THEN NULL WHEN starts_with({value}, 'http://') "
            f"OR starts_with({value}, 'https://') THEN {from_url} ELSE {from_name} END")


def _is_status(uri: str) -> str:
    """Whether ``uri`` has the shape of a Mastodon status URI or URL."""
    return f"(regexp_matches({uri}, '{STATUS_URI}') OR regexp_matches({uri}, '{STATUS_URL}'))"


def _author_of(uri: str) -> str:
    """``@name@host`` from a Mastodon status URI (``/users/name/statuses/id``) or URL (``/@name/id``)."""
    def at(pattern: str) -> str:
        return (f"'@' || regexp_extract({uri}, '{pattern}', 2) || '@' "
                f"|| lower(regexp_extract({uri}, '{pattern}', 1))")
    return (f"CASE WHEN regexp_matches({uri}, '{STATUS_URI}') THEN {at(STATUS_URI)} "
            f"WHEN regexp_matches({uri}, '{STATUS_URL}') THEN {at(STATUS_URL)} END")


def _unique(items: str) -> str:
    """The list without NULLs, empty strings and repeats, in order."""
    return (f"CASE WHEN len({items}) > 0 THEN list_filter({items}, lambda x, i: x IS NOT NULL AND x <> '' "
            f"AND list_position({items}, x) = i) ELSE []::VARCHAR[] END")


def _activities(files: Sequence[Path]) -> str:
    """The activities of the JSON lines, with their post id, author, time and any reason to skip them."""
    return f"""
WITH activities AS (
  SELECT "type" AS activity_type, nullif(id, '') AS activity, {_text_or_null('actor')} AS actor,
    nullif(published, '') AS published,
    CASE WHEN "type" = 'Create' THEN "object" END AS s,
    CASE WHEN "type" = 'Announce' THEN coalesce(objUri, "object".id) END AS target
  FROM read_json([{', '.join(sql_string(str(f)) for f in files)}], format = 'newline_delimited', columns = {COLUMNS},
                 maximum_object_size = {LONGEST_ITEM})
), identified AS (
  SELECT *,
    CASE WHEN activity_type = 'Announce'
      THEN CASE WHEN suffix(activity, '/activity') THEN left(activity, length(activity) - 9) ELSE activity END
      ELSE nullif(s.id, '') END AS post_id,
    coalesce(CAST($account AS VARCHAR), {_handle('actor', 'NULL')}) AS account,
    try_cast(coalesce(nullif(s.published, ''), published) AS TIMESTAMPTZ) AS created_at
  FROM activities
), classified AS (
  SELECT *, CASE
    WHEN activity_type IS NULL OR activity_type NOT IN ('Create', 'Announce')
      THEN 'activity of type ' || coalesce('''' || activity_type || '''', 'None') || ' is not a post'
    WHEN activity_type = 'Create' AND NOT coalesce(s."type" IN ('Note', 'Question', 'Article', 'Page'), false)
      THEN 'Create activity without an embedded status'
    WHEN activity_type = 'Create'
      AND NOT ({_public('s."to"')} OR {_public('s.cc')})
      THEN 'direct message, not public'
    WHEN activity_type = 'Announce' AND (target IS NULL OR activity IS NULL)
      THEN 'boost without the boosted status''s URL'
    WHEN post_id IS NULL OR account IS NULL OR created_at IS NULL
      THEN 'missing ' || concat_ws(', ', CASE WHEN post_id IS NULL THEN 'post_id' END,
        CASE WHEN account IS NULL THEN 'account' END, CASE WHEN created_at IS NULL THEN 'created_at' END)
    END AS problem
  FROM identified
)"""


# HTML to text, step by step as normalize.html_to_text does it, each step skipped when the text
# cannot need it (a regular expression replacement costs a microsecond even when nothing
# matches). The literal forms Mastodon writes (``<p>``, ``</p>``, ``<br />``) are replaced as
# plain strings; other spellings go through the same regular expressions as html_to_text.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
"""What Python's ``str.strip()`` removes."""
SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
NL, NL2 = "chr(10)", "chr(10) || chr(10)"
MORE_MARKUP = (r"(?i)<br\s*/?>|</(?:p|div|li|blockquote|h[1-6]|pre|tr)\s*>|<!--"
               r"|<(?:script|style|template)(?:[\s/][^>]*)?>")
BREAK = r"(?i)<br\s*/?>"
BLOCK_END = r"(?i)</(?:p|div|li|blockquote|h[1-6]|pre|tr)\s*>"
DROPPED = (r"(?is)<!--.*?(?:-->|$)|<script(?:[\s/][^>]*)?>.*?(?:</script\s*>|$)"
           r"|<style(?:[\s/][^>]*)?>.*?(?:</style\s*>|$)|<template(?:[\s/][^>]*)?>.*?(?:</template\s*>|$)")
TAG = r"<(?:/?[A-Za-z]|[!?/])[^>]*(?:>|$)"
ENTITY = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);"
NAMED = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&apos;", "'"), ("&nbsp;", "\xa0"))
C1 = {i: bytes([i]).decode("cp1252") for i in range(0x80, 0xA0) if i not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
"""HTML decodes ``&#128;`` to ``&#159;`` as Windows-1252 (``&#150;`` is an en dash)."""


def _code_point(n: str) -> str:
    """The character of a numeric character reference, as HTML decodes it."""
    c1 = " ".join(f"WHEN {i} THEN {sql_string(c)}" for i, c in C1.items())
    return (f"CASE WHEN {n} IS NULL OR {n} = 0 OR {n} > 1114111 OR {n} BETWEEN 55296 AND 57343 "
            f"THEN chr(65533) WHEN {n} BETWEEN 128 AND 159 THEN coalesce(CASE {n} {c1} END, "
            f"chr({n}::INTEGER)) ELSE chr({n}::INTEGER) END")


def _entities(t: str) -> str:
    """All character references of ``t`` decoded in one pass (numeric ones included)."""
    e = "p[2]"
    number = (f"CASE WHEN {e}[3] IN ('x', 'X') THEN try_cast('0x' || {e}[4:-2] AS BIGINT) "
              f"ELSE try_cast({e}[3:-2] AS BIGINT) END")
    named = " ".join(f"WHEN {sql_string(k)} THEN {sql_string(c)}" for k, c in (("&amp;", "&"), *NAMED))
    decoded = f"CASE WHEN {e} IS NULL THEN '' ELSE CASE {e} {named} ELSE {_code_point(number)} END END"
    return (f"array_to_string(list_transform(list_zip(regexp_split_to_array({t}, '{ENTITY}'), "
            f"regexp_extract_all({t}, '{ENTITY}')), lambda p: p[1] || {decoded}), '')")


def _named(t: str) -> str:
    """The named references Mastodon writes (and ``&#39;``) replaced, ``&amp;`` excepted."""
    for entity, char in NAMED:
        t = f"replace({t}, {sql_string(entity)}, {sql_string(char)})"
    return t


TEXT_STEPS = (
    ("h1", f"replace(CASE WHEN contains(content, chr(13)) THEN replace(replace(content, chr(13) || chr(10), "
           f"{NL}), chr(13), {NL}) ELSE content END, '</p><p>', {NL2})"),
    # A last </p> ends the text: its blank line would be stripped anyway.
    ("h2", f"CASE WHEN strpos(h1, '</p>') IN (0, length(h1) - 3) THEN replace(replace(h1, '</p>', ''), '<p>', '') "
           f"ELSE replace(replace(h1, '</p>', {NL2}), '<p>', '') END"),
    ("h3", f"CASE WHEN contains(h2, '<br') THEN replace(replace(replace(h2, '<br />', {NL}), '<br>', {NL}), "
           f"'<br/>', {NL}) ELSE h2 END"),
    ("h4", f"CASE WHEN regexp_matches(h3, '{MORE_MARKUP}') THEN regexp_replace(regexp_replace(regexp_replace("
           f"h3, '{BREAK}', {NL}, 'g'), '{BLOCK_END}', {NL2}, 'g'), '{DROPPED}', '', 'g') ELSE h3 END"),
    ("h5", f"CASE WHEN contains(h4, '<') THEN regexp_replace(h4, '{TAG}', '', 'g') ELSE h4 END"),
    ("h6", f"CASE WHEN contains(h5, '&') THEN {_named('h5')} ELSE h5 END"),
    ("h7", f"CASE WHEN h6 IS NULL OR NOT contains(h6, '&') THEN h6 "
           f"WHEN NOT contains(h6, '&#') THEN replace(h6, '&amp;', '&') ELSE {_entities('h6')} END"),
    ("h8", f"CASE WHEN contains(h7, chr(10) || chr(10) || chr(10)) THEN regexp_replace(h7, '\\n{{3,}}', {NL2}, 'g') "
           f"ELSE h7 END"),
    ("body", f"coalesce(CASE WHEN regexp_matches(h8, '^{SPACE}') OR regexp_matches(h8, '{SPACE}$') "
             f"THEN trim(h8, {sql_string(WHITESPACE)}) ELSE h8 END, '')"),
)


def html_text_sql(source: str) -> str:
    """CTEs adding ``body`` (the plain text of the HTML column ``content``) to the rows of ``source``.

    Ends with a CTE named ``texts``; ``WITH`` is left to the caller.
    """
    steps, previous = [], source
    for index, (column, expression) in enumerate(TEXT_STEPS):
        name = "texts" if index == len(TEXT_STEPS) - 1 else f"text_{column}"
        steps.append(f"{name} AS (SELECT *, {expression} AS {column} FROM {previous})")
        previous = name
    return ",\n".join(steps)


ANCHOR = r"(?i)<a\s[^>]*>"
HREF = r'(?i)\shref\s*=\s*"([^"]*)"'
NOT_A_LINK = r'(?i)\s(?:class\s*=\s*"[^"]*\b(?:mention|hashtag)\b|rel\s*=\s*"[^"]*\btag\b)'


def _parent_author() -> str:
    """The replied-to author: from the parent's URI, else a guess among the mentions.

    The parent's actor URI (``parent_actor``, classic or newer form) is the owner's: the owner; a
    mention's ``href``: that mention; a classic status URI or URL names its author. Else the guess
    prefers a mention on the parent's host, then the one written first in the text (Mastodon puts the
    parent's author first when composing a reply). The mention of the parent's actor is looked for
    once, and only in a reply whose parent names an actor.
    """
    mention = _handle("coalesce(nullif(t.name, ''), t.href)", _host("t.href"))
    mentioned = (f"CASE WHEN parent_actor IS NOT NULL AND tags IS NOT NULL THEN list_transform(list_filter(tags, "
                 f"lambda t: t.\"type\" = 'Mention' AND t.href = parent_actor), lambda t: {mention})[1] END")
    name = "ltrim(m, '@')"
    host = f"CASE WHEN strpos({name}, '@') > 0 THEN substr({name}, strpos({name}, '@') + 1) ELSE '' END"
    rank = (f"{{'far': {host} <> coalesce({_host('reply_to')}, ''), "
            f"'at': coalesce(nullif(strpos(body, '@' || split_part({name}, '@', 1)), 0), 2147483647), "
            f"'i': i, 'm': m}}")
    return (f"CASE WHEN reply_to IS NULL THEN NULL "
            f"WHEN parent_actor = coalesce(CAST($account_id AS VARCHAR), actor) THEN account "
            f"ELSE coalesce({mentioned}, CASE WHEN {_is_status('reply_to')} THEN {_author_of('reply_to')} "
            f"WHEN len(mentions) > 0 THEN list_sort(list_transform(mentions, lambda m, i: {rank}))[1].m END) END")


def _booster_of(newer: bool) -> str:
    """The boosted author: named by a classic URI or URL; for a newer-form URI (``/ap/users/<number>``),
    the owner when the actor is the owner's, else the handle of a mention of that actor in the archive
    (the macro :data:`ACTORS`: see :func:`_actors_macro`)."""
    actor = f"regexp_extract(target, '{ACTOR_OF_STATUS}', 1)"
    return (f"coalesce({_author_of('target')}, CASE WHEN {actor} = coalesce(CAST($account_id AS VARCHAR), actor) "
            f"THEN account END{f', {ACTORS}({actor})' if newer else ''})")


@dataclass(frozen=True)
class Layout:
    """How an outbox's activities are laid out, as far as the cut is concerned.

    Mastodon writes them on one line, each starting with its ``id`` and ``type`` (so a cut names the type
    of the activity after it); Pleroma and Akkoma one a line, ``type`` last (a cut names the type of the
    activity before it). A cut's comma becomes a line break (Mastodon), or a space before the line
    break already there (Pleroma).
    """

    cut: re.Pattern[bytes]
    end: re.Pattern[bytes]
    sorted: bool

    def comma(self, cut: re.Match[bytes]) -> int:
        """Where the comma of a cut is (``},{`` or ``"type":"Create"},`` then a line break and ``{``)."""
        return cut.end() - 3 if self.sorted else cut.start() + 1

    def close(self, end: re.Match[bytes]) -> int:
        """Just after the ``}`` that closes the last activity."""
        return end.end(1) + 2 if self.sorted else end.start() + 1


MASTODON_LAYOUT = Layout(ITEM_CUT, ITEMS_END, sorted=False)
SORTED_LAYOUT = Layout(SORTED_CUT, SORTED_END, sorted=True)


def _layout(data: bytearray, filled: int) -> Layout | None:
    """Mastodon's layout when the first activity starts as Mastodon's, Pleroma's when a cut or the end
    in ``data[:filled]`` is Pleroma's, Mastodon's when a cut is; else None: not known yet. (An outbox laid
    out neither way is refused by DuckDB, then read by ijson.)"""
    if ITEM_HEAD.match(data, 0, filled) is not None:
        return MASTODON_LAYOUT
    if SORTED_CUT.search(data, 0, filled) or SORTED_END.search(data, 0, filled):
        return SORTED_LAYOUT
    return MASTODON_LAYOUT if ITEM_CUT.search(data, 0, filled) else None


NEWER_FORM = re.compile(rb'\s*:\s*"[^"]*/ap/users/')
"""After a boost's ``"objUri"``: a newer-form status URI (then the boosted actors are looked up: see
:func:`_actors_sql`); the owner's own actor URI may be of that form without any boosted status being so."""


def _actors_sql(files: Sequence[Path], seen: bool = False) -> str:
    """Who each boosted newer-form actor URI is, from the archive's own mentions of it (``href``, ``handle``).

    Run before the shaping query, into a small table, and only when a boost names such a URI: inside
    the shaping query, a second reference to the activities made DuckDB hold them all (1.4 GB at 1 M
    statuses) and read them on one thread. Two narrow reads of the lines instead. The parts already
    read are gone: with ``seen``, the mentions of newer-form actors they held, gathered as they were
    read (the column ``newer_mentions`` of :func:`_shape_sql`), are in the Arrow table :data:`SEEN`.
    """
    earlier = f" UNION ALL SELECT unnest(mentions) AS t FROM {SEEN}" if seen else ""
    return _activities(files).replace("WITH activities AS (", "WITH activities AS NOT MATERIALIZED (", 1) + f""",
tagged AS NOT MATERIALIZED (SELECT target, CASE WHEN len(s.tag) > 0 THEN s.tag END AS tags FROM classified)
SELECT href, {_handle("coalesce(nullif(name, ''), href)", _host("href"))} AS handle
FROM (SELECT t.href, min(t.name) AS name FROM (SELECT unnest(tags) AS t FROM tagged WHERE tags IS NOT NULL{earlier})
      WHERE t."type" = 'Mention' AND t.href IN (SELECT regexp_extract(target, '{ACTOR_OF_STATUS}', 1)
                                                FROM tagged WHERE target IS NOT NULL) GROUP BY 1)"""


SEEN = "parlons_mastodon_seen"
"""The Arrow table (column ``mentions``) of the newer-form actors mentioned in the parts already read."""


def _lists() -> str:
    """Raw lists of mentions, hashtags and link targets (repeats removed in the next step)."""
    named = "coalesce(nullif(t.name, ''), t.href)"
    # ``@name@host`` with a lower-case host, as Mastodon writes a mention, is its own handle.
    mention = (f"CASE WHEN regexp_full_match({named}, '@[^@\\s]+@[a-z0-9.-]+') THEN {named} "
               f"ELSE {_handle(named, _host('t.href'))} END")
    href = f"regexp_extract(a, '{HREF}', 1)"
    return f"""
    CASE WHEN tags IS NOT NULL THEN list_transform(
      list_filter(tags, lambda t: t."type" = 'Mention' AND (t.name <> '' OR t.href <> '')),
      lambda t: {mention}) END AS mention_list,
    CASE WHEN tags IS NOT NULL THEN list_transform(list_filter(tags, lambda t: t."type" = 'Hashtag'),
      lambda t: ltrim(t.name, '#')) END AS hashtag_list,
    CASE WHEN contains(content, '<a') OR contains(content, '<A') THEN list_transform(list_transform(
      list_filter(regexp_extract_all(content, '{ANCHOR}'), lambda a: NOT regexp_matches(a, '{NOT_A_LINK}')),
      lambda a: {href}), lambda h: CASE WHEN contains(h, '&') THEN {_entities('h')} ELSE h END) END AS link_list"""


def _shape_sql(items: Path, newer: bool = True) -> str:
    """The canonical rows of the activities, and ``problem``: why to skip one, else NULL.

    With ``newer``, boosted newer-form actors are looked up with the macro :data:`ACTORS` (a constant
    map: a join would give the rows' order up, and a correlated subquery made DuckDB hold every row).
    """
    media_kind = ("CASE split_part(coalesce(m.mediaType, ''), '/', 1) WHEN 'image' THEN 'image' "
                  "WHEN 'video' THEN 'video' WHEN 'audio' THEN 'audio' ELSE 'other' END")
    return _activities([items]) + f""",
kept AS (
  SELECT *, CASE WHEN contains(s.content, 'quote-inline')
    THEN regexp_replace(s.content, {sql_string(QUOTE_FALLBACK)}, '') ELSE s.content END AS content,
    s.content AS raw_html, CASE WHEN len(s.tag) > 0 THEN s.tag END AS tags,
    CASE WHEN len(s.attachment) > 0 THEN s.attachment END AS attachments
  FROM classified
), {html_text_sql('kept')}, listed AS (
  SELECT *, {_text_or_null('s.inReplyTo')} AS reply_to,
    coalesce({_text_or_null('s.quote')}, {_text_or_null('s.quoteUri')}, {_text_or_null('s._misskey_quote')})
      AS quote,{_lists()}
  FROM texts
), deduplicated AS (
  SELECT *, {_unique('mention_list')} AS mentions, {_unique('hashtag_list')} AS hashtags,
    list_filter({_unique('link_list')}, lambda u: starts_with(u, 'http://') OR starts_with(u, 'https://')) AS urls,
    nullif(regexp_extract(reply_to, '{ACTOR_OF_STATUS}', 1), '') AS parent_actor
  FROM listed
)
SELECT 'mastodon' AS platform, post_id, account, coalesce(CAST($account_id AS VARCHAR), actor) AS account_id,
  CAST($account_name AS VARCHAR) AS account_name, created_at,
  CASE WHEN activity_type = 'Announce' THEN '' ELSE body END AS "text",
  nullif(raw_html, '') AS html, NULL::VARCHAR AS title,
  CASE WHEN cardinality(s.contentMap) > 0
    THEN list_filter(map_keys(s.contentMap), lambda k: k <> '' AND k <> 'und')[1] END AS lang,
  CASE WHEN activity_type = 'Announce' THEN 'repost' WHEN reply_to IS NOT NULL THEN 'reply'
       WHEN quote IS NOT NULL THEN 'quote' ELSE 'original' END AS kind,
  reply_to AS in_reply_to_id, {_parent_author()} AS in_reply_to_account,
  NULL::VARCHAR AS in_reply_to_account_id, {_text_or_null('s.conversation')} AS conversation_id,
  target AS repost_of_id, CASE WHEN target IS NOT NULL THEN {_booster_of(newer)} END AS repost_of_account,
  quote AS quote_of_id, mentions, hashtags, urls,
  CASE WHEN activity_type = 'Create' THEN coalesce(len(attachments), 0)::INTEGER END AS media_count,
  CASE WHEN activity_type <> 'Create' THEN NULL WHEN attachments IS NULL THEN []::VARCHAR[]
    ELSE list_transform(attachments, lambda m: {media_kind}) END AS media_kinds,
  NULL::VARCHAR AS "source", NULL::BIGINT AS like_count, NULL::BIGINT AS repost_count,
  NULL::BIGINT AS reply_count, NULL::BIGINT AS quote_count, {_text_or_null('s.url')} AS permalink,
  $member AS source_member, NULL::VARCHAR AS source_record, problem,
  CASE WHEN tags IS NOT NULL THEN list_filter(tags, lambda t: t."type" = 'Mention' AND contains(t.href, '/ap/users/'))
    END AS newer_mentions
FROM deduplicated"""


# --- Python --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The archive's owner; ``account`` is None when only each activity's actor can tell."""

    account: str | None
    account_id: str | None
    name: str | None


class MastodonImporter(Importer):
    name = "mastodon-archive"
    platform = "mastodon"
    description = "Mastodon account archive: outbox.json (statuses and boosts) with actor.json"
    example = "archive-20240101-abc.zip, outbox.json + actor.json"

    def detect(self, member: Member) -> bool:
        if not member.basename.lower().endswith(".json"):
            return False
        head = member.head_text(16384)
        arrays = list(OUTBOX_ITEMS.finditer(head))
        if not arrays or '"OrderedCollection"' not in head:
            return False
        filled = [found for found in arrays if found.group(1) == "{"]  # the key may come twice: see ITEMS_AGAIN
        if not filled:
            return member.basename.lower() == "outbox.json"
        return ACTIVITY_TYPE.search(head, filled[0].end()) is not None

    def companion(self, member: Member) -> bool:
        path = "/" + member.name.lower()
        if "/media_attachments/" in path:
            return _has_outbox(member.source, path.split("/media_attachments/", 1)[0])
        name = member.basename.lower()
        known = name in JSON_COMPANIONS or name.rsplit(".", 1)[0] in IMAGE_COMPANIONS
        return known and _has_outbox(member.source, path.rsplit("/", 1)[0])

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        for member in members:
            owner = _owner(member, ctx)
            yield from _rows(member, owner, ctx)


def _sibling(member: Member, basename: str) -> Member | None:
    """The member called ``basename`` in the same folder as ``member``."""
    folder = member.name.rsplit("/", 1)[0] + "/" if "/" in member.name else ""
    return _member_at(member, folder + basename)


_NAMES: WeakKeyDictionary[Source, frozenset[str]] = WeakKeyDictionary()


def _has_outbox(source: Source, folder: str) -> bool:
    """Whether ``folder`` (``""`` or ``/path``, lower case) holds an ``outbox.json``.

    The member names are gathered once per source: an archive can hold tens of thousands of
    media files, and each of them asks.
    """
    if source not in _NAMES:
        _NAMES[source] = frozenset(m.name.lower() for m in source.members)
    return f"{folder}/outbox.json".lstrip("/") in _NAMES[source]


def _member_at(member: Member, name: str) -> Member | None:
    wanted = name.lower()
    return next((m for m in member.source.members if m.name.lower() == wanted), None)


def _owner(outbox: Member, ctx: ReadContext) -> Owner:
    actor = _sibling(outbox, "actor.json")
    if actor is None:
        if ctx.options.account:
            ctx.note(f"actor.json is missing; owner taken from --account: {ctx.options.account}")
            return Owner(handle("mastodon", ctx.options.account), None, None)
        return _owner_from_outbox(outbox, ctx)
    return _owner_from_actor(actor, ctx)


def _owner_from_outbox(outbox: Member, ctx: ReadContext) -> Owner:
    """Without actor.json: the handle in the statuses' public URLs (``https://host/@name/id``).

    Newer servers name actors by a number (``/ap/users/116840387061670746``); the public URL of a
    status still carries the handle. Else each post's author comes from its activity's actor.
    """
    head = outbox.head_text(65536)
    actor = OUTBOX_ACTOR.search(head)
    host = urlsplit(actor.group(1)).hostname if actor else None
    url = re.search(rf'"url"\s*:\s*"https://{re.escape(host)}/@([A-Za-z0-9_.-]+)/', head) if host else None
    if actor and host and url:
        account = f"@{url.group(1)}@{host.lower()}"
        ctx.note(f"actor.json is missing beside {outbox.name}; owner {account} taken from the statuses' URLs")
        return Owner(account, actor.group(1), None)
    ctx.note(f"actor.json is missing beside {outbox.name}; each post's author is taken "
             "from its activity's actor URL")
    return Owner(None, None, None)


def _owner_from_actor(actor: Member, ctx: ReadContext) -> Owner:
    try:
        data = orjson.loads(actor.read_text())
    except orjson.JSONDecodeError as exc:
        raise actor.error(f"actor.json is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not data.get("preferredUsername"):
        raise actor.error("actor.json has no `preferredUsername`, so the archive's owner is unknown")
    actor_id = text_or_none(data.get("id")) or text_or_none(data.get("url"))
    instance = urlsplit(actor_id).hostname if actor_id else None
    account = handle("mastodon", str(data["preferredUsername"]), instance=instance)
    ctx.account(actor, platform="mastodon", account=account, account_id=actor_id,
                display_name=text_or_none(data.get("name")),
                description=html_to_text(text_or_none(data.get("summary"))) or None,
                url=text_or_none(data.get("url")), created_at=parse_time(text_or_none(data.get("published"))),
                is_owner=True)
    return Owner(account, actor_id, text_or_none(data.get("name")))


def _utf8(member: Member) -> IO[bytes]:
    """The member's bytes in UTF-8 (a transcoded scratch copy when it is UTF-16 or UTF-32)."""
    if member.encoding() in ("utf-8", "utf-8-sig"):
        return member.open()
    return open(member.local_path(), "rb")


@dataclass(frozen=True)
class Part:
    """A file of cut activities, one a line, and whether a boost in it names a newer-form URI."""

    path: Path
    items: int
    newer: bool


class Cutter:
    """Cuts an outbox into parts (:func:`_cut_parts`) on a thread of its own, while DuckDB reads those cut.

    Iterating gives the parts in order as they are ready; then :attr:`whole` says whether the whole
    outbox was cut (else it is not laid out as Mastodon writes it). The thread's failure is raised
    by the iteration. A part read is given back with :meth:`done`: the next part is cut only then,
    over the bytes of that one (see :class:`_PartWriter`), so that at most two parts are on disk (the
    one read, the one cut). The folder is the caller's.
    """

    AHEAD = 2
    """Parts on disk at most, until :meth:`rest` lets the cut run to the end."""

    def __init__(self, member: Member, folder: Path) -> None:
        self.member, self.folder = member, folder
        self.parts: list[Part] = []
        self.whole = False
        self._ready: queue.Queue[Part | None] = queue.Queue()
        self._room = threading.Semaphore(self.AHEAD)
        self._unbounded = threading.Event()
        """Set by :meth:`rest` and :meth:`close`: the cut no longer waits for room."""
        self._free: queue.SimpleQueue[Path] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="parlons-mastodon-cut", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            parts = _cut_parts(self.member, self.folder, self._stop, self._free)
            while self._unbounded.is_set() or self._room.acquire():
                self._ready.put(next(parts))
        except StopIteration as end:
            self.whole = bool(end.value)
        except BaseException as exc:  # raised again in the reading thread
            self._error = exc
        finally:
            self._ready.put(None)

    def __iter__(self) -> Iterator[Part]:
        while (part := self._ready.get()) is not None:
            self.parts.append(part)
            yield part
        self._ready.put(None)  # a second iteration ends at once
        self._thread.join()
        if self._error is not None:
            raise self._error

    def done(self, part: Part) -> None:
        """A part is read: its file takes the next part to be cut."""
        self._free.put(part.path)
        self._room.release()

    def rest(self) -> list[Part]:
        """The part being read and every part after it, once the whole outbox is cut (those not iterated
        yet stay next in line). The parts before are gone (:meth:`done`)."""
        self._let_run()
        self._thread.join()
        if self._error is not None:
            raise self._error
        return [*self.parts[-1:], *list(self._ready.queue)[:-1]]

    def close(self) -> None:
        """Stop cutting (when reading stopped early) and wait for the thread."""
        self._stop.set()
        self._let_run()
        self._thread.join()

    def _let_run(self) -> None:
        """The cut waits no more: one release wakes it if it waits, and it never waits again (releasing
        as many as any outbox has parts, ``release(1 << 20)``, took 0.15 s: a notify each)."""
        self._unbounded.set()
        self._room.release()


def _cut_parts(member: Member, folder: Path, stop: threading.Event,
               free: queue.SimpleQueue[Path] | None = None) -> Generator[Part, None, bool]:
    """Write ``orderedItems`` as JSON lines in parts of about :data:`PART` bytes: the outbox's bytes,
    each comma between two activities made a line break, the outbox's own keys left out, a boost's
    ``"object"`` renamed ``"objUri"``.

    Every change keeps the length of what it changes, so each chunk is edited in place where it was
    read: one read and one write of the bytes, the search for the cuts in C (one regular expression
    over the chunk), Python only for each cut and each boost. A line is an activity: DuckDB numbers
    them by their order (:func:`_shaped`).

    A file of ``free`` (a part read) is written over for the next part (:class:`_PartWriter`).

    Returns False when the outbox is visibly not laid out as Mastodon writes it (compact,
    ``orderedItems`` last, each activity starting with its ``id`` and ``type``) or is truncated:
    the parts given so far hold the activities before. Anything subtler makes DuckDB refuse a
    line, and :func:`_rows` then parses the outbox properly.
    """
    with _utf8(member) as source:
        head = source.read(CHUNK)
        start = ITEMS_START.search(head)
        while start is not None and (again := ITEMS_AGAIN.match(head, start.end())) is not None:
            start = ITEMS_START.match(head, again.end())
        if start is None or head[start.end():start.end() + 1] != b"{":
            return start is not None and head[start.end():start.end() + 1] == b"]"
        data = bytearray(2 * CHUNK)  # one buffer, read into: the cut's memory stays at a few megabytes
        filled = len(head) - start.end()
        data[:filled] = memoryview(head)[start.end():]
        layout = _layout(data, filled)
        first = ITEM_HEAD.match(data, 0, filled)
        kind = bytes(first.group(1)) if first else None
        out = _PartWriter(folder, free)
        try:
            while True:
                if filled == len(data):  # no cut in the whole buffer: an activity of megabytes
                    if len(data) >= LONGEST_ITEM:
                        return False
                    data.extend(bytes(len(data)))
                read = source.readinto(memoryview(data)[filled:])  # type: ignore[attr-defined]
                if not read or stop.is_set():
                    break
                filled += read
                if layout is None and (layout := _layout(data, filled)) is None:
                    continue
                cuts = list(layout.cut.finditer(data, 0, filled))
                if not cuts:
                    continue
                last = cuts.pop()  # the activity after the last cut may not be whole yet: read on
                comma = layout.comma(last)
                if not _cut(data, cuts, bytes(last.group(1)) if layout.sorted else kind, comma, out, layout):
                    return False
                line_end = _break(data, comma, layout)
                if (part := out.write(memoryview(data)[:line_end], len(cuts) + 1)) is not None:
                    yield part
                rest = filled - line_end
                data[:rest], filled, kind = data[line_end:filled], rest, bytes(last.group(1))
            layout = layout or _layout(data, filled) or MASTODON_LAYOUT
            end = layout.end.search(data, 0, filled)
            if stop.is_set() or end is None:
                return False
            close = layout.close(end)
            cuts = list(layout.cut.finditer(data, 0, close))
            if not _cut(data, cuts, bytes(end.group(1)) if layout.sorted else kind, close, out, layout):
                return False
            data[close] = 10
            if (part := out.write(memoryview(data)[:close + 1], len(cuts) + 1) or out.close()) is not None:
                yield part
            return True
        finally:
            out.abandon()


class _PartWriter:
    """The part being written; a new one once it holds :data:`PART` bytes (:data:`FIRST_PART` for the first).

    A new part is written over the file of a part already read when there is one (``free``), then cut
    to its length: its pages of the system's file cache are written again where they are. A new file
    needs new pages, and on a virtual machine that hands the memory its guest frees back to the host
    (the development machine does, a second or two after), a new page costs the host's work too: 1 GB
    written into a new file took 4-11 s and 4-9 CPU-seconds there, over its own pages 0.08-0.14 s
    (``benchmarks/bench_rewrite.py``). At 1 M statuses the parts are 1.75 GB.
    """

    def __init__(self, folder: Path, free: queue.SimpleQueue[Path] | None = None) -> None:
        self.folder, self.free, self.count = folder, free, 0
        self.file: IO[bytes] | None = None
        self.items, self.newer = 0, False

    def write(self, lines: memoryview, items: int) -> Part | None:
        """Append whole lines; the part they complete, if any."""
        if self.file is None:
            self.file = self._open()
        self.file.write(lines)
        self.items += items
        return self.close() if self.file.tell() >= (min(FIRST_PART, PART) if self.count == 0 else PART) else None

    def _open(self) -> IO[bytes]:
        """The file of a part read, renamed (its pages go with it) and written over from its start, else a
        new one; closed by close or abandon. Each part has a name of its own, as DuckDB reads it."""
        path = self.folder / f"part{self.count}.jsonl"
        if self.free is not None and not self.free.empty():
            os.replace(self.free.get(), path)
            return open(path, "r+b")
        return open(path, "wb")

    def close(self) -> Part | None:
        if self.file is None:
            return None
        self.file.truncate()  # a part written over a longer one ends here
        self.file.close()
        part = Part(Path(self.file.name), self.items, self.newer)
        self.file, self.count, self.items, self.newer = None, self.count + 1, 0, False
        return part

    def abandon(self) -> None:
        if self.file is not None:
            self.file.close()


def _cut(data: bytearray, cuts: list[re.Match[bytes]], kind: bytes | None, end: int, out: _PartWriter,
         layout: Layout = MASTODON_LAYOUT) -> bool:
    """Make the commas of ``cuts`` line ends and rename the boosts' URLs, in ``data[:end]``; ``kind`` is the
    type of the first activity (Mastodon's layout) or of the one that ends at ``end`` (Pleroma's).

    False when an activity spans several lines (the outbox is indented).
    """
    if layout.sorted:
        return _cut_sorted(data, cuts, kind, end, out)
    if data.find(b"\n", 0, end) >= 0:
        return False
    begin = 0
    for cut in cuts:
        if kind == b"Announce":
            _rename_boosted(data, begin, cut.start(), out)
        data[cut.start() + 1] = 10  # the comma becomes a line break
        begin, kind = cut.end() - 1, bytes(cut.group(1))
    if kind == b"Announce":
        _rename_boosted(data, begin, end, out)
    return True


def _cut_sorted(data: bytearray, cuts: list[re.Match[bytes]], kind: bytes | None, end: int,
                out: _PartWriter) -> bool:
    """:func:`_cut` for Pleroma's layout: each activity is a line already, its type named at its end."""
    if data.count(b"\n", 0, end) != len(cuts):
        return False
    begin = 0
    for cut in cuts:
        comma = cut.end() - 3
        if cut.group(1) == b"Announce":
            _rename_boosted(data, begin, comma, out)
        data[comma] = 32  # the comma becomes a space before the line break
        begin = comma + 2
    if kind == b"Announce":
        _rename_boosted(data, begin, end, out)
    return True


def _break(data: bytearray, comma: int, layout: Layout) -> int:
    """The comma between two activities made the end of a line; where the next line starts."""
    if layout.sorted:
        data[comma] = 32  # a space before the line break the backup wrote
        return comma + 2
    data[comma] = 10
    return comma + 1


def _rename_boosted(data: bytearray, begin: int, end: int, out: _PartWriter) -> None:
    """A boost's ``"object":"<url>"`` becomes ``"objUri":"<url>"`` (same length, see :data:`BOOSTED_URL`)."""
    found = BOOSTED_URL.search(data, begin, end)
    if found is not None:
        data[found.start() + 1:found.end() - 1] = b"objUri"
        if NEWER_FORM.match(data, found.end(), end):
            out.newer = True


def _rewrite_items(member: Member, target: Path) -> None:
    """Stream ``orderedItems`` with ijson into JSON lines, one per item, whatever the outbox's layout."""
    index = -1
    with _utf8(member) as stream, open(target, "wb") as out:
        try:
            for item in stream_items(stream, ("orderedItems",), IJSON):
                index += 1
                out.write(orjson.dumps(_line(item)) + b"\n")
        except TooDeep:
            raise _too_deep(member, index + 1) from None
        except ijson.JSONError as exc:
            raise member.error(f"the outbox is not valid JSON after item {index} ({exc}); "
                               "the file may be truncated", index + 1) from None
        except TypeError as exc:
            raise member.error(f"item {index} of orderedItems cannot be read ({exc})", index) from None


def _line(item: Any) -> dict[str, Any]:
    """An activity as a line DuckDB's strict reader takes (see ``COLUMNS``).

    Values of other types are dropped, as the row by row reading ignored them: a single tag or
    attachment counts as a list of one, a boost's URL goes to ``objUri``. Anything but an object
    becomes an empty line object, so that each item keeps its place (and its number).
    """
    if not isinstance(item, dict):
        return {}
    line = dict(item)
    target = line.pop("object", None)
    if isinstance(target, str):
        line["objUri"] = target
    elif isinstance(target, dict):
        line["object"] = _status(target)
    return line


def _status(status: dict[str, Any]) -> dict[str, Any]:
    fixed = {**status, "tag": _dicts(status.get("tag")), "attachment": _dicts(status.get("attachment"))}
    if not isinstance(fixed.pop("contentMap", None), dict):
        return fixed
    return {**fixed, "contentMap": status["contentMap"]}


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _rows(member: Member, owner: Owner, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
    """Record batches of the canonical rows; skipped records are counted.

    When DuckDB refuses a line (the outbox is not quite laid out as Mastodon writes it, or its
    JSON is broken), the outbox is parsed again with ijson and reading resumes after the last
    activity already read: the lines before the faulty one were cut right.
    """
    folder = Path(tempfile.mkdtemp(prefix="outbox-", dir=member.source.scratch()))
    done = [0]
    try:
        cutter = Cutter(member, folder)
        try:
            yield from _shaped(member, cutter, owner, ctx, done)
            if cutter.whole:
                return
        except (duckdb.Error, OSError) as exc:  # Arrow's reader passes DuckDB's errors on as OSError
            if "JSON" not in str(exc):
                raise
        finally:
            cutter.close()
        lines = folder / "items.jsonl"
        _rewrite_items(member, lines)
        yield from _shaped(member, [Part(lines, -1, True)], owner, ctx, done)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _too_deep(member: Member, index: int) -> Exception:
    return member.error(f"activity {index} of orderedItems nests arrays and objects deeper than "
                        f"{MAX_NESTING} levels; no Mastodon archive does, so the file is refused", index)


def _shaped(member: Member, parts: Iterable[Part], owner: Owner, ctx: ReadContext,
            done: list[int]) -> Iterator[pa.RecordBatch]:
    """The rows of the parts' lines from activity ``done[0]`` on; ``done[0]`` follows the activities read.

    The n-th line is activity n: DuckDB's reader gives one row per line, in order (the importer's
    connection keeps the order of what it reads), so rows are numbered by counting them, which
    leaves DuckDB free to read the lines on every core. A part where a boost names a newer-form URI
    waits for the whole outbox, whose mentions tell who the boosted actors are (:func:`_actors_sql`);
    the parts before need no lookup.

    A part of the cut is given back once read: the cut writes a later part over it (:class:`_PartWriter`),
    and the scratch space stays at two parts. The mentions of newer-form actors it held are kept for the
    lookup.
    """
    params = {"account": owner.account, "account_id": owner.account_id, "account_name": owner.name,
              "member": member.name}
    con = connect()
    seen: list[pa.Array] = []
    try:
        index, newer = 0, False
        for part in parts:
            if part.newer and not newer:
                every = parts.rest() if isinstance(parts, Cutter) else [part]
                if seen:
                    con.register(SEEN, pa.table({"mentions": pa.concat_arrays(seen)}))
                found = con.execute(_actors_sql([p.path for p in every], bool(seen)),
                                    {"account": owner.account}).fetchall()
                con.execute(_actors_macro(found))
                newer = True
            start = index
            for batch in con.sql(_shape_sql(part.path, newer), params=params).to_arrow_reader(ROWS_PER_BATCH):
                if not newer:
                    seen.extend(_newer_mentions(batch))
                first, index = index, index + batch.num_rows
                if index > done[0]:  # a resumed reading skips the activities read before
                    skipped = max(done[0] - first, 0)
                    kept = _kept(batch.slice(skipped), first + skipped, member, ctx)
                    done[0] = index
                    yield kept
            if part.items >= 0 and index - start != part.items:
                raise member.error(f"{part.items} activities were cut from the outbox, but {index - start} "
                                   "lines were read; please report this file", start)
            if isinstance(parts, Cutter):
                parts.done(part)
    finally:
        con.close()


def _newer_mentions(batch: pa.RecordBatch) -> list[pa.Array]:
    """The batch's lists of mentions of newer-form actors that are not empty (most are)."""
    mentions = batch.column("newer_mentions")
    found = mentions.filter(pc.greater(pc.list_value_length(mentions), 0))
    return [found] if len(found) else []


ACTORS = "parlons_mastodon_actor"
"""The temporary macro giving the handle of a boosted newer-form actor URI (:func:`_actors_macro`)."""


def _actors_macro(found: Sequence[tuple[str, str | None]]) -> str:
    """The statement that makes the macro :data:`ACTORS` over the boosted newer-form actors found
    (``href``, ``handle``), a constant map: a join with a table of them would give the rows' order up."""
    pairs = ", ".join(f"{sql_string(href)}: {'NULL' if name is None else sql_string(name)}" for href, name in found)
    lookup = f"map_extract_value(MAP {{{pairs}}}, href)" if pairs else "NULL::VARCHAR"
    return f"CREATE OR REPLACE TEMP MACRO {ACTORS}(href) AS {lookup}"


def _kept(batch: pa.RecordBatch, first: int, member: Member, ctx: ReadContext) -> pa.RecordBatch:
    """The rows to import (maybe none), numbered from ``first``; the others are counted as skipped."""
    numbers = pc.cast(pa.array(range(first, first + batch.num_rows), pa.int64()), pa.string())
    batch = batch.set_column(batch.schema.get_field_index("source_record"), "source_record", numbers)
    problems = batch.column("problem")
    if problems.null_count < batch.num_rows:
        skipped = batch.filter(pc.is_valid(problems))
        for record, reason in zip(skipped.column("source_record").to_pylist(),
                                  skipped.column("problem").to_pylist(), strict=True):
            ctx.skip(member, record, reason)
        batch = batch.filter(pc.is_null(problems))
    return batch.select(ROW_SCHEMA.names).cast(ROW_SCHEMA)


IMPORTER = MastodonImporter()
