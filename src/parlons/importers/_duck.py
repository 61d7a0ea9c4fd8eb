"""Helpers for importers that transform their input with DuckDB SQL (the vectorized path).

- a private connection (:func:`connect`), SQL literals and names (:func:`sql_string`, :func:`sql_name`),
  the member of a multi-file scan (:func:`member_case`), JavaScript-wrapped JSON (:func:`strip_js_wrapper`);
- SQL building blocks: entities from text with the semantics of :mod:`parlons.normalize`
  (:func:`sql_mentions`, :func:`sql_hashtags`, :func:`sql_urls`; DuckDB's regex ``\\b`` and ``\\w``
  only know ASCII, so the patterns spell out Unicode classes), timestamps (:func:`sql_time`), handles
  (:func:`sql_handle`), lists (:func:`sql_list`, :func:`sql_unique`);
- streaming the canonical rows of a query as Arrow batches: :func:`query_batches` (every row kept),
  :func:`stream_checked` (rows with a ``problem`` are counted skips) and :func:`checked_batches` (rows
  with a ``skip_reason`` are counted skips, DuckDB failures become an :class:`InputError` naming the member);
- CSV: the ``read_csv`` call for a file with a header row (:func:`csv_scan`) and the first pass that
  numbers its records with their physical lines and collects the rows DuckDB rejects (:func:`index_csv`);
- what the X importers share: :data:`X_TIME`, :data:`NOT_LANGUAGES` and the :data:`TWEET_MACROS`.
"""

from __future__ import annotations

import csv
import errno
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .. import engine
from ..errors import InputError
from ..sources import Member
from ._base import BATCH_ROWS, ROW_SCHEMA, ReadContext

__all__ = [
    "CSV_BUFFER",
    "CSV_TOO_LONG",
    "MAX_CSV_RECORD",
    "NOT_LANGUAGES",
    "TWEET_MACROS",
    "X_TIME",
    "LongRecord",
    "Progress",
    "blame",
    "bounded_csv_records",
    "checked_batches",
    "connect",
    "csv_names",
    "csv_scan",
    "index_csv",
    "kept_batches",
    "long_csv_records",
    "member_case",
    "query_batches",
    "sql_handle",
    "sql_hashtags",
    "sql_list",
    "sql_mentions",
    "sql_name",
    "sql_string",
    "sql_time",
    "sql_unique",
    "sql_urls",
    "stream_checked",
    "strip_js_wrapper",
]

SELECT_COLUMNS = ", ".join(ROW_SCHEMA.names)
JS_END = b" \t\r\n;"
"""What may follow the array of a ``window.X = [...]`` file: whitespace and a semicolon."""


