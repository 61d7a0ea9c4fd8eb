"""Bluesky: repository exports (CAR), Jetstream JSON lines and firehose commit events (DAG-JSON).

* A **repository export** is a CAR v1 file: a varint-prefixed DAG-CBOR header naming the root
  (the signed commit, whose ``did`` is the owner and whose ``data`` is the root of the Merkle
  search tree), then blocks (varint length, CID, DAG-CBOR). The tree maps record paths
  ``<collection>/<rkey>`` to record CIDs; walking it gives each record its at:// URI.
  The handle is not in the CAR: it comes from ``--account``, else from a file name shaped
  ``<handle>.<timestamp>.car``, else the DID stands in for it.
* **Jetstream** writes one JSON event a line: ``{"did", "time_us", "kind": "commit",
  "commit": {"operation", "collection", "rkey", "record", "cid"}}``, plus ``identity`` events
  (which give handles) and ``account`` events.
* A **firehose commit event** (``com.atproto.sync.subscribeRepos#commit`` in DAG-JSON, one
  per file or one a line) lists ``ops`` (``action``, ``path``, ``cid``) and carries the new
  records in ``blocks``, a CAR slice in ``{"$bytes": base64}``.

A CAR's blocks are read one at a time where the file holds them (:class:`_Car`), firehose events'
CAR slices whole; both are decoded with libipld and rewritten as Jetstream-shaped lines in a
scratch file; every input is then shaped by the same DuckDB query. Only ``app.bsky.feed.post``
and ``app.bsky.feed.repost`` creations are posts; other records are counted in a note.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import libipld
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..normalize import parse_time
from ..sources import Member
from ._base import BATCH_ROWS, ROW_SCHEMA, Importer, ReadContext, Skip, SqlQuery
from ._duck import connect, member_case, sql_name, sql_string, sql_unique

__all__ = ["IMPORTER", "BlueskyImporter"]

POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
PROFILE = "app.bsky.actor.profile/self"
CAR_NAME = re.compile(
    r"^(?P<handle>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*)(?:[.-]\d{8,14})?\.car$", re.I)
JETSTREAM = (re.compile(r'^\s*\{'), re.compile(r'"did"\s*:\s*"did:'), re.compile(r'"time_us"\s*:\s*\d'),
             re.compile(r'"kind"\s*:\s*"(commit|identity|account)"'))
FIREHOSE = re.compile(r'^\s*[\[{][\s\S]*?"blocks"\s*:\s*\{\s*"\$bytes"\s*:')
ASTRAL = "[\U00010000-\U0010FFFF]"
"""Characters beyond the BMP: two UTF-16 units each, the unit of the legacy ``entities`` offsets."""
MAX_DEPTH = 64
"""A repository's tree is about log4(records) deep; deeper means a crafted or looping CAR."""
CHUNK = 1024 * 1024
"""The CAR's first pass reads this much at a time."""
SHA256_CIDS = (b"\x01\x71\x12\x20", b"\x01\x55\x12\x20")
"""The first bytes of a CID v1 of a DAG-CBOR or raw block hashed with SHA-256: a repository's every CID."""
REQUIRED = ("post_id", "account", "created_at", "text", "kind")

_MEDIA = {"$type": "VARCHAR", "images": [{"alt": "VARCHAR"}], "video": "JSON", "external": {"uri": "VARCHAR"},
          "items": [{"$type": "VARCHAR"}]}
RECORD = {
    "text": "VARCHAR", "createdAt": "VARCHAR", "langs": ["VARCHAR"], "tags": ["VARCHAR"],
    "reply": {"root": {"uri": "VARCHAR"}, "parent": {"uri": "VARCHAR"}},
    "subject": {"uri": "VARCHAR"},
    "facets": [{"index": {"byteStart": "BIGINT", "byteEnd": "BIGINT"},
                "features": [{"$type": "VARCHAR", "did": "VARCHAR", "uri": "VARCHAR", "tag": "VARCHAR"}]}],
    "entities": [{"index": {"start": "BIGINT", "end": "BIGINT"}, "type": "VARCHAR", "value": "VARCHAR"}],
    "embed": {**_MEDIA, "record": {"uri": "VARCHAR", "record": {"uri": "VARCHAR"}}, "media": _MEDIA},
}
"""The fields of a post or repost record that are read: the JSON reader builds them as it parses the line
(a record kept as JSON and transformed afterwards was parsed twice, 1.4 of 6 CPU-seconds at 1 M events)."""


def _duck_type(spec: object) -> str:
    """The DuckDB type of a spec: a type name, ``[item]`` for a list, ``{name: spec}`` for a struct."""
    if isinstance(spec, list):
        return _duck_type(spec[0]) + "[]"
    if isinstance(spec, dict):
        return "STRUCT(" + ", ".join(f"{sql_name(k)} {_duck_type(v)}" for k, v in spec.items()) + ")"
    return str(spec)


EVENT_COLUMNS = "{" + ", ".join(f"{sql_string(name)}: {sql_string(kind)}" for name, kind in {
    "did": "VARCHAR", "time_us": "BIGINT", "kind": "VARCHAR", "_record": "VARCHAR",
    "commit": "STRUCT(operation VARCHAR, collection VARCHAR, rkey VARCHAR, record "
              f"{_duck_type(RECORD)})"}.items()) + "}"

