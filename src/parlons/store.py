"""The embedded store: one DuckDB file holding the ``posts`` and ``accounts`` tables.

An import is one transaction: rows are written into ``posts``, then keys written more than once
``(platform, post_id)`` are resolved (existing posts are kept; engagement counts that were unknown
are filled in), and the whole is committed only when every file of the command was read. A
failure rolls back to exactly the store as it was.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ._launch import was_interrupted
from .engine import DEFAULT_MEMORY_LIMIT, MEMORY_ENV, connect, store_failure
from .errors import OutputError, StoreError, UsageError
from .importers._base import ROW_SCHEMA, Written
from .known import Known, Repeated
from .model import ACCOUNT_FIELDS, POST_FIELDS, duckdb_columns
from .outputs import check_output_folder

__all__ = ["DEFAULT_MEMORY_LIMIT", "DEFAULT_STORE", "MEMORY_ENV", "STORE_ENV", "MergeResult", "Stamp",
           "Store", "resolve_store_path"]

STORE_ENV = "PARLONS_STORE"
DEFAULT_STORE = "parlons.duckdb"
STORE_FILE = "parlons.duckdb"
COUNTS = ("like_count", "repost_count", "reply_count", "quote_count")


def resolve_store_path(value: str | os.PathLike[str] | None = None) -> Path:
    """The store file: ``value``, else ``$PARLONS_STORE``, else ``./parlons.duckdb``.

    A directory (existing, or a path ending with a separator) holds ``parlons.duckdb``.
    """
    raw = os.fspath(value) if value is not None else os.environ.get(STORE_ENV) or DEFAULT_STORE
    path = Path(raw).expanduser()
    try:
        is_dir = path.is_dir()
    except OSError as exc:
        raise _unreachable(path, exc) from None
    if is_dir or raw.endswith(("/", os.sep)):
        return path / STORE_FILE
    return path


def _unreachable(path: Path, exc: OSError) -> StoreError:
    return StoreError(f"cannot reach the store {path}: {exc.strerror or exc}; give --store a path in a "
                      "folder you can open and write")


_MAGIC = {b"SQLite format 3\0": "a SQLite database", b"PK\x03\x04": "a zip archive", b"PAR1": "a Parquet file"}


def _kind_of(head: bytes) -> str:
    """What a file that is not a DuckDB database seems to be, for the message that refuses it."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    if not head:
        return "an empty file"
    if b"\0" in head or (not head.decode("utf-8", "replace")[:-1].isprintable() and b"\n" not in head):
        return "a file of another kind"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "a JSON file" if text[:1] in (b"{", b"[") else "a CSV or text file"