def connect(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for one importer run, whose queries keep the order of what they read.

    Its memory limit is ``memory_limit``, else the store's (``$PARLONS_MEMORY_LIMIT``, else 1 GB): a
    lowered limit bounds the importer's DuckDB too, and a raised one gives an importer that ran out of
    memory the room the failure's message advises."""
    limit = memory_limit or os.environ.get(engine.MEMORY_ENV) or engine.DEFAULT_MEMORY_LIMIT
    con = engine.connect(memory_limit=limit, preserve_insertion_order=True)
    con.execute(KEEP_ORDER)
    return con


KEEP_ORDER = "SET disabled_optimizers = 'in_clause'"
"""Rows come out of a shaping query in the order they were read: records are numbered, the first of
two rows with one key wins, and a stream stopped by a bad line resumes after the last line it passed
on. DuckDB keeps the order of a scan through projections and filters, but turns ``x IN (...)`` of
five constants or more (and ``list_contains`` of such a list) into a join, which gives the order up."""


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    """A quoted SQL identifier (column or table name)."""
    return '"' + name.replace('"', '""') + '"'


def member_case(paths: dict[Path, Member], column: str = "filename") -> str:
    """A SQL CASE mapping DuckDB's ``filename`` column back to member names."""
    whens = " ".join(f"WHEN {column} = {sql_string(str(p))} THEN {sql_string(m.name)}"
                     for p, m in paths.items())
    return f"CASE {whens} END"


def query_batches(con: duckdb.DuckDBPyConnection, sql: str,
                  params: Sequence[Any] | dict[str, Any] | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a query whose columns are the canonical row columns, as record batches."""
    relation = con.sql(f"SELECT {SELECT_COLUMNS} FROM ({sql})", params=params)
    reader = relation.to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        yield batch.cast(ROW_SCHEMA) if batch.schema != ROW_SCHEMA else batch


def strip_js_wrapper(member: Member, pattern: re.Pattern[str], what: str, target: Path | None = None) -> Path:
    """Copy a ``window.X = [...]`` file without its JavaScript prefix, for DuckDB's JSON reader.

    DuckDB reads a file from its first byte, so the array needs a file of its own. A plain UTF-8
    file on disk is copied by the kernel (``copy_file_range``: no pass through Python, and about a
    quarter of the CPU of a read-and-write loop), from the end of the prefix to its closing ``]``;
    a zip or gzip member, or UTF-16 text, is streamed through Python as it is decoded.

    The copy goes to ``target`` when given (a file read already is written over in place, then cut
    to its length: new pages of the file cache cost most on a virtual machine that gives freed memory
    back to its host, see ``docs/performance.md``), else to a new scratch file.

    Raises the member's :class:`InputError` when the prefix is not the expected one, or when the
    array does not end with ``]`` (a truncated file; a plain file is checked before the copy).
    """
    head = member.head(4096).decode(member.encoding(), errors="replace").lstrip("\ufeff")
    match = pattern.match(head)
    if match is None:
        raise member.error(f"expected the JavaScript wrapper {what} at the start of the file")
    target = target or member.source.scratch() / f"js{id(member)}.json"
    prefix = head[: match.end()]
    if member.encoding() in ("utf-8", "utf-8-sig") and member.source.kind != "zip" and not member.gzipped:
        start = len(prefix.encode("utf-8")) + (3 if member.encoding() == "utf-8-sig" else 0)
        _copy_array(member, member.source.member_path(member.name), start, target)
    else:
        _stream_array(member, prefix, target)
    return target


_TRUNCATED = "the JavaScript array does not end with `]` (nor `];`): the file is truncated"
_NO_KERNEL_COPY = (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM)
"""What ``copy_file_range`` answers where the kernel or the file system does not offer it: copy in Python."""


def _copy_array(member: Member, source: Path, start: int, target: Path) -> None:
    """Copy ``source`` from byte ``start`` to its closing ``]``, in the kernel where it can."""
    with open(source, "rb") as src:
        end = _array_end(src)
        if end is None or end <= start:
            raise member.error(_TRUNCATED)
        with _over(target) as dst:
            offset = _kernel_copy(src, dst, start, end)
            src.seek(offset)
            while offset < end and (chunk := src.read(min(4 * 1024 * 1024, end - offset))):
                dst.write(chunk)
                offset += len(chunk)
            dst.truncate(offset - start)
    if offset < end:  # the file shrank meanwhile
        raise member.error(_TRUNCATED)


def _over(target: Path) -> BinaryIO:
    """``target`` opened to be written from its start: over its bytes if it exists (cut by the caller)."""
    return open(target, "r+b" if target.exists() else "wb")


def _kernel_copy(src: BinaryIO, dst: BinaryIO, start: int, end: int) -> int:
    """Copy bytes ``start`` to ``end`` with ``copy_file_range``; the offset reached (``start`` if unavailable)."""
    offset = start
    copy = getattr(os, "copy_file_range", None)
    try:
        while copy is not None and offset < end and (done := copy(src.fileno(), dst.fileno(), end - offset, offset)):
            offset += done
    except OSError as exc:
        if exc.errno not in _NO_KERNEL_COPY or offset != start:
            raise
    return offset


def _array_end(stream: BinaryIO, block: int = 65536) -> int | None:
    """The offset just after the file's last ``]`` when only whitespace and ``;`` follow it, else None."""
    end = stream.seek(0, os.SEEK_END)
    while end > 0:
        start = max(0, end - block)
        stream.seek(start)
        data = stream.read(end - start).rstrip(JS_END)
        if data:
            return start + len(data) if data.endswith(b"]") else None
        end = start
    return None


def _stream_array(member: Member, prefix: str, target: Path) -> None:
    """Copy a zip or gzip member (or UTF-16 text, transcoded) without ``prefix`` nor what ends the array."""
    utf8 = member.encoding() in ("utf-8", "utf-8-sig")
    skip = len(prefix.encode("utf-8")) + (3 if member.encoding() == "utf-8-sig" else 0)
    with (member.open() if utf8 else open(member.local_path(), "rb")) as src, _over(target) as dst:
        src.read(skip)
        last = _copy_but_tail(src, dst)
        dst.truncate()
    if last != b"]":
        raise member.error(_TRUNCATED)