READ = """read_json({files}, format = 'newline_delimited', filename = true, ignore_errors = true,
  maximum_object_size = 16777216, columns = {columns})"""
"""16 MB a line at most (a record is at most a few kilobytes): DuckDB's reader holds buffers in proportion
to it, and at 64 MB an import of a million events peaked 120 MB higher. With ``ignore_errors`` every
non-blank line gives exactly one row, in file order (NULL columns for a line that is not a JSON object):
rows are numbered by counting them."""

PROFILE_URL = "https://bsky.app/profile/"
IS_POST = ("coalesce(kind = 'commit' AND commit.operation = 'create' "
           f"AND commit.collection IN ('{POST}', '{REPOST}'), false)")
COMPLETE = ("did IS NOT NULL AND commit.rkey IS NOT NULL "
            "AND (TRY_CAST(commit.record.createdAt AS TIMESTAMPTZ) IS NOT NULL OR time_us IS NOT NULL)")
"""A post or repost line gives a row with every required field (id, account, time; text and kind always)."""

PASS_COLUMNS = """{
  'did': 'VARCHAR', 'time_us': 'BIGINT', 'kind': 'VARCHAR', '_record': 'VARCHAR',
  'commit': 'STRUCT(operation VARCHAR, collection VARCHAR, rkey VARCHAR, record STRUCT("createdAt" VARCHAR))',
  'identity': 'STRUCT(handle VARCHAR)'
}"""

FIRST_PASS = f"""
SELECT {{member}} AS source_member,
  CASE WHEN {IS_POST} THEN NULL WHEN kind IS NULL THEN '' WHEN kind <> 'commit' THEN kind || ' events'
       WHEN commit.operation IS DISTINCT FROM 'create'
         THEN coalesce(commit.operation, 'unknown') || ' operations, not applied'
       ELSE coalesce(commit.collection, 'None') END AS other,
  CASE WHEN kind = 'identity' AND identity.handle <> '' THEN did END AS identity_did,
  identity.handle AS handle, time_us,
  CASE WHEN {IS_POST} AND {COMPLETE}
    THEN hash('at://' || did || '/' || commit.collection || '/' || commit.rkey) END AS "key",
  CASE WHEN {IS_POST} AND NOT ({COMPLETE}) THEN concat_ws(', ',
    CASE WHEN did IS NULL OR commit.rkey IS NULL THEN 'post_id' END, CASE WHEN did IS NULL THEN 'account' END,
    CASE WHEN TRY_CAST(commit.record.createdAt AS TIMESTAMPTZ) IS NULL AND time_us IS NULL THEN 'created_at' END)
  END AS missing,
  coalesce(_record, CAST(time_us AS VARCHAR)) AS source_record
FROM {{read}}
"""
"""What is known before the posts are shaped, from a light read of every line (its few columns parsed):
what each line is that is not a post (``other``: counted for the note; empty for a line that is not a
JSON event, a skip), the handles identity events give, the posts missing a required field, and a hash
of each post's key, which says whether the input may repeat a post."""