def check_store_file(path: Path) -> None:
    """Refuse an existing file that is not a DuckDB database (a CSV, JSON, SQLite file...)."""
    try:
        if not path.exists():
            return
        with path.open("rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        raise _unreachable(path, exc) from None
    if head[8:12] != b"DUCK":
        raise StoreError(f"{path} is {_kind_of(head)}, not a parlons store; give --store a new path or an "
                         "existing parlons store (a .duckdb file written by `parlons import`)")


@dataclass(frozen=True)
class Stamp:
    """The provenance stamped on every row of one importer's output."""

    source_file: str
    importer: str
    importer_version: str
    imported_at: datetime


@dataclass(frozen=True)
class MergeResult:
    """What merging the staged rows did."""

    staged: int
    duplicates_in_input: int
    already_stored: int
    inserted: int
    counts_updated: int
    duplicate_examples: tuple[tuple[str, str, str, str], ...] = ()
    """Up to ten repeated keys: (source_file, source_member, source_record, post_id)."""


class Store:
    """A parlons store backed by one DuckDB file (or ``:memory:``)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
                 memory_limit: str | None = None) -> None:
        self.path = Path(":memory:") if str(path) == ":memory:" else resolve_store_path(path)
        self.read_only = read_only
        self.created = False
        self.prefilter = True
        """Whether a careful import leaves out the rows already stored (:mod:`parlons.known`)."""
        self._known: Known | None = None
        self._lowered: str | None = None
        """The memory limit the store set within :meth:`_bounded_memory` (None outside, or when not lowered)."""
        self._failed_step: str | None = None
        """The limit of the step that failed last, outside it (:meth:`_limits`)."""
        self._cached_rows = 0
        """Rows the store's queries wrote in this import since DuckDB last dropped its cache (:meth:`_drop_cache`)."""
        try:  # Ctrl-C included, at any moment once the file may exist: a file this object created goes
            self.con = self._connect(memory_limit)
            self._own_setting = self._memory_setting()
            self._check_tables()
        except BaseException:
            self.discard()
            raise

    def _connect(self, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
        target = str(self.path)
        if target != ":memory:":
            self._prepare_file()
        limit = memory_limit or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
        self.memory_limit = limit
        try:
            con = connect(target, read_only=self.read_only, memory_limit=limit)
        except duckdb.Error as exc:
            raise self._failure(exc, "opening it") from None
        if target != ":memory:" and not self.read_only:
            # Only this process holds the store now: spill files in <store>.tmp are a killed run's.
            shutil.rmtree(self.path.with_name(self.path.name + ".tmp"), ignore_errors=True)
        return con

    def _prepare_file(self) -> None:
        """Check the path before DuckDB opens it."""
        check_store_file(self.path)
        try:
            exists = self.path.exists()
            if self.read_only and not exists:
                raise StoreError(f"there is no store at {self.path}; run `parlons import` first "
                                 f"or give --store (or ${STORE_ENV})")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _unreachable(self.path, exc) from None
        self.created = not exists

    def _check_tables(self) -> None:
        """A DuckDB file is a parlons store when it holds ``posts`` and ``accounts``, or nothing yet."""
        tables = {name for (name,) in self._run("opening it", "SELECT table_name FROM duckdb_tables() "
                                                "WHERE database_name = current_database()").fetchall()}
        if tables and not {"posts", "accounts"} <= tables:
            raise StoreError(f"{self.path} is a DuckDB database but not a parlons store (it has no posts and "
                             "accounts tables); give --store a new path or an existing parlons store")
        if self.read_only and not tables:
            raise StoreError(f"the store {self.path} is empty; run `parlons import` into it first")
        if not self.read_only:
            self._run("creating its tables", f"CREATE TABLE IF NOT EXISTS posts (\n  {duckdb_columns(POST_FIELDS)}\n)")
            self._run("creating its tables",
                      f"CREATE TABLE IF NOT EXISTS accounts (\n  {duckdb_columns(ACCOUNT_FIELDS)}\n)")

    def _failure(self, exc: duckdb.Error, doing: str) -> StoreError:
        """The :class:`StoreError` for any DuckDB failure on the store's side."""
        return store_failure(exc, self.path, doing, limit=self._limits()) or StoreError(
            f"the store {self.path} failed while {doing}: {_first_line(exc)}")

    def _limits(self) -> str:
        """The store's memory limit, and the lower one of the step under way or that just failed, if any."""
        lowered = self._lowered or self._failed_step
        step = f"; {lowered} for this step" if lowered is not None else ""
        return f"{self.memory_limit}{step}"

    def _run(self, doing: str, sql: str, params: list[Any] | Mapping[str, Any] | None = None
             ) -> duckdb.DuckDBPyConnection:
        """Execute on the store; a DuckDB failure becomes a :class:`StoreError` saying what was being done."""
        try:
            return self.con.execute(sql, params or [])
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:
            raise self._failure(exc, doing) from None

    def close(self) -> None:
        if hasattr(self, "con"):  # not yet when the connection itself failed or was interrupted
            self.con.close()

    def discard(self) -> None:
        """Close, and delete the store file if this object created it (a failed first import)."""
        with suppress(duckdb.Error):
            self.close()
        if self.created:
            self._remove_files()

    def _remove_files(self) -> None:
        for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(self.path.with_name(self.path.name + ".tmp"), ignore_errors=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: commits when the block ends normally, else rolls back.

        A Ctrl-C that DuckDB swallowed during a query (it can, when the query ends at that moment)
        still rolls back: the commit checks :func:`parlons._launch.was_interrupted`.

        Rows go straight into ``posts`` (written once, spilled to disk within the memory limit);
        :meth:`merge` then resolves repeated keys among them. The work tables are created before
        the transaction begins: DuckDB 2.0 loses the rows of a large parallel insert into a table
        created inside the same transaction.
        """
        with self.doing("preparing the import"):
            self.con.execute("CREATE OR REPLACE TEMP TABLE staged_accounts AS FROM accounts LIMIT 0")
            self.con.execute("CREATE OR REPLACE TEMP TABLE accounts_unique AS FROM accounts LIMIT 0")
            self.con.execute("CREATE OR REPLACE TEMP TABLE clash (platform VARCHAR, post_id VARCHAR, keep BIGINT, "
                             f"stored BOOLEAN, {', '.join(f'{c} BIGINT' for c in COUNTS)}, rid BIGINT)")
            self._stored_before = self._scalar("SELECT count(*) FROM posts")
            self._careful_rows = 0
            self._cached_rows = 0  # an earlier import's rows are in the file: they count no more
            self._distinct_rows: int | None = None  # rows checked to repeat no key (_insert_unordered)
            self._now: datetime | None = None
            self.con.execute("BEGIN TRANSACTION")
        try:
            yield
            if was_interrupted():
                raise KeyboardInterrupt
            with self.doing("committing the import"):
                self.con.execute("COMMIT")
        except BaseException:
            with suppress(duckdb.Error):
                self.con.rollback()
            raise
        finally:
            if self._known is not None:
                self._known.close()
                self._known = None

    @contextmanager
    def _bounded_memory(self, limit: str) -> Iterator[None]:
        """DuckDB's memory limit is at most ``limit`` within the block (the connection's own if lower).

        DuckDB keeps the blocks it has written cached up to its limit: without a lower limit while
        batches are written (:data:`STAGING_MEMORY_LIMIT`), the peak of an import grows with the size
        of the file up to the limit, on top of the importer's own DuckDB; the merge's hash tables
        (:data:`MERGE_MEMORY_LIMIT`) spill to disk beyond theirs instead of growing with the import.
        The limit is set back after (unless it was changed meanwhile on the connection: then it is
        left as it was set). A :class:`SqlQuery`, where the store reads the file itself, has
        :data:`QUERY_MEMORY_LIMIT` or :data:`UNORDERED_MEMORY_LIMIT`. While the lookup of stored keys
        holds its hashes, a batch write gets that much less (:meth:`_make_room`). Each step's limit comes
        through :meth:`_scaled`: it grows with a store limit raised above the default."""
        outer = self._lowered
        if outer is None:
            self._failed_step = None
        if _bytes(limit) < min(_bytes(self._memory_setting()), _bytes(self.memory_limit)):
            self.con.execute(f"SET memory_limit = '{limit}'")
            self._lowered = self._memory_setting()
        try:
            yield
        except BaseException:
            if self._failed_step is None:  # the innermost step's, for the failure's message (:meth:`_limits`)
                self._failed_step = self._lowered
            raise
        finally:
            lowered, self._lowered = self._lowered, outer
            if lowered is not None and lowered != outer:
                with suppress(duckdb.Error):
                    if self._memory_setting() == lowered:
                        self.con.execute(f"SET memory_limit = '{_quote_limit(outer or self.memory_limit)}'")

    def _drop_cache(self) -> None:
        """DuckDB drops from its cache every block it does not hold pinned (see :data:`DROP_CACHE_ROWS`):
        its memory limit is :data:`DROP_CACHE_LIMIT` for an instant, then the store's own again.

        Only outside a block of :meth:`_bounded_memory`, with the store's own limit in force: DuckDB
        shows a limit rounded (``610.3 MiB``), so only the store's own is known exactly, to set back."""
        if self._lowered is not None or self._memory_setting() != self._own_setting:
            return
        self.con.execute(f"SET memory_limit = '{DROP_CACHE_LIMIT}'")
        self.con.execute(f"SET memory_limit = '{_quote_limit(self.memory_limit)}'")
        self._cached_rows = 0

    def _staging_limit(self) -> str:
        """:data:`STAGING_MEMORY_LIMIT`, less what the lookup of stored keys holds (at least
        :data:`LOOKUP_STAGING_FLOOR`): the store writes little while most rows are left out."""
        held = self._known.hashes.nbytes if self._known is not None else 0
        room = max(_bytes(self._scaled(STAGING_MEMORY_LIMIT)) - held, _bytes(self._scaled(LOOKUP_STAGING_FLOOR)))
        return f"{room / 1e6:.0f}MB"

    def _scaled(self, limit: str) -> str:
        """One step's memory limit (:data:`MERGE_MEMORY_LIMIT`...), grown in proportion when the store's own
        is above :data:`DEFAULT_MEMORY_LIMIT`: ``PARLONS_MEMORY_LIMIT=4GB`` gives every step four times its room,
        so that raising it, as a failure for want of memory advises, helps whichever step failed."""
        factor = _bytes(self.memory_limit) / _bytes(DEFAULT_MEMORY_LIMIT)
        if not 1 < factor < float("inf"):
            return limit
        return f"{_bytes(limit) * factor / 1e6:.0f}MB"

    def _make_room(self, cursor: duckdb.DuckDBPyConnection) -> None:
        """Within a batch write, once the lookup is built: its hashes take the room of DuckDB's cache.

        Set through ``cursor`` (the store's connection is running the write); the limit is global."""
        limit = self._staging_limit()
        if self._lowered is None or _bytes(limit) >= _bytes(self._lowered):
            return
        with suppress(duckdb.Error):
            cursor.execute(f"SET memory_limit = '{limit}'")
            self._lowered = str(cursor.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    @contextmanager
    def _threads(self, threads: int) -> Iterator[None]:
        """DuckDB's threads are at most ``threads`` within the block (set back after, unless changed meanwhile)."""
        before = int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        if before <= threads:
            yield
            return
        self.con.execute(f"SET threads = {int(threads)}")
        try:
            yield
        finally:
            with suppress(duckdb.Error):
                if int(self.con.execute("SELECT current_setting('threads')").fetchall()[0][0]) == threads:
                    self.con.execute(f"SET threads = {before}")

    def _memory_setting(self) -> str:
        return str(self.con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    @contextmanager
    def doing(self, what: str) -> Iterator[None]:
        """Turns a DuckDB failure inside the block into a :class:`StoreError` (Ctrl-C stays Ctrl-C)."""
        try:
            yield
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:
            raise self._failure(exc, what) from None

    def stage_batch(self, batch: pa.RecordBatch | pa.RecordBatchReader, stamp: Stamp, *, check: bool = True,
                    read_before: bool = False) -> tuple[int, list[tuple[str, str]]]:
        """Write one batch (or a stream of batches) of canonical rows, stamping provenance; see :meth:`stage_query`.

        The rows are already read: any DuckDB failure here is the store's. The count returned includes
        the rows left out as already stored (:meth:`_leave_out_stored`): they were read. ``read_before``:
        the rows are a file's imported before, so the lookup of stored keys starts at once; without it, the
        store asks (:meth:`_read_before`), and for a file imported before it starts at once too. A file of
        twarc2 tweets imported again so writes none of them: it wrote its first 100,000 rows
        (:data:`LOOKUP_AFTER`), which the merge then looked for among every stored key to delete them.
        """
        self._distinct_rows = None
        with self.doing("writing the imported posts"):
            self._now = stamp.imported_at
            left_before = self._known.rows if self._known is not None else 0
            if self._known is None and self._stored_before and self.prefilter and (
                    read_before or self._read_before(stamp)):
                self._look_up_before_writing()
            if self._stored_before and self.prefilter:
                batches = batch if isinstance(batch, pa.RecordBatchReader) else [batch]
                kept = self._leave_out_stored(batches, stamp.source_file)
                batch = pa.RecordBatchReader.from_batches(batch.schema, kept)
            self.con.register("incoming", batch)
            try:
                with self._bounded_memory(self._staging_limit()), self._threads(STAGING_THREADS):
                    written, dropped = self._stage_select("SELECT * FROM incoming", {}, stamp, check=check)
                left = (self._known.rows if self._known is not None else 0) - left_before
                return written + left, dropped  # rows left out as stored were read all the same
            finally:
                with suppress(duckdb.Error):
                    self.con.unregister("incoming")

    def _leave_out_stored(self, batches: Iterable[pa.RecordBatch], source: str) -> Iterator[pa.RecordBatch]:
        """The batches of a careful write, without the rows already stored once this import has
        written :data:`LOOKUP_AFTER` rows this way (:mod:`parlons.known`), or at once for a file imported before.

        A small import into a large store does not pay for the lookup (80 MB and about a second for
        10 M stored posts): the merge finds its few stored rows as before. A file imported before is
        looked up before its write begins (:meth:`stage_batch`): the merge would scan every stored key to find
        the rows written before the lookup began (a re-import of 10 M tweets: 1.3 s for the first 100,000).
        The lookup is read through a cursor (:meth:`_look_up`), a connection of its own, since the store's is
        running the ``INSERT`` these batches feed; it sees what was committed, that is, the posts stored
        before this import.
        """
        for batch in batches:
            if self._known is None and self._careful_rows >= LOOKUP_AFTER:
                self._look_up()
            self._careful_rows += batch.num_rows
            yield from (self._known.filter([batch], source) if self._known is not None else [batch])

    def _look_up(self) -> None:
        """Build the lookup of stored keys (:attr:`_known`) through a cursor, since the store's connection
        may be running the write its batches feed; within that write, its hashes then take the room of
        DuckDB's cache (:meth:`_make_room`)."""
        cursor = self.con.cursor()
        try:
            self._known = Known(cursor, _STORED, {"now": self._now}, COUNTS, _REQUIRED)
            self._make_room(cursor)
        finally:
            cursor.close()

    def _look_up_before_writing(self) -> None:
        """Build the lookup before a batch write begins, then drop the blocks of ``posts`` its read left in
        DuckDB's cache (:meth:`_drop_cache`).

        Built within the write, those blocks stayed cached up to the write's memory limit for the whole
        import (59 MB at 10 M stored posts), beside the hashes and the reader of the file: an X archive of
        10 M tweets imported again peaked at 619-629 MB, 560-572 with the drop, in as much time (41.9 s
        against 41.7). A file read before writes few rows, so the drop sends little of this import to
        DuckDB's temporary folder. The lookup is read on :data:`STAGING_THREADS`, as within the write: on
        every core, DuckDB's allocator kept more of it, and 1 M tweets imported again peaked at 489-495 MB
        instead of 425-428."""
        with self._threads(STAGING_THREADS):
            self._look_up()
        self._drop_cache()

    def stage_query(self, sql: str, params: Mapping[str, Any], stamp: Stamp, *, check: bool = True,
                    ordered: bool = True, reread: bool = False, order_free: bool = False, memory: str | None = None
                    ) -> tuple[int, list[tuple[str, str]]]:
        """Write the rows of a DuckDB query into ``posts``, stamping provenance.

        Returns how many rows were read (written, or left out as stored), and (with ``check``) the
        (member, record) of rows then dropped because a required field (id, account, time, text, kind)
        is missing. Without ``check`` they stay marked until :meth:`take_incomplete`: one pass per
        importer run instead of one per batch (a pass reads every row of this import written so far).

        The store's own connection runs the query and writes its rows on every core; without
        ``ordered``, in whatever order DuckDB's threads finish them (see :meth:`_insert_unordered`).
        With ``reread``, a file imported before (:meth:`_read_before`) is read by a DuckDB of its own,
        whose rows are written as batches (:meth:`_stage_streamed`; in any order when the query is not
        ``ordered`` or is ``order_free``): those already stored are then left out, not written and deleted by
        the merge.
        """
        self._now = stamp.imported_at
        if reread and self._read_before(stamp):
            return self._stage_streamed(sql, params, stamp, check=check, ordered=ordered and not order_free)
        return self._stage_select(sql, params, stamp, check=check, ordered=ordered, memory=memory)

    def _stage_select(self, sql: str, params: Mapping[str, Any], stamp: Stamp, *, check: bool = True,
                      ordered: bool = True, memory: str | None = None) -> tuple[int, list[tuple[str, str]]]:
        select = f"SELECT * REPLACE ({_COMPLETE}), {_stamp_sql()} FROM ({sql})"
        every = {**params, **_stamp_params(stamp)}
        inserted = (self._insert_query(select, every, memory=memory) if ordered
                    else self._insert_unordered(select, every))
        dropped = self.take_incomplete() if check else []
        return inserted - len(dropped), dropped

    def _read_before(self, stamp: Stamp) -> bool:
        """Whether rows of ``stamp``'s file were stored before this import (and stored keys are looked up)."""
        if not (self._stored_before and self.prefilter):
            return False
        with self.doing("reading the posts stored"):
            return bool(self.con.execute("SELECT 1 FROM posts WHERE source_file = $file AND imported_at <> $now "
                                         "LIMIT 1", {"file": stamp.source_file, "now": self._now}).fetchall())

    def _stage_streamed(self, sql: str, params: Mapping[str, Any], stamp: Stamp, *, check: bool,
                        ordered: bool = True) -> tuple[int, list[tuple[str, str]]]:
        """:meth:`stage_query` through :meth:`stage_batch`: the query runs in a DuckDB of its own.

        Without ``ordered``, its rows come as its threads finish them: each file of an X archive is read
        by a thread of its own, and in order the second file's rows waited for the first's. The first of
        a key given twice is then not known: if the rows written repeat a key, :class:`~parlons.known.Repeated`
        makes the import run again without the lookup, by the store's own query (files that repeat a post
        are rare, and a re-import writes few rows: telling costs little).

        What fails while reading (a file that became unreadable since) is raised as it was raised, not
        as the store's failure.
        """
        private = connect(memory_limit=self._scaled(STREAMED_MEMORY_LIMIT), preserve_insertion_order=ordered)
        failed: list[BaseException] = []
        before = -1 if ordered else self._last_row()

        def batches(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
            try:
                for batch in reader:
                    yield batch.select(ROW_SCHEMA.names).cast(ROW_SCHEMA)
            except BaseException as exc:
                failed.append(exc)
                raise

        try:
            private.execute("SET disabled_optimizers = 'in_clause'")  # keeps the order of what is read
            reader = private.sql(sql, params=dict(params)).to_arrow_reader(STREAMED_ROWS)
            staged = self.stage_batch(pa.RecordBatchReader.from_batches(ROW_SCHEMA, batches(reader)), stamp,
                                      check=check, read_before=True)
            if not ordered and self._repeats_after(before):
                raise Repeated(f"{stamp.source_file} repeats a post among the rows read in any order")
            return staged
        except StoreError:
            if failed:
                raise failed[0] from None
            raise
        finally:
            private.close()

    def _insert_query(self, select: str, params: Mapping[str, Any], *, ordered: bool = True,
                      memory: str | None = None) -> int:
        """``INSERT INTO posts`` the rows of ``select``: DuckDB reads, shapes and writes on every core,
        in order unless ``ordered`` is False, within ``memory`` if given (see ``SqlQuery.memory``)."""
        self._distinct_rows = None
        try:
            if self._cached_rows >= DROP_CACHE_ROWS:
                self._drop_cache()
            limit = self._scaled(memory or (QUERY_MEMORY_LIMIT if ordered else UNORDERED_MEMORY_LIMIT))
            with self._bounded_memory(limit), self._keeping_order(), self._setting("preserve_insertion_order", ordered):
                inserted = self._scalar(f"INSERT INTO posts BY NAME {select}", params)
            self._cached_rows += inserted
            return inserted
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.Error as exc:
            raise store_failure(exc, self.path, "writing the imported posts", strict=True,
                                limit=self._limits()) or exc from None

    def _insert_unordered(self, select: str, params: Mapping[str, Any]) -> int:
        """:meth:`_insert_query` without keeping the rows' order, and yet first-seen wins.

        A key written twice by one query would have its first row decided by the threads, not by
        the file: the rows of the query are then removed and written again in order. Telling costs
        one pass over the new rows' keys (0.1-0.14 s for 1 M generic JSON lines, 0.55 s for 10 M),
        written in order they cost a third more (1 M: 2.9-3.1 s against 4.6-4.8, three runs each);
        files that repeat a post are rare. The rows of the query are those after the last row id before
        it: DuckDB numbers a transaction's new rows after every row it can see. When they repeat no key
        and no other write follows, the merge takes their number as the count of keys instead of counting
        them again (:attr:`_distinct_rows`; any other write forgets it).
        """
        before = self._last_row()
        inserted = self._insert_query(select, params, ordered=False)
        if not self._repeats_after(before):
            self._distinct_rows = inserted
            return inserted
        with self.doing("writing the imported posts"), self._bounded_memory(self._scaled(MERGE_MEMORY_LIMIT)):
            self.con.execute("DELETE FROM posts WHERE rowid > $before", {"before": before})
        return self._insert_query(select, params)

    def _last_row(self) -> int:
        """The highest row id in ``posts`` (-1 when empty): the rows written next come after it."""
        with self.doing("writing the imported posts"):
            return self._scalar("SELECT coalesce(max(rowid), -1) FROM posts")

    def _repeats_after(self, before: int) -> bool:
        """Whether the rows after row id ``before`` (those of the last write) give a key twice (or two keys
        one hash: then as if they did)."""
        with self.doing("writing the imported posts"), self._bounded_memory(self._scaled(MERGE_MEMORY_LIMIT)):
            return self._scalar("SELECT count(*) - count(DISTINCT hash(platform, post_id)) FROM posts "
                                "WHERE rowid > $before", {"before": before}) > 0

    @contextmanager
    def _setting(self, name: str, value: bool) -> Iterator[None]:
        """DuckDB's boolean setting ``name`` is ``value`` within the block (set back after)."""
        before = bool(self.con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0])
        if before == value:
            yield
            return
        self.con.execute(f"SET {name} = {str(value).lower()}")
        try:
            yield
        finally:
            with suppress(duckdb.Error):
                self.con.execute(f"SET {name} = {str(before).lower()}")

    @contextmanager
    def _keeping_order(self) -> Iterator[None]:
        """Within the block, DuckDB does not turn ``IN (...)`` lists into joins, which lose the rows' order."""
        before = str(self.con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0])
        self.con.execute(f"SET disabled_optimizers = {_literal(_with_item(before, 'in_clause'))}")
        try:
            yield
        finally:
            with suppress(duckdb.Error):
                self.con.execute(f"SET disabled_optimizers = {_literal(before)}")

    def revise(self, stamp: Stamp, apply: Callable[[Written], None]) -> int:
        """Run an importer's :class:`~parlons.importers._base.Revision` on the rows it wrote in this import
        (this ``stamp``'s); how many rows it took out."""
        self._distinct_rows = None
        with self.doing("revising the imported posts"):
            known, source = self._known, stamp.source_file
            written = _WrittenRows(self.con, stamp, None if known is None else lambda where: known.count(
                self.con, source, where))
            try:
                apply(written)
            finally:
                written.close()
            return written.taken

    def take_incomplete(self) -> list[tuple[str, str]]:
        """Remove the rows of this import missing a required field; their (member, record)."""
        incomplete = f"imported_at = $now AND starts_with(post_id, {_INCOMPLETE})"
        with self.doing("writing the imported posts"):
            dropped = self.con.execute(f"SELECT source_member, coalesce(source_record, '') FROM posts "
                                       f"WHERE {incomplete}", {"now": self._now}).fetchall()
            if dropped:
                self._distinct_rows = None
                self.con.execute(f"DELETE FROM posts WHERE {incomplete}", {"now": self._now})
        return [(str(m), str(r)) for m, r in dropped]

    def stage_accounts(self, rows: list[dict[str, Any]], stamp: Stamp) -> None:
        if not rows:
            return
        from .importers._base import ACCOUNT_ROW_SCHEMA

        table = pa.Table.from_pylist(rows, schema=ACCOUNT_ROW_SCHEMA)
        self.con.register("incoming_accounts", table)
        self._run("writing the imported accounts", "INSERT INTO staged_accounts BY NAME "
                  f"SELECT *, {_stamp_sql()} FROM incoming_accounts", _stamp_params(stamp))
        with suppress(duckdb.Error):
            self.con.unregister("incoming_accounts")

    def merge(self) -> MergeResult:
        """Resolve keys written more than once: the first row of each ``(platform, post_id)`` wins.

        A post already in the store stays as it was, except that engagement counts it did not know
        are filled in from the newer import.
        """
        with self.doing("merging the imported posts"), self._bounded_memory(self._scaled(MERGE_MEMORY_LIMIT)):
            return self._merge()

    def _merge(self) -> MergeResult:
        now = {"now": self._now}
        left, rows_left = 0, 0
        staged = self._scalar("SELECT count(*) FROM posts WHERE imported_at = $now", now)
        if self._known is not None:  # rows left out as stored (parlons.known): checked, and their keys counted
            written = "imported_at = $now" if staged else None
            left, rows_left = self._known.settle(self.con, _STORED, now, written), self._known.rows
        unique = staged if staged == self._distinct_rows else self._scalar(
            "SELECT count(DISTINCT hash(platform, post_id)) FROM posts WHERE imported_at = $now", now)
        if unique < staged:  # a repeated key, or two keys of the same hash: the exact count
            unique = self._scalar("SELECT count(*) FROM (SELECT DISTINCT platform, post_id FROM posts "
                                  "WHERE imported_at = $now)", now)
        already, updated = 0, 0
        examples: tuple[tuple[str, str, str, str], ...] = ()
        if unique < staged:
            self._find_clashes()
            already = self._scalar("SELECT count(*) FROM clash WHERE stored")
            examples = self._duplicate_examples()
            updated = self._fill_counts()
            self.con.execute("""
                DELETE FROM posts USING clash c
                WHERE posts.imported_at = $now AND posts.platform = c.platform AND posts.post_id = c.post_id
                  AND posts.rowid <> c.keep""", now)
        elif self._stored_before and staged:  # a re-import that wrote nothing has nothing to find
            self._find_stored()
            already = self._scalar("SELECT count(*) FROM clash")
            updated = self._fill_counts()
            self.con.execute("DELETE FROM posts WHERE rowid IN (SELECT rid FROM clash)")
        self._merge_accounts()
        return MergeResult(staged + rows_left, staged + rows_left - unique - left, already + left, unique - already,
                           updated, examples)

    def _find_clashes(self) -> None:
        """``clash``: one row per key written more than once, with the row to keep (the first), whether
        it was stored before, and per count the first value this import knows.

        One hash aggregate over the rows whose key this import wrote (a semi-join): no window, no
        per-row work table, so that re-importing a file costs about what importing it did.
        """
        firsts = ", ".join(f"arg_min({c}, rowid) FILTER (imported_at = $now AND {c} IS NOT NULL) AS {c}"
                           for c in COUNTS)
        self.con.execute(f"""
            INSERT INTO clash
            SELECT platform, post_id, min(rowid) AS keep, bool_or(imported_at <> $now) AS stored, {firsts},
                   NULL AS rid
            FROM posts SEMI JOIN (SELECT platform, post_id FROM posts WHERE imported_at = $now) n
                 USING (platform, post_id)
            GROUP BY platform, post_id
            HAVING count(*) > 1""", {"now": self._now})

    def _find_stored(self) -> None:
        """``clash`` when this import repeats no key within itself: its rows whose key is stored already.

        A hash join of this import's rows with the stored ones (each side once): the usual re-import
        of an overlapping export, about twice as fast as the general :meth:`_find_clashes`.
        """
        self.con.execute(f"""
            INSERT INTO clash
            SELECT n.platform, n.post_id, o.rowid AS keep, true AS stored, {', '.join(f'n.{c}' for c in COUNTS)},
                   n.rowid AS rid
            FROM (SELECT rowid, platform, post_id, {', '.join(COUNTS)} FROM posts WHERE imported_at = $now) n
            JOIN (SELECT rowid, platform, post_id FROM posts WHERE imported_at <> $now) o
              USING (platform, post_id)""", {"now": self._now})

    def _duplicate_examples(self) -> tuple[tuple[str, str, str, str], ...]:
        """Up to ten rows repeated within this import's input (not those already stored)."""
        rows = self.con.execute("""
            SELECT p.source_file, p.source_member, coalesce(p.source_record, ''), p.post_id
            FROM posts p JOIN clash c USING (platform, post_id)
            WHERE NOT c.stored AND p.rowid <> c.keep
            ORDER BY p.rowid LIMIT 10""").fetchall()
        return tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in rows)

    def _fill_counts(self) -> int:
        """Counts unknown to a post already stored, taken from the first newer row that knows them."""
        fills = ", ".join(f"{c} = coalesce(posts.{c}, s.{c})" for c in COUNTS)
        unknown = " OR ".join(f"(posts.{c} IS NULL AND s.{c} IS NOT NULL)" for c in COUNTS)
        return self._scalar(f"""
            UPDATE posts SET {fills} FROM clash s
            WHERE s.stored AND posts.rowid = s.keep AND ({unknown})""")

    def _merge_accounts(self) -> None:
        self.con.execute("""
            INSERT INTO staged_accounts BY NAME
            SELECT platform, account, any_value(account_id) AS account_id,
                   any_value(account_name) AS display_name, false AS is_owner,
                   any_value(source_file) AS source_file, any_value(source_member) AS source_member,
                   any_value(importer) AS importer, any_value(importer_version) AS importer_version,
                   any_value(imported_at) AS imported_at
            FROM posts WHERE imported_at = $now GROUP BY platform, account""", {"now": self._now})
        self.con.execute("""
            INSERT INTO accounts_unique BY NAME
            SELECT platform, account,
                   first(account_id ORDER BY is_owner DESC, rowid) FILTER (account_id IS NOT NULL) AS account_id,
                   first(display_name ORDER BY is_owner DESC, rowid) FILTER (display_name IS NOT NULL) AS display_name,
                   first(description ORDER BY rowid) FILTER (description IS NOT NULL) AS description,
                   first(url ORDER BY rowid) FILTER (url IS NOT NULL) AS url,
                   first(created_at ORDER BY rowid) FILTER (created_at IS NOT NULL) AS created_at,
                   bool_or(is_owner) AS is_owner,
                   first(source_file ORDER BY is_owner DESC, rowid) AS source_file,
                   first(source_member ORDER BY is_owner DESC, rowid) AS source_member,
                   first(importer ORDER BY is_owner DESC, rowid) AS importer,
                   first(importer_version ORDER BY is_owner DESC, rowid) AS importer_version,
                   first(imported_at ORDER BY is_owner DESC, rowid) AS imported_at
            FROM staged_accounts GROUP BY platform, account""")
        self.con.execute("""
            UPDATE accounts a SET
              account_id = coalesce(a.account_id, s.account_id),
              display_name = coalesce(a.display_name, s.display_name),
              description = coalesce(a.description, s.description),
              url = coalesce(a.url, s.url),
              created_at = coalesce(a.created_at, s.created_at),
              is_owner = a.is_owner OR s.is_owner
            FROM accounts_unique s
            WHERE a.platform = s.platform AND a.account = s.account""")
        self.con.execute("""
            INSERT INTO accounts BY NAME SELECT s.* FROM accounts_unique s
            ANTI JOIN accounts a ON a.platform = s.platform AND a.account = s.account""")

    def _scalar(self, sql: str, params: list[Any] | Mapping[str, Any] | None = None) -> int:
        rows = self.con.execute(sql, params or []).fetchall()
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def accounts_summary(self) -> list[dict[str, Any]]:
        """Per platform and account: post counts by kind and the date range."""
        cursor = self._run("reading its accounts", """
            SELECT p.platform, p.account, any_value(a.display_name) AS display_name,
                   coalesce(bool_or(a.is_owner), false) AS is_owner,
                   count(*) AS posts,
                   count(*) FILTER (kind = 'original') AS originals,
                   count(*) FILTER (kind = 'reply') AS replies,
                   count(*) FILTER (kind = 'repost') AS reposts,
                   count(*) FILTER (kind = 'quote') AS quotes,
                   count(*) FILTER (kind = 'comment') AS comments,
                   strftime(min(p.created_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS first_at,
                   strftime(max(p.created_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS last_at
            FROM posts p LEFT JOIN accounts a USING (platform, account)
            GROUP BY p.platform, p.account
            ORDER BY p.platform, is_owner DESC, posts DESC, p.account""")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def export(self, directory: str | os.PathLike[str], fmt: str = "parquet", *, raw: bool = False) -> list[Path]:
        """Write ``posts.<fmt>`` and ``accounts.<fmt>`` into ``directory``; each file appears whole or not at all.

        In CSV, a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
        is written with a ``'`` in front, so that a spreadsheet shows it instead of running it as a
        formula (the OWASP rule against CSV injection); ``raw=True`` writes such cells as they are.
        Parquet is always written as stored.
        """
        if fmt not in ("parquet", "csv"):
            raise UsageError(f"unknown export format {fmt!r}; use parquet or csv")
        out = check_output_folder(directory, "the export")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot write the export {out}: {exc.strerror or exc}; choose another place (-o)"
                              ) from None
        return [self._export_table(table, out, fmt, neutralize=fmt == "csv" and not raw)
                for table in ("posts", "accounts")]

    def _export_table(self, table: str, out: Path, fmt: str, *, neutralize: bool) -> Path:
        target = out / f"{table}.{fmt}"
        partial = out / f".{table}.{fmt}.partial"
        options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
        fields = POST_FIELDS if table == "posts" else ACCOUNT_FIELDS
        columns = ", ".join(_neutral(f.name) if neutralize and f.sql == "VARCHAR" else f.name for f in fields)
        query = f"SELECT {columns} FROM {table} ORDER BY platform, account{_ORDER[table]}"
        try:
            with self.doing(f"writing {target}"):
                self.con.execute(f"COPY ({query}) TO '{_quote(partial)}' ({options})")
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)
        return target