def _copy_but_tail(src: BinaryIO, dst: BinaryIO) -> bytes:
    """Copy ``src`` without the whitespace and ``;`` that end it; return the last byte copied."""
    held, last = b"", b""
    while chunk := src.read(4 * 1024 * 1024):
        data = held + chunk
        cut = len(data.rstrip(JS_END))
        if cut:
            dst.write(data[:cut])
            last = data[cut - 1:cut]
        held = data[cut:]
    return last


# --- SQL building blocks -------------------------------------------------------------------

_WORD = r"\p{L}\p{N}_"
_SPACE = r"\s\x{0b}\x{1c}-\x{1f}\x{85}\p{Z}"
MENTION_RE = rf"(?:^|[^{_WORD}@/])@[A-Za-z0-9_]{{1,30}}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{{2,}})?"
"""A mention with the character before it (RE2 has no look-behind; capture groups are 4x slower)."""
HASHTAG_RE = rf"(?:^|[^{_WORD}&/])#[{_WORD}]*[\p{{L}}\p{{Nl}}\p{{No}}_][{_WORD}]*"
URL_RE = rf"https?://[^{_SPACE}<>\"'»)\]]+[^{_SPACE}<>\"'»)\].,;:!?]"
X_TIME = "%a %b %d %H:%M:%S %z %Y"
_TIME_FORMATS = (X_TIME, "%a, %d %b %Y %H:%M:%S %z", "%Y-%m-%d %H:%M:%S %z")


def sql_unique(items: str) -> str:
    """A list without repeats or nulls, first occurrences in order.

    ``items`` is repeated: give a column, not an expensive expression.
    """
    return (f"list_filter({items}, lambda x, i: x IS NOT NULL "
            f"AND list_position({items}, x) = i)")


def sql_handle(value: str, platform: str) -> str:
    """SQL for :func:`parlons.normalize.handle` of ``value`` on ``platform`` (null when empty)."""
    v = f"trim({value})"
    if platform == "x":
        return f"nullif(ltrim({v}, '@'), '')"
    if platform == "bluesky":
        return f"nullif(lower(ltrim({v}, '@')), '')"
    if platform != "mastodon":
        return f"nullif({v}, '')"
    user = f"split_part(ltrim({v}, '@'), '@', 1)"
    host = f"lower(split_part(ltrim({v}, '@'), '@', 2))"
    url_user = (f"ltrim(regexp_extract(rtrim(regexp_extract({v}, '^https?://[^/?#]*([^?#]*)', 1), '/'), "
                f"'([^/]*)$', 1), '@')")
    url_host = f"lower(regexp_extract({v}, '^https?://(?:[^@/?#]*@)?([^/:?#]+)', 1))"
    return (f"nullif(CASE WHEN {v} = '' THEN '' "
            f"WHEN regexp_matches({v}, '^https?://') THEN '@' || {url_user} || '@' || {url_host} "
            f"WHEN {host} <> '' THEN '@' || {user} || '@' || {host} ELSE '@' || {user} END, '')")


def _extract(text: str, marker: str, pattern: str) -> str:
    """Matches of ``pattern`` in ``text`` without what precedes ``marker`` (run only if it occurs)."""
    found = f"regexp_extract_all({text}, {sql_string(pattern)})"
    if marker != "://":
        found = f"list_transform({found}, lambda m: m[CASE WHEN m[1] = '{marker}' AND m[2] <> '{marker}' " \
                f"THEN 2 ELSE 3 END:])"
    return f"CASE WHEN contains({text}, '{marker}') THEN {found} ELSE [] END"


def sql_mentions(text: str, platform: str = "x") -> str:
    """Handles mentioned in ``text``, as :func:`parlons.normalize.mentions_in` (repeats kept).

    ``text`` must not be null; wrap the result's column in :func:`sql_unique`.
    """
    raw = _extract(text, "@", MENTION_RE)
    if platform in ("x", "generic"):
        return raw
    return f"list_transform({raw}, lambda h: {sql_handle('h', platform)})"


def sql_hashtags(text: str) -> str:
    """Hashtags in ``text`` without ``#``, as :func:`parlons.normalize.hashtags_in` (repeats kept)."""
    return _extract(text, "#", HASHTAG_RE)


def sql_urls(text: str) -> str:
    """Links written in ``text``, as :func:`parlons.normalize.urls_in` (repeats kept)."""
    return _extract(text, "://", URL_RE)


