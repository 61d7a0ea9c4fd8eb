"""Import files, folders and zip archives into the store: detect, read, stage, merge, commit.

This is the library behind ``parlons import``. Every path of one call is one transaction: when
any file cannot be read the store stays exactly as it was.
"""

from __future__ import annotations

import errno
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from . import __version__
from .engine import store_failure
from .errors import InputError, ParlonsError
from .importers import Job, plan
from .importers._base import ROW_SCHEMA, ImportOptions, ReadContext, Skip, SqlQuery
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
    reports: list[FileReport] = []
    with store.transaction():
        for path in paths:
            with open_sources(path) as sources:
                reports.extend(_import_source(store, source, forced, options or ImportOptions(),
                                              imported_at, progress, source_label) for source in sources)
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
    feed = _Feed(job, job.importer.read(job.members, ctx), progress)
    try:
        while (item := feed.next_query()) is not None:
            if isinstance(item, SqlQuery):
                feed.current = item.members[0]
                rows, _ = store.stage_query(item.sql, item.params, stamp, check=False)
                if progress is not None:
                    progress(feed.current.name, rows)
            else:
                rows, _ = feed.stage(store, item, stamp)
            ctx.rows_read += rows
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
    """An importer's output, its record batches streamed to the store through one ``INSERT`` per run.

    One statement for all the consecutive batches of an importer (not one per batch of 20,000
    rows) lets DuckDB write full row groups to the store file as they fill, instead of holding
    every row of the transaction in memory until the commit: memory stays flat however large the
    file. A :class:`SqlQuery` ends the run of batches; the store runs it on its own. An exception
    raised by the importer while DuckDB pulls the batches is raised again as it was (DuckDB would
    turn it into a message).
    """

    def __init__(self, job: Job, items: Iterator[pa.RecordBatch | SqlQuery], progress: Progress | None) -> None:
        self.job, self.items, self.progress = job, items, progress
        self.current: Member = job.members[0]
        self.pending: pa.RecordBatch | SqlQuery | None = None
        self.error: BaseException | None = None

    def next_query(self) -> pa.RecordBatch | SqlQuery | None:
        """The next item: a query, or the first batch of a run of batches (None at the end)."""
        if self.pending is not None:
            item, self.pending = self.pending, None
            return item
        return next(self.items, None)

    def stage(self, store: Store, first: pa.RecordBatch, stamp: Stamp) -> tuple[int, list[tuple[str, str]]]:
        """Insert ``first`` and the batches that follow it, up to the next query, in one statement."""
        reader = pa.RecordBatchReader.from_batches(ROW_SCHEMA, self._batches(first))
        try:
            return store.stage_batch(reader, stamp, check=False)
        except BaseException:
            if self.error is not None:
                raise self.error from None
            raise
        finally:
            reader.close()

    def _batches(self, first: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
        item: pa.RecordBatch | SqlQuery | None = first
        try:
            while item is not None and not isinstance(item, SqlQuery):
                self.current = _member_of(self.job, item) or self.current
                yield item if item.schema == ROW_SCHEMA else item.cast(ROW_SCHEMA)
                if self.progress is not None:
                    self.progress(self.current.name, item.num_rows)
                item = next(self.items, None)
        except BaseException as exc:
            self.error = exc
            raise
        self.pending = item


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
        return InputError(f"holds only zip archives ({', '.join(source.nested[:5])}), which are not opened "
                          "inside an archive; extract them and import them by name", file=str(source.path))
    names = ", ".join(m.name for m in unknown[:5]) or "none"
    return InputError(f"nothing importable found (unrecognised members: {names})",
                      file=str(source.path))
