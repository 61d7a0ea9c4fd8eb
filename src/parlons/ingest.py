"""Import files, folders and zip archives into the store: detect, read, stage, merge, commit.

This is the library behind ``parlons import``. Every path of one call is one transaction: when
any file cannot be read the store stays exactly as it was.
"""

from __future__ import annotations

import errno
import queue
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from . import __version__
from .engine import store_failure
from .errors import InputError, ParlonsError
from .importers import Job, plan
from .importers._base import ROW_SCHEMA, ImportOptions, ReadContext, Revision, Skip, SqlQuery
from .importers._duck import blame
from .known import LookupAbandoned
from .sources import Member, Source, open_sources
from .store import MergeResult, Stamp, Store

__all__ = ["FileReport", "ImportReport", "import_paths"]

Progress = Callable[[str, int], None]
"""Called with a member's name and the number of rows just read."""


@dataclass
class FileReport:
    """What happened to one path given to ``parlons import``."""

    path: str
    formats: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    examples: list[Skip] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(self.formats.values())


@dataclass
class ImportReport:
    """The outcome of one ``parlons import`` call."""

    files: list[FileReport]
    merge: MergeResult


_READ_ERRORS = (
    UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError, AttributeError,
    OSError, EOFError, zipfile.BadZipFile, zlib.error, duckdb.Error, pa.ArrowException, RecursionError,
)


def import_paths(store: Store, paths: Sequence[str | Path], *, forced: str | None = None,
                 options: ImportOptions | None = None, progress: Progress | None = None,
                 now: datetime | None = None, source_label: str | None = None) -> ImportReport:
    """Import ``paths`` into ``store`` in one transaction and report per file.

    ``source_label``, when given, is what the rows record as ``source_file`` instead of the path
    (``parlons collect feed``: the feed's URL, not the temporary folder it was saved in).
    """
    imported_at = now or datetime.now(UTC)
    try:
        return _import_all(store, paths, forced, options or ImportOptions(), progress, imported_at, source_label)
    except LookupAbandoned:  # see parlons.known: rolled back, run again without the lookup of stored keys
        before, store.prefilter = store.prefilter, False
        try:
            return _import_all(store, paths, forced, options or ImportOptions(), progress, imported_at, source_label)
        finally:
            store.prefilter = before


def _import_all(store: Store, paths: Sequence[str | Path], forced: str | None, options: ImportOptions,
                progress: Progress | None, imported_at: datetime, source_label: str | None) -> ImportReport:
    reports: list[FileReport] = []
    with store.transaction():
        for path in paths:
            with open_sources(path) as sources:
                reports.extend(_import_source(store, source, forced, options, imported_at, progress, source_label)
                               for source in sources)
        merged = store.merge()
    return ImportReport(reports, merged)


def _import_source(store: Store, source: Source, forced: str | None, options: ImportOptions,
                   imported_at: datetime, progress: Progress | None, label: str | None = None) -> FileReport:
    report = FileReport(str(source.path))
    assignment = plan(source, forced)
    if not assignment.jobs:
        raise _nothing_to_read(source, assignment.unknown, assignment.known)
    for job in assignment.jobs:
        ctx = ReadContext(source, options)
        stamp = Stamp(label or str(source.path), job.importer.name, __version__, imported_at)
        _stage_job(store, job, ctx, stamp, progress)
        store.stage_accounts(ctx.accounts, stamp)
        _record(report, job, ctx)
    report.known = [m.name for m in assignment.known]
    report.unknown = [m.name for m in assignment.unknown] + source.nested
    report.notes.extend(assignment.notes)
    return report