def sql_time(value: str) -> str:
    """A TIMESTAMPTZ from ISO 8601, epoch seconds or milliseconds, or the X/RFC 822 styles.

    Epoch rule: a number of 1e11 or more (12 digits) is milliseconds, a smaller one seconds
    (fractions allowed). Needs the session time zone set to UTC (naive times are UTC).
    """
    v = f"trim({value})"
    number = f"TRY_CAST({v} AS DOUBLE)"
    micros = f"round({number} * CASE WHEN abs({number}) >= 1e11 THEN 1000 ELSE 1000000 END)"
    epoch = (f"CASE WHEN regexp_full_match({v}, '-?[0-9]{{1,16}}(\\.[0-9]+)?') "
             f"THEN try(make_timestamp({micros}::BIGINT)::TIMESTAMPTZ) END")
    formats = ", ".join(f"try_strptime({v}, {sql_string(f)})" for f in _TIME_FORMATS)
    return f"coalesce(try_cast({value} AS TIMESTAMPTZ), {epoch}, {formats})"


def sql_list(value: str) -> str:
    """A VARCHAR[] from a JSON array, a DuckDB list literal or a comma/space separated string."""
    v = f"trim({value})"
    split = f"list_filter(regexp_split_to_array({v}, '[,\\s]+'), lambda s: s <> '')"
    return (f"CASE WHEN {v} IS NULL THEN NULL "
            f"WHEN starts_with({v}, '[') THEN coalesce(try(from_json({v}, '[\"VARCHAR\"]')), "
            f"try_cast({v} AS VARCHAR[]), {split}) ELSE {split} END")


# --- Streaming checked rows ----------------------------------------------------------------

