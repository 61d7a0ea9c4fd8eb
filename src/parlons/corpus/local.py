"""The DuckDB engine: route the posts to their accounts, then audit each account in worker processes.

The routing is one DuckDB query over the whole corpus, written to a temporary table sorted by
account (DuckDB spills it to disk beyond its memory limit; the routing has the whole limit, no
worker runs yet); the sorted rows are then read back, in their order, as a stream and cut into
batches of whole accounts of one platform (about ``BATCH_POSTS`` routed posts each), which go to
``jobs`` worker processes, each with its own :class:`~parlons.corpus.account.AccountAuditor` (a
batch is audited in one pass). Memory: the
stream's batches, the batches in flight (at most two per worker) and, per worker, the posts of the
batch it audits. The memory limit is shared out once the routing is done: ``jobs + 1`` equal
shares, one for the stream, one per worker's DuckDB (so that together they stay within the limit).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..audit import DUP_COLUMNS, READ_COLUMNS, build_owner_dups
from .account import AccountAuditor, AuditJob, memory_share, memory_threads
from .route import ROUTES_SQL
from .table import FIGURES_SCHEMA

__all__ = ["batches", "groups", "run_local"]

Progress = Callable[[int], None]
Group = tuple[str, str, pa.Table]
Batch = tuple[str, list[str], pa.Table]
Rows = list[tuple[str, str, str]]
BATCH_POSTS = 50_000
"""A batch sent to a worker holds whole accounts of one platform and about this many routed posts."""
BATCH_ACCOUNTS = 500
"""... and at most this many accounts (a batch that does not fit in memory is audited in halves)."""

_auditor: AccountAuditor | None = None


def run_local(con: duckdb.DuckDBPyConnection, job: AuditJob, figures: Path, *, jobs: int,
              progress: Progress) -> None:
    """Audit every account of ``selected`` (see :func:`~parlons.corpus.route.select_accounts`) into ``figures``.

    The routing has the whole memory limit (``job.memory_limit``; one thread per 128 MB of it, so that
    its sort spills rather than fails); then it is shared: the connection that streams the routed
    posts (already sorted) and each worker get one share each."""
    threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    con.execute(f"SET threads = {memory_threads(job.memory_limit, threads)}")  # a small limit: fewer threads
    _route(con)
    share = memory_share(job.memory_limit, jobs + 1)
    con.execute(f"SET memory_limit = '{share}'")
    job = replace(job, memory_limit=share)
    if jobs == 1:
        _run_here(con, job, figures, progress)
        return
    context = multiprocessing.get_context("spawn")
    with pq.ParquetWriter(figures, FIGURES_SCHEMA) as writer, \
            ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start, initargs=(job,)) as pool:
        pending: list[Future[Rows]] = []
        for batch in batches(_groups(con)):
            pending.append(pool.submit(_audit_batch, batch))
            while len(pending) >= 2 * jobs or (pending and pending[0].done()):
                _write(writer, pending.pop(0).result(), progress)
        for future in pending:
            _write(writer, future.result(), progress)


def _run_here(con: duckdb.DuckDBPyConnection, job: AuditJob, figures: Path, progress: Progress) -> None:
    """One process (``jobs=1``): no workers to start, and a script needs no ``__main__`` guard."""
    auditor = AccountAuditor(job)
    try:
        with pq.ParquetWriter(figures, FIGURES_SCHEMA) as writer:
            for batch in batches(_groups(con)):
                _write(writer, auditor.audit_json(*batch), progress)
    finally:
        auditor.close()


def _route(con: duckdb.DuckDBPyConnection) -> None:
    """The temp table ``routed``: each post once per selected account it concerns, with the columns the
    audit reads and the post's figures against the owners' posts (``owner_dups``, once for the corpus)."""
    build_owner_dups(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE routed AS
        SELECT r.platform AS route_platform, r.key AS route_key, {", ".join(f'p."{c}"' for c in READ_COLUMNS)},
               {", ".join(f'd."{c}"' for c in DUP_COLUMNS)}
        FROM ({ROUTES_SQL}) r SEMI JOIN selected s ON s.platform = r.platform AND s.key = r.key
        JOIN posts p ON p.platform = r.platform AND p.post_id = r.post_id
        LEFT JOIN owner_dups d ON d.platform = p.platform AND d.post_id = p.post_id
        ORDER BY route_platform, route_key, p.post_id""")
    con.execute("DROP TABLE owner_dups")


def _groups(con: duckdb.DuckDBPyConnection) -> Iterator[Group]:
    """The routed posts, one account at a time (whole accounts only)."""
    return groups(con.sql("SELECT * FROM routed").to_arrow_reader(8192))  # in its order: sorted by account


def groups(reader: Iterable[pa.RecordBatch]) -> Iterator[Group]:
    """``(platform, key, posts)`` per account, from routed posts sorted by account."""
    held: list[pa.RecordBatch] = []
    current: tuple[str, str] | None = None
    for batch in reader:
        keys = list(zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True))
        start = 0
        for i in range(1, len(keys) + 1):
            if i == len(keys) or keys[i] != keys[start]:
                if current is not None and keys[start] != current:
                    yield current[0], current[1], pa.Table.from_batches(held)
                    held = []
                current = keys[start]
                held.append(batch.slice(start, i - start))
                start = i
    if current is not None:
        yield current[0], current[1], pa.Table.from_batches(held)


def batches(accounts: Iterator[Group]) -> Iterator[Batch]:
    """Whole accounts of one platform, up to ``BATCH_POSTS`` routed posts or ``BATCH_ACCOUNTS`` accounts.

    Each batch is copied into contiguous arrays: an account's posts are slices of the stream's record
    batches, and a pickled slice (sent to a worker) carries its whole parent batch; a batch of 500
    small accounts made of slices pickled a hundred times its size."""
    keys: list[str] = []
    tables: list[pa.Table] = []
    size, platform = 0, ""
    for group_platform, key, table in accounts:
        if keys and (group_platform != platform or size >= BATCH_POSTS or len(keys) >= BATCH_ACCOUNTS):
            yield platform, keys, pa.concat_tables(tables).combine_chunks()
            keys, tables, size = [], [], 0
        platform = group_platform
        keys.append(key)
        tables.append(table)
        size += table.num_rows
    if keys:
        yield platform, keys, pa.concat_tables(tables).combine_chunks()


def _start(job: AuditJob) -> None:
    global _auditor
    _auditor = AccountAuditor(job)


def _audit_batch(batch: Batch) -> Rows:
    if _auditor is None:
        raise RuntimeError("worker not started")
    return _auditor.audit_json(*batch)


def _write(writer: pq.ParquetWriter, rows: Rows, progress: Progress) -> None:
    writer.write_table(pa.Table.from_pylist([dict(zip(FIGURES_SCHEMA.names, r, strict=True)) for r in rows],
                                            FIGURES_SCHEMA))
    progress(len(rows))