def _stage_job(store: Store, job: Job, ctx: ReadContext, stamp: Stamp, progress: Progress | None) -> None:
    """Stage everything one importer reads; a failure becomes an :class:`InputError` naming the member."""
    feed = _Feed(store, job, stamp, progress)
    try:
        feed.run(job.importer.read(job.members, ctx), ctx)
        dropped = store.take_incomplete()
        ctx.rows_read -= len(dropped)
        _count_incomplete(ctx, dropped)
    except ParlonsError:
        raise
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except (duckdb.OutOfMemoryException, MemoryError) as exc:
        raise store_failure(exc, store.path, f"reading {feed.current.name} of {stamp.source_file}") or exc from None
    except _READ_ERRORS as exc:
        if _no_space(exc):
            raise store_failure(exc, store.path, f"reading {feed.current.name} of {stamp.source_file}") or exc from None
        raise feed.current.error(f"cannot be read as {job.importer.name}: {_describe(exc)}") from None


class _Feed:
    """An importer's output, handed to the store: batches through a :class:`_Writer`, queries in order.

    The importer runs on this thread (its own DuckDB, its Python work, Ctrl-C) while the store
    writes the batches it already produced on another: the two DuckDB instances use two cores. A
    :class:`SqlQuery` or a :class:`Revision` waits until every batch before it is written, then the
    store runs it here, so the importer sees ``ctx.rows_read`` as before. What the importer raises
    reaches the caller as it was raised; the store's failure, as the store raised it.
    """

    def __init__(self, store: Store, job: Job, stamp: Stamp, progress: Progress | None) -> None:
        self.store, self.job, self.stamp, self.progress = store, job, stamp, progress
        self.current: Member = job.members[0]
        self.writer: _Writer | None = None

    def run(self, items: Iterator[pa.RecordBatch | SqlQuery | Revision], ctx: ReadContext) -> None:
        try:
            for item in items:
                if isinstance(item, Revision):
                    ctx.rows_read += self._finish()
                    ctx.rows_read -= self.store.revise(self.stamp, item.apply)
                elif isinstance(item, SqlQuery):
                    ctx.rows_read += self._finish()
                    self.current = item.members[0]
                    rows = self._query(item)
                    if self.progress is not None:
                        self.progress(self.current.name, rows)
                    ctx.rows_read += rows
                else:
                    self._put(item)
            ctx.rows_read += self._finish()
        except BaseException:
            if self.writer is not None:
                self.writer.abort()
                self.writer = None
            raise

    def _query(self, item: SqlQuery) -> int:
        """Run a query on the store; the rows written. A failure to read names the member whose file it names."""
        try:
            return self.store.stage_query(item.sql, item.params, self.stamp, check=False, ordered=item.ordered,
                                          reread=item.reread, order_free=item.order_free, memory=item.memory)[0]
        except (duckdb.Error, pa.ArrowException, OSError) as exc:
            if not item.paths or isinstance(exc, duckdb.OutOfMemoryException) or _no_space(exc):
                raise
            raise blame(exc, item.paths, self.job.importer.name) from None

    def _put(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self.current = _member_of(self.job, batch) or self.current
        if self.writer is None:
            self.writer = _Writer(self.store, self.stamp)
        self.writer.put(batch if batch.schema == ROW_SCHEMA else batch.cast(ROW_SCHEMA))
        if self.progress is not None:
            self.progress(self.current.name, batch.num_rows)

    def _finish(self) -> int:
        """Wait for the run of batches to be written; the rows written."""
        writer, self.writer = self.writer, None
        return writer.finish() if writer is not None else 0


_END = object()
_ABORT = object()


class _Aborted(Exception):
    """The import stopped (the importer failed, Ctrl-C): the store's INSERT ends without its rows."""


class _Writer:
    """One ``INSERT`` of a run of record batches, on its own thread, fed through a small queue.

    One statement for all the consecutive batches of an importer (not one per batch of 20,000
    rows) lets DuckDB write full row groups to the store file as they fill, instead of holding
    every row of the transaction in memory until the commit. The queue holds at most
    :data:`QUEUED` batches: memory stays bounded when the store is the slower side. The store's
    connection is used by this thread only between the first :meth:`put` and :meth:`finish` (or
    :meth:`abort`), which both wait for it.
    """

    QUEUED = 2

    def __init__(self, store: Store, stamp: Stamp) -> None:
        self.store, self.stamp = store, stamp
        self.queue: queue.Queue[object] = queue.Queue(self.QUEUED)
        self.rows = 0
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._write, name="parlons-store-writer", daemon=True)
        self.thread.start()

    def _write(self) -> None:
        reader = pa.RecordBatchReader.from_batches(ROW_SCHEMA, self._batches())
        try:
            self.rows, _ = self.store.stage_batch(reader, self.stamp, check=False)
        except BaseException as exc:
            self.error = exc
        finally:
            reader.close()

    def _batches(self) -> Iterator[pa.RecordBatch]:
        while (item := self.queue.get()) is not _END:
            if item is _ABORT:
                raise _Aborted
            assert isinstance(item, pa.RecordBatch)
            yield item

    def put(self, batch: pa.RecordBatch) -> None:
        """Queue a batch (waits while the queue is full); the store's failure if it failed."""
        self._send(batch)

    def _send(self, item: object) -> None:
        while True:
            try:
                self.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                if not self.thread.is_alive():
                    raise self._failure() from None

    def finish(self) -> int:
        """Wait until every queued batch is written; the rows written, or the store's failure."""
        self._send(_END)
        self.thread.join()
        if self.error is not None:
            raise self._failure()
        return self.rows

    def abort(self) -> None:
        """End the INSERT without its rows and wait for the thread (the caller then rolls back)."""
        with suppress(queue.Empty):
            while True:
                self.queue.get_nowait()
        with suppress(queue.Full):
            self.queue.put_nowait(_ABORT)
        while self.thread.is_alive():  # a second Ctrl-C must not leave the thread on the store's connection
            with suppress(KeyboardInterrupt):
                self.thread.join()

    def _failure(self) -> BaseException:
        error = self.error or RuntimeError("the store's writer stopped")
        self.error = None
        return error