def stream_checked(con: duckdb.DuckDBPyConnection, sql: str, member: Member, ctx: ReadContext,
                   unlocated: list[int] | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a query of the canonical columns plus ``problem``: rows with a problem are skipped.

    Each skipped row is counted under its problem, with its ``source_record`` as the example;
    rows without a ``source_record`` are only counted in ``unlocated[0]``, for the caller to
    find (and count) in a second pass.
    """
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        problem = batch.column("problem")
        if problem.null_count < batch.num_rows:
            bad = batch.filter(pc.is_valid(problem))
            for reason, record in zip(bad.column("problem").to_pylist(),
                                      bad.column("source_record").to_pylist(), strict=True):
                if record is None and unlocated is not None:
                    unlocated[0] += 1
                else:
                    ctx.skip(member, record, reason)
            batch = batch.filter(pc.is_null(problem))
        if batch.num_rows:
            batch = batch.select(ROW_SCHEMA.names)
            yield batch.cast(ROW_SCHEMA) if batch.schema != ROW_SCHEMA else batch


@dataclass
class Progress:
    """How far a stream of rows went: rows seen and the last record (line number) seen."""

    rows: int = 0
    last: int = 0


def checked_batches(con: duckdb.DuckDBPyConnection, sql: str, ctx: ReadContext,
                    paths: dict[Path, Member], *, params: dict[str, Any] | None = None,
                    also: Sequence[str] = (),
                    seen: Callable[[pa.RecordBatch], None] | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a shaping query's canonical rows; rows whose ``skip_reason`` is set are counted skips.

    The query yields the canonical columns, ``skip_reason`` and the ``also`` columns (handed with the
    kept rows to ``seen``). A DuckDB failure becomes an :class:`InputError` naming the member whose
    file the message mentions (else the first one).
    """
    try:
        yield from kept_batches(con, sql, ctx, paths, params, also, seen, None)
    except (duckdb.Error, pa.ArrowException, OSError) as exc:
        raise blame(exc, paths) from None


def kept_batches(con: duckdb.DuckDBPyConnection, sql: str, ctx: ReadContext, paths: dict[Path, Member],
                 params: dict[str, Any] | None, also: Sequence[str],
                 seen: Callable[[pa.RecordBatch], None] | None,
                 progress: Progress | None, *, counted: bool = False,
                 lines: Callable[[pa.Array], pa.Array] | None = None) -> Iterator[pa.RecordBatch]:
    """:func:`checked_batches` without turning DuckDB failures into errors, for callers that recover.

    With ``progress``, only whole lines are passed on (see :func:`_whole_lines`) and ``progress``
    tells how far the stream went, so that reading can resume after the last line passed on.
    With ``counted``, ``source_record`` is each row's place from 1 (see :func:`_counted`). With
    ``lines`` (a :meth:`~._lines.LineMap.lines`), the places the query or the count gives are turned
    into line numbers.
    """
    members = {m.name: m for m in paths.values()}
    columns = ", ".join([*(f'"{n}"' for n in ROW_SCHEMA.names), "skip_reason", *also])
    reader = con.sql(f"SELECT {columns} FROM ({sql})", params=params).to_arrow_reader(BATCH_ROWS)
    try:
        batches: Iterable[pa.RecordBatch] = reader
        if counted:
            batches = _counted(reader, lines)
        elif lines is not None:
            batches = _renumbered(reader, lines)
        yield from _kept(batches, ctx, members, seen, progress)
    finally:
        reader.close()  # the connection takes no other query while a result is open


def _counted(reader: Iterable[pa.RecordBatch], lines: Callable[[pa.Array], pa.Array] | None
             ) -> Iterator[pa.RecordBatch]:
    """The batches with ``source_record`` each row's place in the stream, from 1 (through ``lines``).

    For a query that gives one row per record of a file, in order, that is the record's place:
    DuckDB keeps a parallel read's order into the stream, where ``row_number() OVER ()`` would put
    the whole read on one thread.
    """
    done, places = 0, pa.array(range(BATCH_ROWS), pa.int64())
    for batch in reader:
        if batch.num_rows > len(places):
            places = pa.array(range(batch.num_rows), pa.int64())
        numbers = pc.add(places.slice(0, batch.num_rows), done + 1)
        if lines is not None:
            numbers = lines(numbers)
        done += batch.num_rows
        yield batch.set_column(batch.schema.get_field_index("source_record"), "source_record",
                               numbers.cast(pa.string()))


def _renumbered(reader: Iterable[pa.RecordBatch], lines: Callable[[pa.Array], pa.Array]
                ) -> Iterator[pa.RecordBatch]:
    """The batches with ``source_record`` (a record's place from 1, as text) turned by ``lines``."""
    for batch in reader:
        if batch.num_rows == 0:
            yield batch
            continue
        places = batch.column("source_record").cast(pa.int64())
        numbers = lines(places)
        if numbers is not places:
            batch = batch.set_column(batch.schema.get_field_index("source_record"), "source_record",
                                     numbers.cast(pa.string()))
        yield batch


def _kept(reader: Iterable[pa.RecordBatch], ctx: ReadContext, members: dict[str, Member],
          seen: Callable[[pa.RecordBatch], None] | None, progress: Progress | None) -> Iterator[pa.RecordBatch]:
    held: list[pa.RecordBatch] = []
    for batch in reader:
        if progress is None:
            yield from _emit(batch, ctx, members, seen, progress)
            continue
        ready, held = _whole_lines(held, batch)
        for part in ready:
            yield from _emit(part, ctx, members, seen, progress)
    for part in held:
        yield from _emit(part, ctx, members, seen, progress)


def _whole_lines(held: list[pa.RecordBatch], batch: pa.RecordBatch
                 ) -> tuple[list[pa.RecordBatch], list[pa.RecordBatch]]:
    """Rows of the lines known to be complete, and the rows of the last line, held back.

    A line may give many rows (a twarc2 page) and a batch may end in the middle of one; holding its
    rows back until the next batch means that a stream stopped by a bad line has passed on whole
    lines only, so reading can resume at the next line without losing or repeating a row. Rows come
    in line order, so the last line's rows end the batch: they are cut off as a slice (no copy).
    """
    if batch.num_rows == 0:
        return [], held
    records = batch.column("source_record")
    last = pc.equal(records, records[-1])
    count = pc.sum(last).as_py()
    if pc.all(last.slice(batch.num_rows - count)).as_py():
        done, rest = batch.slice(0, batch.num_rows - count), batch.slice(batch.num_rows - count)
    else:
        done, rest = batch.filter(pc.invert(last)), batch.filter(last)
    if done.num_rows == 0:
        return [], [*held, rest]
    return [*held, done], [rest]


def _emit(batch: pa.RecordBatch, ctx: ReadContext, members: dict[str, Member],
          seen: Callable[[pa.RecordBatch], None] | None, progress: Progress | None) -> Iterator[pa.RecordBatch]:
    if batch.num_rows == 0:
        return
    reasons = batch.column("skip_reason")
    kept = batch
    if reasons.null_count < batch.num_rows:
        keep = pc.is_null(reasons)
        _count_skips(batch.filter(pc.invert(keep)), ctx, members)
        kept = batch.filter(keep)
    if progress is not None:
        progress.rows += batch.num_rows
        progress.last = int(batch.column("source_record")[-1].as_py())
    if kept.num_rows:
        if seen is not None:
            seen(kept)
        yield kept.select(ROW_SCHEMA.names).cast(ROW_SCHEMA)


def _count_skips(bad: pa.RecordBatch, ctx: ReadContext, members: dict[str, Member]) -> None:
    if bad.num_rows == 0:
        return
    rows = bad.select(["source_member", "source_record", "skip_reason"]).to_pydict()
    reasons = rows["skip_reason"]
    for index, reason in enumerate(reasons):
        if ctx.skipped[reason] < 3:
            ctx.skip(members[rows["source_member"][index]], rows["source_record"][index], reason)
        else:
            ctx.skipped[reason] += 1


def blame(exc: Exception, paths: Mapping[Path, Member], importer: str | None = None) -> InputError:
    """The :class:`InputError` for a DuckDB failure, naming the member whose file the message mentions
    (else the first); with ``importer``, "cannot be read as" it."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    member = next((m for p, m in paths.items() if str(p) in str(exc)), next(iter(paths.values())))
    for path, named in paths.items():
        message = message.replace(str(path), named.name)
    return member.error(f"cannot be read{f' as {importer}' if importer else ''}: {message[:300]}")


# --- CSV -----------------------------------------------------------------------------------

MAX_CSV_RECORD = 8 * 1024 * 1024
"""The one rule for over-long CSV records, in every CSV reader: a record (one row, quoted line
breaks included) longer than this is skipped and counted with its first physical line under
:data:`CSV_TOO_LONG`; the rest of the file is read. DuckDB's readers take it as ``max_line_size``;
:func:`long_csv_records` finds such records itself, because DuckDB drops a record longer than its
buffer without reporting it; row-by-row readers use :func:`bounded_csv_records`."""
CSV_TOO_LONG = "CSV record longer than 8 MB"
CSV_BUFFER = 4 * MAX_CSV_RECORD
"""DuckDB's ``buffer_size`` for CSV files: records between 8 MB and this are rejected by DuckDB;
longer ones are found by :func:`long_csv_records`."""


@dataclass(frozen=True)
class LongRecord:
    """A CSV record longer than :data:`MAX_CSV_RECORD`: its rank (header = 1), first line, lines."""

    rank: int
    line: int
    lines: int


def long_csv_records(path: Path, limit: int = MAX_CSV_RECORD) -> list[LongRecord]:
    """The records of a CSV file (RFC 4180 quotes) longer than ``limit`` bytes, in one pass.

    A record ends at a line break outside quotes: where the count of ``"`` so far is even (an
    escaped quote is doubled). Only counts are kept, so memory stays small whatever the lines.
    """
    if path.stat().st_size <= limit:
        return []
    found: list[LongRecord] = []
    state = _RecordScan()
    with open(path, "rb") as stream:
        while chunk := stream.read(4 * 1024 * 1024):
            pieces = chunk.split(b"\n")
            for piece in pieces[:-1]:
                state.end_line(len(piece) + 1, piece.count(b'"'), limit, found)
            state.extend(len(pieces[-1]), pieces[-1].count(b'"'))
    if state.pending or state.length:
        state.end_line(0, 0, limit, found)
    return found


class _RecordScan:
    """Where :func:`long_csv_records` is: the current record's rank, start, length and quote parity."""

    def __init__(self) -> None:
        self.rank, self.line, self.start, self.length, self.odd, self.pending = 0, 0, 1, 0, False, 0
        self.pending_quotes = 0

    def extend(self, size: int, quotes: int) -> None:
        self.pending += size
        self.pending_quotes += quotes

    def end_line(self, size: int, quotes: int, limit: int, found: list[LongRecord]) -> None:
        self.line += 1
        self.length += self.pending + size
        self.odd ^= bool((self.pending_quotes + quotes) % 2)
        self.pending = self.pending_quotes = 0
        if self.odd:
            return
        self.rank += 1
        if self.length > limit:
            found.append(LongRecord(self.rank, self.start, self.line - self.start + 1))
        self.start, self.length = self.line + 1, 0