SHAPE = f"""
WITH ev AS (
  SELECT did, time_us, commit.collection AS collection, commit.rkey AS rkey, commit.record AS r,
    _record, {{member}} AS source_member
  FROM {{read}}
  WHERE {IS_POST} AND {COMPLETE}
), f AS (
  SELECT *,
    'at://' || did || '/' || collection || '/' || rkey AS uri,
    coalesce(r."text", '') AS body,
    regexp_extract(r.reply.parent.uri, '^at://([^/]+)/', 1) AS parent_did,
    regexp_extract(r.subject.uri, '^at://([^/]+)/', 1) AS subject_did,
    CASE WHEN r.embed."$type" = 'app.bsky.embed.recordWithMedia' THEN r.embed.media
         ELSE {{{{'$type': r.embed."$type", 'images': r.embed.images, 'video': r.embed.video,
               'external': r.embed.external, 'items': r.embed.items}}}} END AS m,
    CASE r.embed."$type" WHEN 'app.bsky.embed.record' THEN r.embed.record.uri
         WHEN 'app.bsky.embed.recordWithMedia' THEN r.embed.record.record.uri END AS embedded,
    CASE WHEN collection <> '{POST}' THEN []::VARCHAR[]
      WHEN len(r.facets) > 0 THEN flatten(list_transform(r.facets, lambda x: list_transform(
        list_filter(coalesce(x.features, []), lambda y: y."$type" = 'app.bsky.richtext.facet#mention'),
        lambda y: coalesce(nullif(lower(regexp_extract(
          try(decode(encode(r."text")[x."index".byteStart + 1 : x."index".byteEnd])), '^@(\\S+)$', 1)), ''), y.did))))
      WHEN len(r.entities) > 0 THEN list_transform(list_filter(r.entities, lambda x: x."type" = 'mention'),
        lambda x: coalesce(nullif(lower(regexp_extract(substring(
          regexp_replace(r."text", '{ASTRAL}', '\uFFFD\uFFFD', 'g'), x."index"."start" + 1,
          x."index"."end" - x."index"."start"), '^@(\\S+)$', 1)), ''), x."value"))
      ELSE []::VARCHAR[] END AS mention_list,
    CASE WHEN len(r.facets) > 0 AND collection = '{POST}' THEN flatten(list_transform(r.facets, lambda x:
      list_transform(
      list_filter(coalesce(x.features, []), lambda y: y."$type" = 'app.bsky.richtext.facet#tag'), lambda y: y.tag)))
      ELSE []::VARCHAR[] END || CASE WHEN collection = '{POST}' THEN coalesce(r.tags, []) ELSE [] END AS tag_list,
    CASE WHEN collection <> '{POST}' THEN []::VARCHAR[]
      WHEN len(r.facets) > 0 THEN flatten(list_transform(r.facets, lambda x: list_transform(
        list_filter(coalesce(x.features, []), lambda y: y."$type" = 'app.bsky.richtext.facet#link'), lambda y: y.uri)))
      WHEN len(r.entities) > 0 THEN list_transform(list_filter(r.entities, lambda x: x."type" = 'link'),
        lambda x: x."value")
      ELSE []::VARCHAR[] END AS link_list
  FROM ev
), g AS (
  SELECT *,
    CASE WHEN collection = '{POST}' THEN link_list
      || CASE WHEN m.external.uri IS NOT NULL THEN [m.external.uri] ELSE [] END END AS links,
    CASE m."$type" WHEN 'app.bsky.embed.images' THEN list_transform(coalesce(m.images, []), lambda i: 'image')
         WHEN 'app.bsky.embed.video' THEN ['video']
         WHEN 'app.bsky.embed.gallery' THEN list_transform(
           list_filter(coalesce(m.items, []), lambda i: i."$type" = 'app.bsky.embed.gallery#image'), lambda i: 'image')
         ELSE []::VARCHAR[] END AS kinds
  FROM f
){{handles}}
SELECT
  'bluesky' AS platform, uri AS post_id, {{account}} AS account, g.did AS account_id, {{name}} AS account_name,
  coalesce(TRY_CAST(r.createdAt AS TIMESTAMPTZ), make_timestamp(time_us)::TIMESTAMPTZ) AS created_at,
  CASE WHEN collection = '{POST}' THEN body ELSE '' END AS "text",
  NULL AS html, NULL AS title, r.langs[1] AS lang,
  CASE WHEN collection = '{REPOST}' THEN 'repost'
       WHEN r.reply.parent.uri IS NOT NULL THEN 'reply'
       WHEN embedded LIKE 'at://%/{POST}/%' THEN 'quote' ELSE 'original' END AS kind,
  r.reply.parent.uri AS in_reply_to_id,
  {{reply_account}} AS in_reply_to_account,
  nullif(parent_did, '') AS in_reply_to_account_id,
  CASE WHEN collection = '{POST}' THEN coalesce(r.reply.root.uri, uri) END AS conversation_id,
  CASE WHEN collection = '{REPOST}' THEN r.subject.uri END AS repost_of_id,
  CASE WHEN collection = '{REPOST}' THEN {{repost_account}} END AS repost_of_account,
  CASE WHEN collection = '{POST}' AND embedded LIKE 'at://%/{POST}/%' THEN embedded END AS quote_of_id,
  {sql_unique('mention_list')} AS mentions,
  {sql_unique('tag_list')} AS hashtags,
  {sql_unique('coalesce(links, [])')} AS urls,
  CASE WHEN collection = '{POST}' THEN len(kinds) END AS media_count,
  CASE WHEN collection = '{POST}' THEN kinds END AS media_kinds,
  NULL AS "source", NULL AS like_count, NULL AS repost_count, NULL AS reply_count, NULL AS quote_count,
  CASE WHEN collection = '{POST}' THEN '{PROFILE_URL}' || {{account}} || '/post/' || rkey END AS permalink,
  source_member, coalesce(_record, CAST(time_us AS VARCHAR)) AS source_record, rkey
FROM g{{joins}}
"""
"""The posts and reposts with every required field, in file order, as canonical rows (and their ``rkey``).

Run by the store with the handles joined in (:data:`JOINED`) when the input repeats no post: a join
gives the order up, which then changes nothing. Else run here and streamed in order, the handles put
in from Arrow (:data:`PLAIN`, :meth:`_Handles.apply`)."""

JOINED = {
    "handles": ", bsky_handles AS (SELECT unnest($dids::VARCHAR[]) AS did, unnest($handles::VARCHAR[]) AS handle, "
               "unnest($names::VARCHAR[]) AS name)",
    "account": "coalesce(a.handle, g.did)", "name": "a.name",
    "reply_account": "coalesce(pa.handle, nullif(parent_did, ''))",
    "repost_account": "coalesce(sa.handle, nullif(subject_did, ''))",
    "joins": "\nLEFT JOIN bsky_handles a ON a.did = g.did\nLEFT JOIN bsky_handles pa ON pa.did = g.parent_did"
             "\nLEFT JOIN bsky_handles sa ON sa.did = g.subject_did",
}
PLAIN = {"handles": "", "account": "g.did", "name": "NULL", "reply_account": "nullif(parent_did, '')",
         "repost_account": "nullif(subject_did, '')", "joins": ""}

UNREADABLE = "line is not a readable JSON event"
QUERY_MEMORY = "384MB"
"""The store's memory limit while it writes the events (``SqlQuery.memory``): DuckDB caches the blocks it
writes up to it. 10 M events peaked at 753 MB at the store's 640 MB, 505 at 384 (495 at 1 M), 456 at
256; 1 M events took 6.5 s against 6.8 at 640 MB (three runs alternated, quiet machine), 13 % more at
256."""

