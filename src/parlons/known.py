"""Keys already stored, so that a re-import does not write the rows the merge would delete.

When a careful import (record batches, :meth:`parlons.store.Store.stage_batch`) writes into a store
that already holds posts, each row's key is looked up among the keys stored before the import, with
which of the four counts each stored post knows: a row whose counts the stored post all knows
already (a newer row has nothing to fill in) is left out instead of being written, then found and
deleted by the merge. Re-importing 10 M tweets wrote and deleted 10 M rows; now it writes none.

Keys are compared by DuckDB's 64-bit ``hash(platform, post_id)`` in a sorted numpy array (8 bytes
per stored post), whose lowest four bits are replaced by the stored post's known counts (see
:func:`_hashes`): 60 bits of hash left. Two keys can share those, so the rows left out are kept (their
keys only) in scratch Arrow files (one per file read: an importer's revision asks how many of its
rows were left out, :meth:`Known.count`), and the merge checks them exactly against the stored keys
(:meth:`Known.settle`): a key that was not stored raises :class:`KeyCollision`, and the import runs
again without this lookup (:func:`parlons.ingest.import_paths`). Two stored keys that share their 60
bits leave no row out (which post's counts would decide is not known). Rows missing a required field
are never left out: the store counts them as incomplete, as before.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

from .engine import connect, scratch_dir

__all__ = ["KeyCollision", "Known", "LookupAbandoned", "Repeated"]

KEY = ["platform", "post_id"]


class LookupAbandoned(Exception):
    """This import cannot rely on the lookup of stored keys: it is rolled back and runs again without it
    (:func:`parlons.ingest.import_paths`), every file then read by the store's own query."""


class KeyCollision(LookupAbandoned):
    """A row left out as already stored was not: two keys share a hash."""


class Repeated(LookupAbandoned):
    """A file read apart in any order gave a key twice among the rows it wrote: which of them came first
    is the file's order, which the store's own query keeps (:meth:`parlons.store.Store.stage_query`)."""


def _hashes(con: duckdb.DuckDBPyConnection, where: str, params: Mapping[str, Any], counts: tuple[str, ...]
            ) -> np.ndarray[Any, np.dtype[np.uint64]]:
    """The sorted key hashes of the posts ``where`` selects, each with its lowest bits (:data:`MASK`) made
    the bits of the ``counts`` that post knows (:func:`_known_counts`), streamed into one array.

    Fetched whole, the result is held twice (by DuckDB and by numpy): 160 MB at 10 M posts instead of 80.
    """
    count = con.execute(f"SELECT count(*) FROM posts WHERE {where}", dict(params)).fetchall()[0][0]
    hashes = np.empty(count, dtype=np.uint64)
    reader = con.sql(f"SELECT (hash(platform, post_id) & {~MASK & (2**64 - 1)}::UBIGINT) | {_known_counts(counts)} "
                     f"AS h FROM posts WHERE {where}", params=dict(params)).to_arrow_reader(HASHES_PER_BATCH)
    filled = 0
    for batch in reader:
        part = batch.column(0).to_numpy(zero_copy_only=False)[: count - filled]
        hashes[filled:filled + len(part)] = part
        filled += len(part)
    hashes = hashes[:filled]  # posts stored meanwhile by another process cannot be: the store is locked
    hashes.sort()
    reader.close()
    pa.default_memory_pool().release_unused()  # the batches' buffers, else kept by Arrow's allocator
    return hashes


def _known_counts(counts: tuple[str, ...]) -> str:
    """SQL: a UBIGINT whose bit ``i`` says that the row knows ``counts[i]``."""
    return " | ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE {1 << i} END)::UBIGINT" for i, c in enumerate(counts))


MASK = 0b1111
"""The bits of a stored key's hash that say which counts the stored post knows (four counts)."""
HASHES_PER_BATCH = 1 << 20