def bounded_csv_records(stream: TextIO, limit: int = MAX_CSV_RECORD,
                        **dialect: Any) -> Iterator[tuple[int, list[str] | None]]:
    """``(first line, fields)`` of each CSV record, for readers that go row by row in Python.

    A record longer than ``limit`` characters gives ``(line, None)``: count it as a skip under
    :data:`CSV_TOO_LONG`. ``stream`` is a text stream opened with ``newline=""``; it is read by
    pieces of at most ``limit`` characters, so memory stays bounded however long a line is. A field
    may fill its record: Python's CSV field limit is raised to ``limit`` while a record is parsed,
    then put back, so no caller has to raise it. A record the CSV grammar refuses raises
    :class:`csv.Error` naming its first line (``record at line N: ...``), for the caller to name the file.
    """
    pending = _PendingRecord(limit)
    while piece := stream.readline(limit + 1):
        pending.add(piece)
        if piece.endswith(("\n", "\r")) and not pending.odd:
            yield pending.take(dialect)
    if pending.length:
        yield pending.take(dialect)


class _PendingRecord:
    """The record being read by :func:`bounded_csv_records`: its pieces (up to the limit), parity."""

    def __init__(self, limit: int) -> None:
        self.limit, self.line, self.start = limit, 0, 1
        self.pieces: list[str] = []
        self.length, self.odd = 0, False

    def add(self, piece: str) -> None:
        if self.length <= self.limit:
            self.pieces.append(piece)
        self.length += len(piece)
        self.odd ^= bool(piece.count('"') % 2)
        self.line += piece.endswith(("\n", "\r"))

    def take(self, dialect: dict[str, Any]) -> tuple[int, list[str] | None]:
        start, text, too_long = self.start, "".join(self.pieces), self.length > self.limit
        self.start, self.pieces, self.length, self.odd = self.line + 1, [], 0, False
        if too_long:
            return start, None
        previous = csv.field_size_limit(max(csv.field_size_limit(), self.limit))
        try:
            return start, next(csv.reader([text], **dialect), [])
        except csv.Error as exc:
            raise csv.Error(f"record at line {start}: {exc}") from None
        finally:
            csv.field_size_limit(previous)