@dataclass
class Person:
    """What an input tells about an account: its handle and display name, when known."""

    handle: str | None = None
    name: str | None = None


class BlueskyImporter(Importer):
    name = "bluesky"
    platform = "bluesky"
    description = "Bluesky: repository export (CAR), Jetstream JSON lines, firehose commit events (DAG-JSON)"
    example = "alice.bsky.social.20250310005405.car, jetstream.jsonl, firehose_commit_123.json"

    def detect(self, member: Member) -> bool:
        return _kind(member) is not None

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
        people: dict[str, Person] = {}
        files: dict[Path, Member] = {}
        for member in members:
            kind = _kind(member)
            if kind == "car":
                files[_car_lines(member, ctx, people)] = member
            elif kind == "firehose":
                files[_firehose_lines(member, ctx)] = member
            else:
                files[member.local_path()] = member
        yield from _shape(files, people, ctx)


def _kind(member: Member) -> str | None:
    if _is_car(member.head(4096)):
        return "car"
    head = member.head_text(4096)
    first_line = head.split("\n", 1)[0]
    if all(pattern.search(first_line) for pattern in JETSTREAM):
        return "jetstream"
    if FIREHOSE.match(head):
        return "firehose"
    return None


def _is_car(head: bytes) -> bool:
    """A CAR v1 header: a varint length, then a DAG-CBOR map with ``version`` 1 and ``roots``."""
    length, start = _varint(head, 0)
    if length is None or not 0 < length <= len(head) - start or head[start] & 0xE0 != 0xA0:
        return False
    try:
        header = libipld.decode_dag_cbor(head[start:start + length])
    except ValueError:
        return False
    return isinstance(header, dict) and header.get("version") == 1 and isinstance(header.get("roots"), list)


def _varint(data: bytes, start: int) -> tuple[int | None, int]:
    if start + 1 < len(data):  # one or two bytes: every CID's version and codec, blocks under 16 KB
        if data[start] < 0x80:
            return data[start], start + 1
        if data[start + 1] < 0x80:
            return (data[start] & 0x7F) | data[start + 1] << 7, start + 2
    value, shift = 0, 0
    for position in range(start, min(len(data), start + 9)):
        value |= (data[position] & 0x7F) << shift
        if not data[position] & 0x80:
            return value, position + 1
        shift += 7
    return None, start


# --- repository CAR ------------------------------------------------------------------------


def _car_lines(member: Member, ctx: ReadContext, people: dict[str, Person]) -> Path:
    """Read a repository CAR's records, walking its tree, and write them as Jetstream-shaped lines.

    Only the post, repost and profile records are read: the others are written without their
    content, which only their collection counts for (the note).
    """
    with _Car(_car_path(member), member) as car:
        commit = car.get(car.roots[0]) if car.roots else None
        if not isinstance(commit, dict) or not isinstance(commit.get("did"), str) or "data" not in commit:
            raise member.error("the CAR's root block is not a repository commit (no `did` and `data`)")
        did = commit["did"]
        target = member.source.scratch() / f"car{id(member)}.jsonl"
        with open(target, "wb") as out:
            profile = _write_records(member, ctx, car, commit, out)
    _car_owner(member, ctx, did, profile, people)
    return target


def _car_path(member: Member) -> Path:
    """The CAR on disk, to be read at any offset: the file itself, else a scratch copy (zip member, gzip)."""
    if member.source.kind != "zip" and not member.gzipped:
        return member.source.member_path(member.name)
    target = member.source.scratch() / f"car{id(member)}.car"
    with member.open() as source, open(target, "wb") as copy:
        shutil.copyfileobj(source, copy, CHUNK)
    return target


def _write_records(member: Member, ctx: ReadContext, car: _Car, commit: dict[str, Any],
                   out: BinaryIO) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    try:
        for path, cid in _tree(car, commit["data"], member, ctx):
            if path.partition("/")[0] not in (POST, REPOST) and path != PROFILE:
                out.write(_line(commit["did"], None, "create", path, None, path))
                continue
            record = car.get(cid)
            if not isinstance(record, dict):
                ctx.skip(member, path, "record block missing from the CAR")
                continue
            if path == PROFILE:
                profile = record
            try:
                out.write(_line(commit["did"], None, "create", path, record, path))
            except orjson.JSONEncodeError:
                ctx.skip(member, path, "record nested too deeply to be a real record")
    except (KeyError, TypeError, UnicodeDecodeError) as exc:
        raise member.error(f"the CAR's record tree (MST) is malformed ({exc!r})") from None
    return profile


