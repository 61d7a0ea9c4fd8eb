"""Every account of a corpus audited: one row per account, on DuckDB or on Spark, the same figures.

``audit_corpus(store, "accounts.parquet")`` routes each post to the accounts it concerns
(:mod:`.route`), audits every account with parlons' own audit over those posts and the corpus's
store-wide facts, a batch of accounts at a time (:mod:`.account`, the only place figures are
computed), and writes one table (:mod:`.table`: the flat figures, ranks
and percentiles across accounts). The engine only moves posts: DuckDB on this machine
(:mod:`.local`) or Apache Spark (:mod:`.spark`, ``pip install 'parlons[spark]'``).
``docs/architecture.md`` argues the design; ``docs/metrics.md`` lists the columns.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ..audit import CORPUS_FACTS, AuditSettings, corpus_facts, open_posts
from ..engine import connect
from ..errors import StoreError, UsageError
from ..store import DEFAULT_MEMORY_LIMIT, MEMORY_ENV
from .account import AccountAuditor, AuditJob
from .flatten import flatten_audit
from .route import read_accounts_file, select_accounts
from .table import output_format, write_table

__all__ = ["ENGINES", "AccountAuditor", "AuditJob", "CorpusAudit", "audit_corpus", "flatten_audit"]

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class CorpusAudit:
    """What :func:`audit_corpus` wrote."""

    output: Path
    accounts: int
    engine: str


Start = Callable[[int], Callable[[int], None]]
"""Called with the number of accounts to audit; returns the callback told of each batch done."""


def audit_corpus(source: str | Path, output: str | Path, *, engine: str = "duckdb", min_posts: int = 1,
                 accounts_file: str | Path | None = None, settings: AuditSettings | None = None,
                 since: datetime | None = None, until: datetime | None = None, jobs: int | None = None,
                 spark_master: str | None = None, progress: Start | None = None) -> CorpusAudit:
    """Audit every account of ``source`` (a store, or a folder of posts/accounts Parquet) into ``output``.

    ``output`` ends in ``.parquet`` or ``.csv``; it is written whole or not at all.
    """
    out = Path(output)
    output_format(out)
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    wanted = read_accounts_file(Path(accounts_file)) if accounts_file is not None else None
    memory = os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
    start = progress or (lambda total: lambda done: None)
    with tempfile.TemporaryDirectory(prefix="parlons-corpus-", dir=_temp_parent(out)) as work:
        figures = Path(work) / "figures"
        if engine == "spark":
            from .spark import run_spark

            run_spark(str(source), wanted, min_posts, settings or AuditSettings(), since, until, figures,
                      master=spark_master, memory_limit=memory, start=start)
        else:
            _run_duckdb(source, wanted, min_posts, settings, since, until, figures, jobs, memory, start)
        count = write_table(str(figures), out, memory_limit=memory, temp_dir=Path(work))
    return CorpusAudit(out, count, engine)


def _open(source: Path) -> duckdb.DuckDBPyConnection:
    """A store, a Parquet export, or a dataset of ``parlons import --engine spark`` (folders of parts)."""
    if not (source / "posts.parquet").is_dir():
        return open_posts(source)
    con = connect(":memory:", memory_limit=os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT)
    for table in ("posts", "accounts"):
        parts = str(source / f"{table}.parquet" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{parts}')")
    return con


def _temp_parent(output: Path) -> str:
    parent = output.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {output}: the folder {parent} does not exist")
    return str(parent)


def _run_duckdb(source: str | Path, wanted: list[tuple[str | None, str]] | None, min_posts: int,
                settings: AuditSettings | None, since: datetime | None, until: datetime | None, figures: Path,
                jobs: int | None, memory: str, start: Start) -> None:
    from .local import run_local

    con = _open(Path(source))
    try:
        total = select_accounts(con, min_posts=min_posts, wanted=wanted, since=since, until=until)
        job = AuditJob(corpus_facts(con, CORPUS_FACTS), settings or AuditSettings(), since, until, memory)
        run_local(con, job, figures, jobs=jobs or os.cpu_count() or 1, progress=start(total))
    except duckdb.Error as exc:
        raise StoreError(f"the all-accounts audit failed: {exc}") from None
    finally:
        con.close()