def csv_scan(member: Member) -> tuple[str, list[str]]:
    """The ``read_csv`` call for a CSV with a header row (all VARCHAR, RFC 4180 quotes) and its columns.

    The delimiter is the most frequent of ``, ; tab |`` in the header line (DuckDB's sniffer can
    be misled by one bad row in its sample); names are the header's, repeats numbered.
    """
    header = (member.head_text(65536).splitlines() or [""])[0]
    delimiter = max(",;\t|", key=header.count)
    names = csv_names(next(csv.reader([header], delimiter=delimiter), []))
    columns = ", ".join(f"{sql_string(n)}: 'VARCHAR'" for n in names)
    return (f"read_csv({sql_string(str(member.local_path()))}, columns = {{{columns}}}, header = true, "
            f"auto_detect = false, delim = {sql_string(delimiter)}, quote = '\"', escape = '\"', "
            f"strict_mode = true, max_line_size = {MAX_CSV_RECORD}, buffer_size = {CSV_BUFFER})"), names


def csv_names(header: Sequence[str]) -> list[str]:
    """Column names for DuckDB: an empty one (pandas' index column) becomes ``column<n>``, repeats numbered."""
    names: list[str] = []
    for index, raw in enumerate(header):
        name = raw if raw.strip() else f"column{index}"
        names.append(name if name not in names else f"{name}_{len(names) + 1}")
    return names


_REJECTS = {"TOO MANY COLUMNS": "CSV row with too many fields",
            "MISSING COLUMNS": "CSV row with too few fields",
            "UNQUOTED VALUE": "CSV row with a stray or unterminated quote",
            "LINE SIZE OVER MAXIMUM": CSV_TOO_LONG,
            "INVALID ENCODING": "CSV row that is not valid UTF-8",
            "INVALID UNICODE": "CSV row that is not valid UTF-8"}


def with_rejects(read: str, table: str, scan: str) -> str:
    """``read`` (a ``read_csv(...)`` call) storing the rows DuckDB rejects in temp tables ``table`` and ``scan``.

    Reading on past a bad row needs it: with ``ignore_errors`` alone and ``strict_mode``, DuckDB 2.0 ends
    the read without a word at an unterminated quote, and every later row is lost. Every pass over a CSV
    member reads it so; the first one (:func:`index_csv`) reads the rejected rows back.
    """
    return read[:-1] + f", store_rejects = true, rejects_table = '{table}', rejects_scan = '{scan}')"