def _tree(car: _Car, root: bytes, member: Member, ctx: ReadContext) -> Iterator[tuple[str, bytes]]:
    """``(path, record CID)`` of the Merkle search tree under ``root``, in key order.

    Depth first, from a stack of what is left to do (a node to open, or an entry to give), in
    the order of a recursive walk: a node's ``l`` subtree, then each entry and its ``t`` subtree.
    Each node is visited once: a tree never reaches a node twice, and a crafted DAG that does
    (through ``l`` and an entry's ``t``) would otherwise be walked along every one of its paths.
    """
    visited: set[bytes] = set()
    stack: list[tuple[bytes, int] | tuple[str, bytes, None]] = [(root, 0)]
    while stack:
        item = stack.pop()
        if len(item) == 3:
            yield item[0], item[1]
            continue
        cid, depth = item
        if not isinstance(cid, bytes):
            raise member.error(f"the CAR's record tree (MST) is malformed (a link that is not a CID: {cid!r:.60})")
        if cid in visited:
            raise member.error("the CAR's record tree (MST) reaches the same node twice; it is not a tree, "
                               "so not a real repository", _cid_name(cid))
        visited.add(cid)
        node = car.get(cid)
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            ctx.skip(member, _cid_name(cid), "tree node missing from the CAR (partial export)")
            continue
        if depth > MAX_DEPTH:
            raise member.error(f"the CAR's record tree is deeper than {MAX_DEPTH} levels; "
                               "it cannot be a real repository")
        stack.extend(reversed(_opened(node, depth)))


def _opened(node: dict[str, Any], depth: int) -> list[tuple[bytes, int] | tuple[str, bytes, None]]:
    """What a tree node holds, in key order: its ``l`` subtree, then each entry and its ``t`` subtree."""
    items: list[tuple[bytes, int] | tuple[str, bytes, None]] = [(node["l"], depth + 1)] if node.get("l") else []
    key = b""
    for entry in node["e"]:
        key = key[: entry["p"]] + entry["k"]
        items.append((key.decode("utf-8"), entry["v"], None))
        if entry.get("t"):
            items.append((entry["t"], depth + 1))
    return items


class _Car:
    """A CAR file's blocks, each read from the file when asked for by its CID.

    A first pass notes where each block starts under the last 8 bytes of its CID (16 bytes a
    block, sorted for a binary search; a key two CIDs share is told apart by reading both). A
    repository decoded whole took 6 times its file's size (1.1 GB for a CAR of 190 MB).
    """

    def __init__(self, path: Path, member: Member) -> None:
        self.member = member
        self.file = open(path, "rb")  # noqa: SIM115 (closed by __exit__)
        self.size = path.stat().st_size
        try:
            self.roots, start = self._header()
            keys, offsets = self._index(start)
        except BaseException:
            self.file.close()
            raise
        order = np.argsort(keys, kind="stable")
        self.keys, self.offsets = keys[order], offsets[order]

    def __enter__(self) -> _Car:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def _header(self) -> tuple[list[Any], int]:
        head = os.pread(self.file.fileno(), 10, 0)
        length, start = _varint(head, 0)
        data = os.pread(self.file.fileno(), length or 0, start) if (length or 0) <= self.size else b""
        try:
            header = libipld.decode_dag_cbor(data) if length and len(data) == length else None
        except ValueError:
            header = None
        if not length or not isinstance(header, dict) or not isinstance(header.get("roots"), list):
            raise self.member.error("not a readable CAR file (its header is not a DAG-CBOR map with `roots`); "
                                    "the export may be truncated")
        return header["roots"], start + length

    def _index(self, start: int) -> tuple[np.ndarray[Any, np.dtype[np.uint64]], np.ndarray[Any, np.dtype[np.uint64]]]:
        keys, offsets = array("Q"), array("Q")
        buffer, base, at = b"", start, 0  # buffer holds the file's bytes from `base`
        while base + at < self.size:
            if len(buffer) - at < 256:  # read again from the block's start (the last one freed first)
                base, at, buffer = base + at, 0, b""
                self.file.seek(base)
                buffer = self.file.read(CHUNK)
            length, cid_at = _varint(buffer, at)
            where = f"block {len(keys) + 1} (byte {base + at})"
            cid_length = _cid_length(buffer, cid_at) if length else None
            if not length or cid_length is None or cid_length > length:
                raise self.member.error("not a readable CAR file (no block length and CID there); "
                                        "the export may be damaged", where)
            if base + cid_at + length > self.size:
                raise self.member.error(f"not a readable CAR file: the file ends {base + cid_at + length - self.size} "
                                        "bytes into this block; the export may be truncated", where)
            cid_end = cid_at + cid_length
            keys.append(int.from_bytes(buffer[max(cid_at, cid_end - 8):cid_end], "little"))
            offsets.append(base + at)
            at = cid_at + length
        return (np.frombuffer(keys, dtype=np.uint64) if keys else np.empty(0, np.uint64),
                np.frombuffer(offsets, dtype=np.uint64) if offsets else np.empty(0, np.uint64))

    def get(self, cid: bytes) -> Any:
        """The decoded block of this CID, or None when the CAR does not hold it."""
        if not isinstance(cid, bytes):
            return None
        key, keys = int.from_bytes(cid[-8:], "little"), self.keys
        place = int(keys.searchsorted(np.uint64(key)))
        while place < len(keys) and keys.item(place) == key:
            offset = self.offsets.item(place)
            head = os.pread(self.file.fileno(), 1024, offset)  # most blocks whole
            length, data_at = _varint(head, 0)
            end = data_at + (length or 0)
            section = head[data_at:end] if end <= len(head) else os.pread(self.file.fileno(), end - data_at,
                                                                             offset + data_at)
            if section.startswith(cid) and _cid_length(section, 0) == len(cid):
                return self._decode(section[len(cid):], cid, offset)
            place += 1
        return None

    def _decode(self, data: bytes, cid: bytes, offset: int) -> Any:
        try:
            return libipld.decode_dag_cbor(data)
        except ValueError as exc:
            raise self.member.error(f"the CAR's block is not valid DAG-CBOR ({exc}); the export may be damaged",
                                    f"{_cid_name(cid)} (byte {offset})") from None