STAGING_MEMORY_LIMIT = "128MB"
"""DuckDB's memory limit while an import writes record batches (the configured limit if lower): the
cache of written blocks stays flat (at 256 MB it grew by 230 MB over 3 M tweets; 64 MB is slower)."""
STAGING_THREADS = 1
"""DuckDB's threads while an import writes record batches. Rows that come from Python as a stream are
written by one thread whatever the setting; the others waited for work beside the importer's own
DuckDB, on the same cores: at 1 M twarc2 tweets on two cores, the import took 12.3 CPU-seconds with two
threads, 8.1-8.6 with one (7.6 s → 4.7-5.1 s)."""
STREAMED_MEMORY_LIMIT = "512MB"
"""The memory limit of the DuckDB that reads a file imported before (:meth:`Store._stage_streamed`)."""
STREAMED_ROWS = 20_000
"""The rows of a batch read so. Jetstream's 880,000 events imported again peaked at 592-609 MB with batches
of 50,000 rows, 482-494 MB with 20,000, and took no longer (3.2 s against 3.3-3.4); generic JSON lines
took the same time either way (2.20-2.22 s), 410 MB."""
MERGE_MEMORY_LIMIT = "256MB"
"""DuckDB's memory limit while the merge looks for repeated keys (the configured limit if lower)."""
LOOKUP_STAGING_FLOOR = "64MB"
"""The least memory a batch write gets while the lookup of stored keys holds its hashes (8 bytes a stored
post): a re-import of 10 M tweets peaked at 606 MB with 128 MB beside the lookup's 80, at 539 with 48."""
LOOKUP_AFTER = 100_000
"""The rows an import writes the careful way before it looks up the keys already stored (see
:meth:`Store._leave_out_stored`)."""
DROP_CACHE_ROWS = 500_000
"""Once the store's queries have written this many rows, DuckDB drops the blocks it cached
(:data:`DROP_CACHE_LIMIT`) before the next query. DuckDB keeps the blocks it writes cached until a query
needs the room, so each query of an import made of many (the X archive's parts, two at a time) left the
next one less room within the same limit, and the peak of an import grew with its size: 4 M tweets held
200, 267, 337 then 400 MB after each query and peaked at 623-629 MB (10 M: 775-800); with the drop,
138-141 MB after each and 454-492 at most. Those blocks are in the store's file, read again from it when
needed; rows fewer than this may not be written there yet (DuckDB writes a transaction's rows to the
file a row group at a time), and dropping them would write them to DuckDB's temporary folder instead."""
DROP_CACHE_LIMIT = "1MB"
"""The memory limit set for an instant to drop DuckDB's cache (:meth:`Store._drop_cache`)."""
QUERY_MEMORY_LIMIT = "640MB"
"""DuckDB's memory limit while the store runs an importer's query in order (:class:`SqlQuery`; the
configured limit if lower; a query may ask for less, ``SqlQuery.memory``). DuckDB writes the rows of
such a query in order on every core only with room for it: 1 M X archive tweets took 5.2-5.4 s at
640 MB, 6.9 at 512 and 8.8 at 384, for about the same CPU time: fewer threads wrote (three runs each);
1 M generic JSON lines in order 4.9 s at 512 MB, 3.0 at 640. DuckDB keeps the blocks it writes cached
up to this limit: 10 M Jetstream events peaked at 753 MB at 640 MB, 505 at 384 (which they take)."""
UNORDERED_MEMORY_LIMIT = "256MB"
"""The same for a query written in any order (``SqlQuery.ordered`` False), which needs no room to
reorder: 10 M generic JSON lines peaked at 741-919 MB at 640 MB, 696 at 384, 401 at 256 (flat from
1 M: 345-349 MB, as fast as at 640 MB, three runs each)."""
_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
          "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4}