def index_csv(con: duckdb.DuckDBPyConnection, number: int, read: str, columns: Sequence[str],
              first_line: int, extra: str = "", long: Sequence[LongRecord] = ()) -> list[tuple[int, str]]:
    """Pass 1 over one CSV member: number its records in table ``csv_index``, return rejected rows.

    ``read`` is a ``read_csv(...)`` call without rejects options; ``number`` identifies the member
    in ``csv_index (m, rn, line, after{extra})``: ``rn`` is the record's rank in file order
    (``row_number() OVER ()`` streams in file order, on one thread: keep this pass light),
    ``line`` its physical first line, quoted line breaks counted. Returns ``(line, reason)`` for
    each row DuckDB rejected. A second, parallel pass joins ``line`` back by a key column.
    ``long`` are the records :func:`long_csv_records` found: those DuckDB dropped without a word
    are rejected rows too.
    """
    breaks = " + ".join(f"coalesce(strlen({c}) - strlen(replace({c}, chr(10), '')), 0)"
                        for c in map(sql_name, columns))
    scan = with_rejects(read, f"rejects_{number}", f"scans_{number}")
    select = f"""
      SELECT {number} AS m, rn, {first_line} + through - span AS line, {first_line} + through AS after{extra}
      FROM (SELECT *, row_number() OVER () AS rn,
                   sum(span) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS through
            FROM (SELECT *, 1 + {breaks} AS span FROM {scan}))"""
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'csv_index'").fetchall()
    con.execute(f"INSERT INTO csv_index {select}" if exists[0][0] else
                f"CREATE TEMP TABLE csv_index AS {select}")
    return _rejected(con, number, first_line, long)


def _rejected(con: duckdb.DuckDBPyConnection, number: int, first_line: int,
              long: Sequence[LongRecord]) -> list[tuple[int, str]]:
    """Physical lines of the rows DuckDB rejected; the following records' lines are shifted."""
    dropped = " UNION ALL ".join(f"SELECT {r.rank} AS rec, 'LINE SIZE OVER MAXIMUM' AS kind, {r.lines} AS span"
                                 for r in long) or "SELECT NULL::BIGINT AS rec, NULL AS kind, NULL AS span WHERE false"
    con.execute(f"""
      CREATE OR REPLACE TEMP TABLE rejected AS
      WITH d AS (SELECT line AS rec, min(error_type)::VARCHAR AS kind,
                        rtrim(min(csv_line), chr(13) || chr(10)) AS raw
                 FROM rejects_{number} GROUP BY line),
      r AS (SELECT rec, kind, 1 + length(raw) - length(replace(raw, chr(10), '')) AS span FROM d
            UNION ALL SELECT * FROM ({dropped}) WHERE rec NOT IN (SELECT rec FROM d)),
      k AS (SELECT rec, kind, rec - 1 - row_number() OVER (ORDER BY rec) AS good_before, span FROM r)
      SELECT *, coalesce(sum(span) OVER (ORDER BY rec ROWS BETWEEN UNBOUNDED PRECEDING
                                                       AND 1 PRECEDING), 0) AS spans_before FROM k""")
    found = con.execute(f"""
      SELECT coalesce(i.after, {first_line}) + r.spans_before AS line, r.kind
      FROM rejected r LEFT JOIN csv_index i ON i.m = {number} AND i.rn = r.good_before
      ORDER BY r.rec""").fetchall()
    if found:
        con.execute(f"""
          UPDATE csv_index SET line = csv_index.line + a.extra FROM (
            SELECT i.rn, r.extra FROM (FROM csv_index WHERE m = {number}) i
            ASOF JOIN (SELECT good_before, max(spans_before + span) AS extra
                       FROM rejected GROUP BY good_before) r ON i.rn > r.good_before) a
          WHERE csv_index.m = {number} AND csv_index.rn = a.rn""")
    return [(int(line), _REJECTS.get(kind, f"CSV row DuckDB rejected ({kind.lower()})"))
            for line, kind in found]


# --- Shared by the X importers -------------------------------------------------------------

NOT_LANGUAGES = "('und', 'qme', 'qht', 'qam', 'qct', 'qst', 'qin', 'zxx')"
"""Codes X puts in ``lang`` that are not languages (undetermined, media only, hashtags only...)."""

TWEET_MACROS = (
    "CREATE OR REPLACE TEMP MACRO find_user(users, uid) AS list_filter(users, lambda u: u.id = uid)[1]",
    "CREATE OR REPLACE TEMP MACRO list_distinct_ordered(items) AS "
    "list_filter(items, lambda x, i: x IS NOT NULL AND list_position(items, x) = i)",
    "CREATE OR REPLACE TEMP MACRO media_kind(kind) AS CASE kind WHEN 'photo' THEN 'image' "
    "WHEN 'animated_gif' THEN 'gif' WHEN 'video' THEN 'video' ELSE 'other' END",
    "CREATE OR REPLACE TEMP MACRO client_name(src) AS CASE WHEN src LIKE '%<%' "
    "THEN nullif(trim(regexp_extract(src, '>([^<]*)<', 1)), '') ELSE nullif(trim(src), '') END",
)
"""Macros the tweet-shaping queries use: ``find_user``, ``list_distinct_ordered``, ``media_kind`` (X's
media types) and ``client_name`` (the app's name from X's ``source`` HTML)."""