def _no_space(exc: BaseException) -> bool:
    """Disk full or a file size limit while an importer writes its scratch files: not the input's fault."""
    return (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EFBIG)) or \
        any(m in str(exc).lower() for m in ("no space left on device", "file too large"))


def _count_incomplete(ctx: ReadContext, dropped: list[tuple[str, str]]) -> None:
    for member, record in dropped:
        ctx.skip(member, record, "missing a required field (id, account, time, text or kind)")


def _member_of(job: Job, batch: pa.RecordBatch) -> Member | None:
    if batch.num_rows == 0:
        return None
    name = batch.column("source_member")[0].as_py()
    return next((m for m in job.members if m.name == name), None)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def _record(report: FileReport, job: Job, ctx: ReadContext) -> None:
    report.formats[job.importer.name] = report.formats.get(job.importer.name, 0) + ctx.rows_read
    for reason, count in ctx.skipped.items():
        report.skipped[reason] = report.skipped.get(reason, 0) + count
    report.examples.extend(ctx.examples)
    report.notes.extend(ctx.notes)


def _nothing_to_read(source: Source, unknown: list[Member], known: list[Member]) -> InputError:
    if source.kind == "file" and known:
        return InputError("this file is known but holds no posts (a profile, list, count or manifest "
                          "of an export); import the file or archive that holds the posts", file=str(source.path))
    if source.kind == "file":
        member = source.members[0]
        what = "the file is empty" if member.size == 0 else "no importer recognises this file"
        return InputError(f"{what}; `parlons formats` lists what can be read, "
                          "and --format forces one", file=str(source.path))
    if known and not unknown:
        names = ", ".join(m.name for m in known[:5])
        return InputError(f"no posts found: only files of an export that hold none ({names}); "
                          "import the file or archive that holds the posts", file=str(source.path))
    if source.nested and not unknown:
        return InputError(f"holds only archives ({', '.join(source.nested[:5])}), which are not opened "
                          "inside an archive; extract them and import them by name", file=str(source.path))
    names = ", ".join(m.name for m in unknown[:5]) or "none"
    return InputError(f"nothing importable found (unrecognised members: {names})",
                      file=str(source.path))