def _cid_name(value: Any) -> str:
    """A CID's text form; what a crafted tree holds instead of a link, shown as it is."""
    try:
        return str(libipld.encode_cid(value))
    except (ValueError, TypeError):
        return f"(not a CID: {value!r:.60})"


def _cid_length(data: bytes, start: int) -> int | None:
    """The length of the binary CID at ``start``: 34 bytes for a v0 (a bare SHA-256 multihash), else
    version, codec, hash code and digest length as varints, then the digest."""
    prefix = data[start:start + 4]
    if prefix in SHA256_CIDS:
        return 36
    if prefix[:2] == b"\x12\x20":
        return 34
    at = start
    for _ in range(3):
        value, at = _varint(data, at)
        if value is None:
            return None
    digest, at = _varint(data, at)
    return None if digest is None else at + digest - start


def _car_owner(member: Member, ctx: ReadContext, did: str, profile: dict[str, Any],
               people: dict[str, Person]) -> None:
    handle = _owner_handle(member, ctx)
    name = profile.get("displayName") if isinstance(profile.get("displayName"), str) else None
    people[did] = Person(handle, name or None)
    description = profile.get("description")
    ctx.account(member, platform="bluesky", account=handle or did, account_id=did, display_name=name or None,
                description=description if isinstance(description, str) and description else None,
                url=f"https://bsky.app/profile/{handle or did}",
                created_at=parse_time(profile.get("createdAt") if isinstance(profile.get("createdAt"), str) else None),
                is_owner=True)


def _owner_handle(member: Member, ctx: ReadContext) -> str | None:
    if ctx.options.account:
        return ctx.options.account.strip().lstrip("@").lower() or None
    found = CAR_NAME.match(member.basename)
    if found:
        return found.group("handle").lower()
    ctx.note(f"{member.name}: the CAR does not hold the handle and the file name does not give it; "
             "posts are filed under the DID (give --account to name it)")
    return None


# --- firehose commit events (DAG-JSON) -------------------------------------------------------


def _firehose_lines(member: Member, ctx: ReadContext) -> Path:
    """Write the records carried by firehose commit events as Jetstream-shaped lines."""
    target = member.source.scratch() / f"firehose{id(member)}.jsonl"
    events = 0
    with open(target, "wb") as out:
        for index, event in _json_values(member):
            events += _is_event(event)
            for line in _event_lines(event, str(index), member, ctx):
                out.write(line)
    if not events:
        raise member.error("holds no firehose commit event (an object with `repo`, `ops` and `blocks`), "
                           "nor a list or lines of them, though it carries a CAR slice: not an export")
    return target


def _is_event(event: Any) -> bool:
    return isinstance(event, dict) and isinstance(event.get("ops"), list) and bool(event.get("repo"))


def _json_values(member: Member) -> Iterator[tuple[int, Any]]:
    """The file's JSON value (an event or a list of events), or one value a line."""
    text = member.read_text()
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        yield from _json_lines(member, text)
        return
    yield from enumerate(value if isinstance(value, list) else [value])