def _bytes(limit: str) -> float:
    """A DuckDB memory size (``1GB``, ``512 MiB``) in bytes; infinity when it cannot be read."""
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", limit)
    unit = _UNITS.get(match.group(2).upper()) if match else None
    if match is None or unit is None:
        return float("inf")
    try:
        return float(match.group(1)) * unit
    except ValueError:
        return float("inf")


def _quote_limit(limit: str) -> str:
    return limit.replace("'", "''")


_FORMULA_START = r"'^[-=+@\t\r]'"
"""Cells a spreadsheet would run as a formula (OWASP, CSV injection): DuckDB's RE2 reads the escapes."""


def _neutral(column: str) -> str:
    """``column`` with a quote in front when it begins like a formula."""
    return (f"CASE WHEN regexp_matches({column}, {_FORMULA_START}) THEN chr(39) || {column} "
            f"ELSE {column} END AS {column}")


_INCOMPLETE = "chr(1) || 'incomplete:'"
_REQUIRED = [f.name for f in POST_FIELDS if not f.nullable and f.name not in
             ("source_file", "importer", "importer_version", "imported_at")]
_STORED = "imported_at <> $now"
"""The posts stored before this import."""


def _complete_sql() -> str:
    """Rows missing a required field get a marked id (then are counted and removed) instead of failing."""
    columns = [f"CASE WHEN {' OR '.join(f'{n} IS NULL' for n in _REQUIRED)} "
               f"THEN {_INCOMPLETE} || uuid()::VARCHAR ELSE post_id END AS post_id"]
    for name in _REQUIRED:
        if name == "post_id":
            continue
        default = "TIMESTAMPTZ '1970-01-01 00:00:00+00'" if name == "created_at" else "''"
        columns.append(f"coalesce({name}, {default}) AS {name}")
    return ", ".join(columns)