class Known:
    """The keys stored before an import with the counts they know, and the rows of it left out for them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stored: str, params: Mapping[str, Any],
                 counts: tuple[str, ...], required: list[str]) -> None:
        """``stored``: a condition on ``posts`` that selects the rows stored before the import."""
        if len(counts) > MASK.bit_length():
            raise ValueError(f"at most {MASK.bit_length()} counts")
        self.hashes = _hashes(con, stored, params, counts)
        self.counts = counts
        self.whole = " AND ".join(f"{name} IS NOT NULL" for name in required)
        self.private = connect()
        self.folder = Path(tempfile.mkdtemp(prefix="known-", dir=scratch_dir()))
        self.segments: list[tuple[str, Path]] = []
        """The scratch files of the keys left out, in order, each with the file its rows come from (a new
        one for each file, and after each :meth:`count`)."""
        self.writer: ipc.RecordBatchFileWriter | None = None
        self.rows = 0

    def filter(self, batches: Iterable[pa.RecordBatch], source: str = "") -> Iterator[pa.RecordBatch]:
        """The batches without their rows already stored (whose keys are noted, with ``source``, the
        file they come from, for :meth:`settle` and :meth:`count`)."""
        for batch in batches:
            stored = self._stored(batch) if len(self.hashes) and batch.num_rows else None
            if stored is None or not stored.any():
                yield batch
                continue
            self._note(batch.select(KEY).filter(pa.array(stored)), source)  # the keys only: not every column
            if not stored.all():
                yield batch.filter(pa.array(~stored))

    def _stored(self, batch: pa.RecordBatch) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows of ``batch`` are stored with every count the row knows (and have every required field)."""
        self.private.register("incoming", batch)
        try:
            found = self.private.execute(
                f"SELECT hash(platform, post_id) & {~MASK & (2**64 - 1)}::UBIGINT AS h, "
                f"{_known_counts(self.counts)} AS counts, ({self.whole}) AS whole FROM incoming").fetchnumpy()
        finally:
            self.private.unregister("incoming")
        hashes = np.asarray(found["h"], dtype=np.uint64)
        order = np.argsort(hashes)
        entry, alone = self._entries(hashes[order])
        stored, entries = np.empty(len(hashes), dtype=bool), np.empty_like(entry)
        stored[order], entries[order] = alone, entry
        covered = (np.asarray(found["counts"], dtype=np.uint64) & ~entries & np.uint64(MASK)) == 0
        left_out: np.ndarray[Any, np.dtype[np.bool_]] = stored & covered & np.asarray(found["whole"], dtype=bool)
        return left_out

    def _entries(self, hashes: np.ndarray[Any, np.dtype[np.uint64]]
                 ) -> tuple[np.ndarray[Any, np.dtype[np.uint64]], np.ndarray[Any, np.dtype[np.bool_]]]:
        """For sorted ``hashes``: the stored entry each would take, and whether it is there, alone of its bits.

        Sorted, each search starts where the last one ended, and the entries are read in the array's
        order: 6x faster than keys at random among 1 M stored keys, 4-5x among 10 M (batches of 50,000,
        ``benchmarks/bench_lookup.py``)."""
        last = len(self.hashes) - 1
        places = np.minimum(np.searchsorted(self.hashes, hashes), last)  # the first stored key of those bits
        entry, after = self.hashes[places], self.hashes[np.minimum(places + 1, last)]
        alone = (places == last) | ((after & ~np.uint64(MASK)) != hashes)
        return entry, ((entry & ~np.uint64(MASK)) == hashes) & alone

    def _note(self, keys: pa.RecordBatch, source: str) -> None:
        if self.writer is not None and self.segments[-1][0] != source:
            self._close_segment()
        if self.writer is None:
            self.segments.append((source, self.folder / f"left-out-{len(self.segments)}.arrow"))
            self.writer = ipc.new_file(str(self.segments[-1][1]), keys.schema)
        self.writer.write_batch(keys)
        self.rows += keys.num_rows

    def _close_segment(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def count(self, con: duckdb.DuckDBPyConnection, source: str, where: str) -> int:
        """How many rows from ``source`` were left out so far whose ``platform`` and ``post_id`` meet
        ``where`` (SQL run on ``con``: an importer's revision asks for the rows it would have taken)."""
        paths = [path for file, path in self.segments if file == source]
        if not paths:
            return 0
        self._close_segment()
        con.register("left_out", self._left_out(paths))
        try:
            return int(con.execute(f"SELECT count(*) FROM left_out WHERE {where}").fetchall()[0][0])
        finally:
            con.unregister("left_out")

    def settle(self, con: duckdb.DuckDBPyConnection, stored: str, params: Mapping[str, Any],
               written: str | None) -> int:
        """The distinct keys of the rows left out that this import did not also write (``written``: the
        condition on ``posts`` of its rows, None when it wrote none; a key written before the lookup began
        is counted there); :class:`KeyCollision` when one was not stored before (``stored``: the condition
        given to :class:`Known`). It ends the lookup: no row is left out after it.

        An import that wrote nothing (a file imported again, unchanged) skips the join with its rows: at 10 M
        keys left out, that join read them all again for 1.25 s to find none."""
        self.hashes = self.hashes[:0].copy()  # the lookup is over: its memory goes to the join below
        if not self.segments:
            return 0
        self._close_segment()
        try:
            strays = self._over_left_out(con, f"SELECT count(*) FROM left_out ANTI JOIN (SELECT platform, post_id "
                                              f"FROM posts WHERE {stored}) s USING (platform, post_id)", params)[0]
            if strays:
                raise KeyCollision(f"{strays} rows left out as already stored were not")
            rows, hashes = self._over_left_out(
                con, "SELECT count(*), count(DISTINCT hash(platform, post_id)) FROM left_out")
            if rows == hashes:  # no key twice: no DISTINCT over the keys themselves (measured apart at 10 M:
                # 0.56 s for this count, without the semi join after it; 1.34 for the DISTINCT and its anti join)
                return int(rows) - (0 if written is None else int(self._over_left_out(
                    con, f"SELECT count(*) FROM left_out SEMI JOIN (SELECT platform, post_id FROM posts "
                         f"WHERE {written}) USING (platform, post_id)", params)[0]))
            distinct = "(SELECT DISTINCT platform, post_id FROM left_out)"
            if written is None:
                return int(self._over_left_out(con, f"SELECT count(*) FROM {distinct}")[0])
            return int(self._over_left_out(
                con, f"SELECT count(*) FROM {distinct} ANTI JOIN (SELECT platform, post_id FROM posts "
                     f"WHERE {written}) USING (platform, post_id)", params)[0])
        finally:
            con.unregister("left_out")

    def _over_left_out(self, con: duckdb.DuckDBPyConnection, sql: str,
                       params: Mapping[str, Any] | None = None) -> tuple[Any, ...]:
        """The one row of ``sql`` over ``left_out``, the keys left out, registered afresh (a reader is read once)."""
        con.register("left_out", self._left_out())
        return tuple(con.execute(sql, dict(params or {})).fetchall()[0])

    def _left_out(self, paths: list[Path] | None = None) -> pa.RecordBatchReader:
        """The keys left out, read from the scratch file one batch at a time (a reader is read once).

        Not ``pyarrow.dataset``: importing it adds about 55 MB to every import's resident memory, and
        its scan reads batches ahead. Not mapped in memory either: the pages read would count as the
        process's own."""
        files = [ipc.open_file(pa.OSFile(str(path))) for path in (paths or [p for _, p in self.segments])]
        return pa.RecordBatchReader.from_batches(
            files[0].schema, (file.get_batch(i) for file in files for i in range(file.num_record_batches)))

    def close(self) -> None:
        self._close_segment()
        self.private.close()
        shutil.rmtree(self.folder, ignore_errors=True)