def _json_lines(member: Member, text: str) -> Iterator[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise member.error(f"not valid JSON ({exc}); the file may be truncated", number) from None


def _event_lines(event: Any, where: str, member: Member, ctx: ReadContext) -> Iterator[bytes]:
    if not _is_event(event):
        ctx.skip(member, where, "not a firehose commit event")
        return
    blocks = _event_blocks(event, where, member)
    if blocks is None:
        ctx.skip(member, where, "commit event without its blocks (tooBig)")
        return
    time = parse_time(event.get("time") if isinstance(event.get("time"), str) else None)
    time_us = int(time.timestamp() * 1_000_000) if time else None
    seq = f"seq {event.get('seq')}" if event.get("seq") is not None else f"event {where}"
    for op in event["ops"]:
        line = _op_line(event["repo"], time_us, op, blocks, f"{seq} {op.get('path')}", member, ctx)
        if line is not None:
            yield line


def _event_blocks(event: dict[str, Any], where: str, member: Member) -> dict[str, Any] | None:
    raw = event.get("blocks")
    if not isinstance(raw, dict) or not isinstance(raw.get("$bytes"), str):
        return None
    try:
        data = base64.b64decode(raw["$bytes"] + "=" * (-len(raw["$bytes"]) % 4))
        _, blocks = libipld.decode_car(data)
    except ValueError as exc:
        raise member.error(f"the event's blocks are not a readable CAR ({exc})", where) from None
    return {libipld.encode_cid(cid): value for cid, value in blocks.items()}


def _op_line(did: str, time_us: int | None, op: Any, blocks: dict[str, Any], where: str,
             member: Member, ctx: ReadContext) -> bytes | None:
    action, path = op.get("action"), op.get("path")
    if not isinstance(path, str) or "/" not in path or action not in ("create", "update", "delete"):
        ctx.skip(member, where, "firehose operation without an action and a path")
        return None
    cid = op.get("cid", {}).get("$link") if isinstance(op.get("cid"), dict) else None
    record = blocks.get(cid) if cid else None
    if action != "delete" and not isinstance(record, dict):
        ctx.skip(member, where, "record block missing from the event")
        return None
    return _line(did, time_us, action, path, record, where)


# --- shared -------------------------------------------------------------------------------


def _line(did: str, time_us: int | None, operation: str, path: str, record: dict[str, Any] | None,
          where: str) -> bytes:
    collection, _, rkey = path.partition("/")
    event = {"did": did, "time_us": time_us, "kind": "commit", "_record": where,
             "commit": {"operation": operation, "collection": collection, "rkey": rkey, "record": record}}
    return orjson.dumps(event, default=_cid_text) + b"\n"


def _cid_text(value: Any) -> str:
    """CIDs (links, blob references) as their text form; other bytes as base64."""
    if isinstance(value, bytes):
        try:
            return str(libipld.encode_cid(value))
        except ValueError:
            return base64.b64encode(value).decode()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _shape(files: dict[Path, Member], people: dict[str, Person],
           ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
    """Posts and reposts as canonical rows, after a light first read that says what the rest is.

    When no post repeats, the store reads the files itself (:class:`SqlQuery`: in parallel, no pass
    through Python); else they are shaped here and streamed in file order, so that the first wins.
    """
    con = connect()
    member = member_case(files)
    paths = "[" + ", ".join(sql_string(str(p)) for p in files) + "]"
    first = _FirstPass(ctx)
    try:
        for batch in con.sql(FIRST_PASS.format(member=member, read=READ.format(files=paths, columns=PASS_COLUMNS))
                             ).to_arrow_reader(BATCH_ROWS):
            first.take(batch)
    except duckdb.Error as exc:
        raise _error(exc, files) from None
    repeats = first.finish(people, {m.name: p for p, m in files.items()})
    read = READ.format(files=paths, columns=EVENT_COLUMNS)
    if not repeats:
        con.close()
        del first
        pa.default_memory_pool().release_unused()  # 70 MB the first read left, while the store reads
        dids = sorted(people)
        params = {"dids": dids, "handles": [people[d].handle for d in dids], "names": [people[d].name for d in dids]}
        sql = SHAPE.format(member=member, read=read, **JOINED)
        yield SqlQuery(f"SELECT {', '.join(ROW_SCHEMA.names)} FROM ({sql})", params, tuple(files.values()),
                       paths=files, memory=QUERY_MEMORY, reread=True)
        return
    handles = _Handles(people)
    try:
        for batch in con.sql(SHAPE.format(member=member, read=read, **PLAIN)).to_arrow_reader(BATCH_ROWS):
            yield _complete(handles.apply(batch), ctx).select(ROW_SCHEMA.names).cast(ROW_SCHEMA)
    except duckdb.Error as exc:
        raise _error(exc, files) from None


def _line_count(path: Path) -> int:
    """The lines of a file, a last one without its line break included."""
    lines, last = 0, b"\n"
    with open(path, "rb") as stream:
        while chunk := stream.read(8 * 1024 * 1024):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


class _FirstPass:
    """The rows of :data:`FIRST_PASS`: counts for the note, skips, handles, and whether a post repeats.

    With ``ignore_errors`` DuckDB gives one row per non-blank line, in order: a member's n-th row is
    its line n when it has as many rows as lines (checked in :meth:`finish`, only when an example
    needs it; with blank lines the examples say the line is unknown).
    """

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.others: Counter[str] = Counter()
        self.rows: Counter[str] = Counter()
        self.numbered: list[int] = []
        self.identities: dict[str, tuple[int, str]] = {}
        self.keys: list[np.ndarray[Any, np.dtype[np.uint64]]] = []
        self.posts = 0

    def take(self, batch: pa.RecordBatch) -> None:
        if batch.column("other").null_count < batch.num_rows:
            self._count(batch)
        if batch.column("identity_did").null_count < batch.num_rows:
            self._identities(batch.filter(pc.is_valid(batch.column("identity_did"))))
        if batch.column("missing").null_count < batch.num_rows:
            self._missing(batch.filter(pc.is_valid(batch.column("missing"))))
        keys = batch.column("key").drop_null()
        self.posts += len(keys)
        self.keys.append(keys.to_numpy())
        for item in pc.value_counts(batch.column("source_member")).to_pylist():
            self.rows[item["values"]] += item["counts"]

    def _count(self, batch: pa.RecordBatch) -> None:
        for item in pc.value_counts(batch.column("other")).to_pylist():
            if item["values"]:
                self.others[item["values"]] += item["counts"]
            elif item["values"] == "":
                self._unreadable(batch, pc.equal(batch.column("other"), ""), item["counts"])

    def _unreadable(self, batch: pa.RecordBatch, unreadable: pa.Array, total: int) -> None:
        """Count the unreadable lines; the first three are examples with their line number."""
        members = batch.column("source_member")
        room = max(0, 3 - self.ctx.skipped[UNREADABLE])
        for index in pc.indices_nonzero(unreadable).to_pylist()[:room]:
            member = members[index].as_py()
            before = pc.sum(pc.equal(members.slice(0, index), member)).as_py() or 0
            self.numbered.append(len(self.ctx.examples))
            self.ctx.skip(member, self.rows[member] + before + 1, UNREADABLE)
        self.ctx.skipped[UNREADABLE] += total - min(total, room)

    def _identities(self, events: pa.RecordBatch) -> None:
        rows = events.select(["identity_did", "handle", "time_us"]).to_pydict()
        for did, handle, time in zip(rows["identity_did"], rows["handle"], rows["time_us"], strict=True):
            when = -1 if time is None else time
            if when >= self.identities.get(did, (-2, ""))[0]:
                self.identities[did] = (when, handle)

    def _missing(self, rows: pa.RecordBatch) -> None:
        found = rows.select(["source_member", "source_record", "missing"]).to_pydict()
        for member, record, missing in zip(*found.values(), strict=True):
            self.ctx.skip(member, record, f"missing {missing}")

    def finish(self, people: dict[str, Person], paths: dict[str, Path]) -> bool:
        """Report what is not a post; give the handles to ``people``; whether a post may repeat."""
        counted: dict[str, bool] = {}
        for index in self.numbered:
            example = self.ctx.examples[index]
            if example.member not in counted:
                counted[example.member] = _line_count(paths[example.member]) == self.rows[example.member]
            record = f"line {example.record}" if counted[example.member] else \
                "(unknown: the file has blank lines, which the JSON reader passes over)"
            self.ctx.examples[index] = Skip(example.member, record, example.reason)
        if self.others:
            self.ctx.note("not posts: " + ", ".join(f"{what}: {n}" for what, n in sorted(self.others.items())))
        for did, (_, handle) in self.identities.items():
            people.setdefault(did, Person(handle.lower()))
        return _repeats(self.keys, self.posts)


def _repeats(parts: list[np.ndarray[Any, np.dtype[np.uint64]]], total: int) -> bool:
    """Whether a key hash occurs twice among ``parts`` (``total`` of them; the list is emptied).

    Sorted in one numpy array of 8 bytes a key, each part freed once copied: 80 MB for 10 M posts,
    where Arrow's ``unique`` over the same keys built a hash table of about a gigabyte."""
    keys = np.empty(total, dtype=np.uint64)
    filled = 0
    for part in _drained(parts):
        keys[filled:filled + len(part)] = part
        filled += len(part)
    keys.sort()
    return bool(np.any(keys[1:] == keys[:-1]))


def _drained(items: list[Any]) -> Iterator[Any]:
    """The items of ``items``, each removed from it as it is given (so that it can be freed)."""
    items.reverse()
    while items:
        yield items.pop()


class _Handles:
    """The handles and names known, put into the rows of :data:`SHAPE` run without joins (:data:`PLAIN`)."""

    def __init__(self, people: dict[str, Person]) -> None:
        dids = sorted(people)
        self.dids = pa.array(dids, pa.string())
        self.handles = pa.array([people[d].handle for d in dids], pa.string())
        self.names = pa.array([people[d].name for d in dids], pa.string())

    def apply(self, posts: pa.RecordBatch) -> pa.RecordBatch:
        if not len(self.dids) or not posts.num_rows:
            return posts
        at = pc.index_in(posts.column("account_id"), value_set=self.dids)
        account = pc.coalesce(pc.take(self.handles, at), posts.column("account_id"))
        changed = {
            "account": account, "account_name": pc.take(self.names, at),
            "in_reply_to_account": self._handle(posts.column("in_reply_to_account_id")),
            "repost_of_account": self._handle(posts.column("repost_of_account")),
            "permalink": pc.if_else(pc.is_null(posts.column("permalink")), pa.scalar(None, pa.string()),
                                    pc.binary_join_element_wise(PROFILE_URL, account, "/post/",
                                                                 posts.column("rkey"), "")),
        }
        return pa.RecordBatch.from_arrays(
            [changed.get(name, posts.column(name)) for name in posts.schema.names],
            schema=pa.schema([f.with_type(pa.string()) if f.name in changed else f for f in posts.schema]))

    def _handle(self, dids: pa.Array) -> pa.Array:
        return pc.coalesce(pc.take(self.handles, pc.index_in(dids, value_set=self.dids)), dids)


def _error(exc: duckdb.Error, files: dict[Path, Member]) -> Exception:
    text = str(exc).strip().splitlines()[0][:300]
    member = next((m for p, m in files.items() if str(p) in text), next(iter(files.values())))
    for path in files:
        text = text.replace(str(path), member.name)
    return member.error(f"cannot be read as Bluesky events ({text})")


def _skip_many(ctx: ReadContext, member_name: str, count: int, reason: str, record: str = "") -> None:
    """Count ``count`` skipped records at once, keeping one example."""
    if ctx.skipped[reason] < 3:
        ctx.examples.append(Skip(member_name, record or "(the JSON reader does not give line numbers)", reason))
    ctx.skipped[reason] += count


def _complete(batch: pa.RecordBatch, ctx: ReadContext) -> pa.RecordBatch:
    """The batch without rows that miss a required field (counted as skipped)."""
    missing = [pc.is_null(batch.column(name)) for name in REQUIRED]
    bad = missing[0]
    for mask in missing[1:]:
        bad = pc.or_(bad, mask)
    if not pc.any(bad).as_py():
        return batch
    for index in pc.indices_nonzero(bad).to_pylist():
        row = {name: batch.column(name)[index].as_py() for name in (*REQUIRED, "source_member", "source_record")}
        names = ", ".join(n for n in REQUIRED if row[n] is None)
        _skip_many(ctx, str(row["source_member"]), 1, f"missing {names}", str(row["source_record"]))
    return batch.filter(pc.invert(bad))


IMPORTER = BlueskyImporter()