_COMPLETE = _complete_sql()

_ORDER = {"posts": ", created_at, post_id", "accounts": ""}


class _WrittenRows:
    """The rows of one stamp (an importer's, for one source, in this import), for a revision (:class:`Written`)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stamp: Stamp, left_out: Callable[[str], int] | None) -> None:
        self.con, self.taken, self.left_out = con, 0, left_out
        """``left_out``: how many rows of this stamp's file were left out as stored where a condition holds
        (:meth:`parlons.known.Known.count`); they count as taken, since they were counted as read."""
        self.params = {"now": stamp.imported_at, "file": stamp.source_file, "importer": stamp.importer}
        self.registered: list[str] = []
        self.relation = ("(SELECT *, rowid AS staged_row FROM posts WHERE imported_at = $now AND source_file = $file "
                         "AND importer = $importer AND NOT contains(coalesce(source_record, ''), ' edits: '))")

    def register(self, name: str, table: pa.Table) -> None:
        self.con.register(name, table)
        self.registered.append(name)

    def update(self, assignments: str, rows: str) -> int:
        found = self.con.execute(f"WITH staged AS {self.relation} UPDATE posts SET {assignments} FROM ({rows}) s "
                                 "WHERE posts.rowid = s.staged_row", self.params).fetchall()
        return int(found[0][0]) if found else 0

    def take(self, where: str) -> pa.Table:
        columns = ", ".join(ROW_SCHEMA.names)
        taken = self.con.sql(f"WITH staged AS {self.relation} SELECT {columns} FROM staged WHERE {where} "
                             "ORDER BY staged_row", params=self.params).to_arrow_table()
        if taken.num_rows:
            self.con.execute(f"WITH staged AS {self.relation} DELETE FROM posts WHERE rowid IN "
                             f"(SELECT staged_row FROM staged WHERE {where})", self.params)
            self.taken += taken.num_rows
        if self.left_out is not None:
            self.taken += self.left_out(where)
        return taken.cast(ROW_SCHEMA)

    def close(self) -> None:
        for name in self.registered:
            with suppress(duckdb.Error):
                self.con.unregister(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _with_item(items: str, item: str) -> str:
    """A comma-separated DuckDB setting with ``item`` in it."""
    parts = [p.strip() for p in items.split(",") if p.strip()]
    return ", ".join(parts if item in parts else [*parts, item])


def _stamp_sql() -> str:
    return ("$source_file AS source_file, $importer AS importer, "
            "$importer_version AS importer_version, $imported_at::TIMESTAMPTZ AS imported_at")


def _stamp_params(stamp: Stamp) -> dict[str, Any]:
    return {"source_file": stamp.source_file, "importer": stamp.importer,
            "importer_version": stamp.importer_version, "imported_at": stamp.imported_at}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
