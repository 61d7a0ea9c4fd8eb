"""The Spark engine: Spark moves the posts, parlons' DuckDB audit computes the figures.

Spark reads the canonical posts as a Parquet dataset (``parlons export --format parquet``, or the
dataset of ``parlons import --engine spark``), sends each post to every account it concerns (the
four rules of :mod:`parlons.corpus.route`, as Spark joins: this is the shuffle), then groups the
routed posts into buckets of accounts of one platform (a hash of the account) and runs
:class:`~parlons.corpus.account.AccountAuditor` on each bucket, batch by batch, through
``applyInArrow``: the very code the DuckDB engine runs. The store-wide facts the audit reads
(:func:`parlons.corpus_facts`) are computed by the audit's own SQL in each partition
(``mapInArrow``), combined on the driver (:func:`parlons.merge_facts`) and shipped to every task.
Needs ``pip install 'parlons[spark]'``.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..audit import (
    CORPUS_FACTS,
    DUP_COLUMNS,
    OWNER_DUPS_SQL,
    READ_COLUMNS,
    AuditSettings,
    corpus_facts,
    dup_rows_sql,
    merge_facts,
)
from ..engine import connect
from ..errors import StoreError, UsageError
from ..model import POST_SCHEMA
from .account import ROUTE_COLUMNS, AccountAuditor, AuditJob, memory_share
from .local import BATCH_ACCOUNTS, BATCH_POSTS, batches, groups
from .route import ltrim_at, missing_names
from .table import FIGURES_SCHEMA

__all__ = ["DEFAULT_MASTER", "dataset_paths", "require_pyspark", "run_spark", "spark_session"]

DEFAULT_MASTER = "local[*]"
BUCKET = "route_bucket"
FACT = "fact_table"
SPARK_HINT = "the Spark engine needs pyspark: pip install 'parlons[spark]'"

Start = Callable[[int], Callable[[int], None]]


def require_pyspark() -> Any:
    """The ``pyspark`` module, or a :class:`UsageError` that says how to install it."""
    try:
        import pyspark
    except ImportError:
        raise UsageError(SPARK_HINT) from None
    return pyspark


def spark_session(master: str | None = None, *, shuffle_partitions: int | None = None) -> Any:
    """A Spark session (an existing one is reused) with UTC times and Arrow batches."""
    require_pyspark()
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.appName("parlons").config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false"))
    if master is not None or not _submitted():  # under spark-submit, its --master holds
        master = master or DEFAULT_MASTER
        builder = builder.master(master)
        if master.startswith("local"):
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # local workers: this very interpreter
    if shuffle_partitions is not None:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _submitted() -> bool:
    """Whether this driver was started by ``spark-submit`` (its JVM is waiting) or a session runs."""
    from pyspark import SparkContext

    return "PYSPARK_GATEWAY_PORT" in os.environ or SparkContext._active_spark_context is not None


def dataset_paths(source: str) -> tuple[str, str | None]:
    """The posts and accounts of a Parquet dataset: ``posts.parquet`` (a file or a folder) and ``accounts.parquet``."""
    root = source.rstrip("/")
    if root.endswith((".duckdb", ".db")) or (os.path.isdir(root) and os.path.exists(f"{root}/parlons.duckdb")):
        raise UsageError(f"{source} is a store: the Spark engine reads its Parquet export "
                         "(`parlons export --store STORE -o DATASET --format parquet`)")
    if "://" not in root and not os.path.exists(f"{root}/posts.parquet"):
        raise UsageError(f"no posts.parquet in {source}: give the folder of `parlons export --format parquet` "
                         "or of `parlons import --engine spark`")
    accounts = f"{root}/accounts.parquet"
    return f"{root}/posts.parquet", accounts if "://" in root or os.path.exists(accounts) else None


def run_spark(source: str, wanted: Sequence[tuple[str | None, str]] | None, min_posts: int,
              settings: AuditSettings, since: datetime | None, until: datetime | None, figures: Path, *,
              master: str | None, memory_limit: str, start: Start) -> None:
    """Audit the accounts of the dataset ``source`` on Spark; write :data:`FIGURES_SCHEMA` rows to ``figures``."""
    posts_path, accounts_path = dataset_paths(source)
    spark = spark_session(master)
    master = str(spark.sparkContext.master)
    if _local_partitions(master) is not None:
        spark.conf.set("spark.sql.shuffle.partitions", str(_local_partitions(master)))
    from pyspark.errors import AnalysisException, PythonException
    from pyspark.sql import functions as F

    try:
        posts = spark.read.parquet(posts_path)
        selected = _selected(spark, posts, wanted, min_posts, since, until)
        total = selected.count()
        owners = _owners(spark, accounts_path)
        # on local[N], N tasks audit at once in this machine's memory: each gets one share of the limit
        task_memory = memory_share(memory_limit, _local_cores(master) or 1)
        job = AuditJob(spark_facts(posts, owners), settings, since, until, task_memory)
        routed = route(posts, selected, owner_dups(posts, owners)).withColumn(
            BUCKET, F.pmod(F.hash(ROUTE_COLUMNS[1]), F.lit(_buckets(total, posts.count()))))
        done = spark.sparkContext.accumulator(0)
        out = routed.groupBy(ROUTE_COLUMNS[0], BUCKET).applyInArrow(_auditor_of(job, done), _figures_ddl())
        with _ProgressThread(done, start(total), total):
            out.write.mode("overwrite").parquet(str(figures))
    except AnalysisException as exc:
        raise StoreError(f"Spark cannot read {source}: {exc}") from None
    except PythonException as exc:
        raise StoreError(f"the all-accounts audit failed in a Spark task: {task_error(str(exc))}") from None


def task_error(text: str) -> str:
    """The error a Spark task's Python code raised, out of the traceback Spark hands back: parlons' own
    message, else DuckDB's (its first line), else the traceback's last line."""
    for pattern in (r"parlons\.errors\.\w+: (.+)", r"_duckdb\.\w+: (.+)"):
        found = re.findall(pattern, text)
        if found:
            return str(found[-1]).strip()
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "unknown error"


def _buckets(accounts: int, posts: int) -> int:
    """How many groups of accounts: each about ``BATCH_POSTS`` routed posts (counted as 1.5 per post) or
    ``BATCH_ACCOUNTS`` accounts, whichever makes more groups."""
    return max(1, -(-accounts // BATCH_ACCOUNTS), -(-3 * posts // (2 * BATCH_POSTS)))


def spark_facts(posts: Any, owners: pa.Table) -> dict[str, pa.Table]:
    """The store-wide facts of the dataset: the audit's own queries on each partition, then combined.

    One pass over the posts: each task yields the four partial tables side by side (``FACT``
    tells them apart); the driver splits them and merges each (:func:`parlons.merge_facts`)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    schemas = {name: table.schema for name, table in _facts_of(owners, POST_SCHEMA.empty_table()).items()}
    combined = pa.unify_schemas([pa.schema([(FACT, pa.string())]), *schemas.values()])
    table = posts.mapInArrow(_partial_facts(owners, combined), from_arrow_schema(combined)).toArrow()
    return merge_facts({name: table.filter(pc.equal(table[FACT], name)).select(schema.names).cast(schema)
                        for name, schema in schemas.items()})


def _facts_of(owners: pa.Table, posts: pa.Table) -> dict[str, pa.Table]:
    con = connect(":memory:", threads=1)
    try:
        con.register("posts", posts)
        con.register("accounts", owners)
        return corpus_facts(con, CORPUS_FACTS)
    finally:
        con.close()


def _partial_facts(owners: pa.Table, combined: pa.Schema) -> Callable[[Iterator[pa.RecordBatch]],
                                                                         Iterator[pa.RecordBatch]]:
    def facts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        held = list(batches)
        if not held:
            return
        for name, part in _facts_of(owners, pa.Table.from_batches(held)).items():
            n = part.num_rows
            columns = [pa.array([name] * n, pa.string()) if f.name == FACT else
                       part.column(f.name).cast(f.type) if f.name in part.column_names else pa.nulls(n, f.type)
                       for f in combined]
            yield from pa.Table.from_arrays(columns, schema=combined).to_batches()

    return facts


DUP_ROWS_DDL = "platform string, post_id string, created_at timestamp, key string, owned boolean"
OWNER_DUPS_DDL = ("platform string, post_id string, dup_owned boolean, dup_owners_n long, dup_prev_at timestamp, "
                  "dup_prev_platform string")
DUP_BUCKET = "dup_bucket"


def owner_dups(posts: Any, owners: pa.Table) -> Any:
    """:data:`parlons.DUP_COLUMNS` of every post whose text an owner's post shares, by the audit's own SQL:
    each post's normalized text per partition (``mapInArrow``), then every row of a text in one group
    (the shuffle, by text) where the windows run (``applyInArrow``)."""
    from pyspark.sql import functions as F

    needed = posts.select("platform", "post_id", "account", "created_at", "kind", "text")
    rows = needed.mapInArrow(_dup_rows(owners), DUP_ROWS_DDL)
    rows = rows.join(rows.where("owned").select("key").distinct(), "key", "left_semi")
    groups = int(posts.sparkSession.conf.get("spark.sql.shuffle.partitions") or 200)
    return rows.withColumn(DUP_BUCKET, F.pmod(F.hash("key"), F.lit(groups))).groupBy(DUP_BUCKET).applyInArrow(
        _owner_dups_of_group, OWNER_DUPS_DDL)


def _dup_rows(owners: pa.Table) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def rows(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        con = connect(":memory:", threads=1)
        try:
            con.register("accounts", owners)
            for batch in batches:
                con.register("posts", pa.Table.from_batches([batch]))
                yield from con.sql(dup_rows_sql()).to_arrow_table().to_batches()
                con.unregister("posts")
        finally:
            con.close()

    return rows


def _owner_dups_of_group(rows: pa.Table) -> pa.Table:
    con = connect(":memory:", threads=1)
    try:
        con.register("dup_rows", rows.drop_columns([DUP_BUCKET]))
        return con.sql(OWNER_DUPS_SQL).to_arrow_table()
    finally:
        con.close()


def _local_partitions(master: str | None) -> int | None:
    """On ``local[N]``, a few shuffle partitions per core (Spark's default of 200 is for clusters)."""
    cores = _local_cores(master)
    return None if cores is None else 4 * cores


def _local_cores(master: str | None) -> int | None:
    """N of ``local[N]`` (``local[*]``: this machine's cores); None for a cluster."""
    name = master or DEFAULT_MASTER
    if not name.startswith("local"):
        return None
    inside = name.partition("[")[2].rstrip("]").split(",")[0]
    return (os.cpu_count() or 1) if inside in ("", "*") else int(inside)


def _selected(spark: Any, posts: Any, wanted: Sequence[tuple[str | None, str]] | None, min_posts: int,
              since: datetime | None, until: datetime | None) -> Any:
    """Authors with at least ``min_posts`` posts in the period (:func:`parlons.corpus.route.select_accounts`)."""
    from pyspark.sql import functions as F

    in_period = F.lit(True)
    if since is not None:
        in_period &= F.col("created_at") >= F.lit(since)
    if until is not None:
        in_period &= F.col("created_at") <= F.lit(until)
    authors = posts.groupBy("platform", lower("account").alias("key")).agg(
        F.count(F.when(in_period, 1)).alias("posts"))
    if wanted is None:
        return authors.where(F.col("posts") >= min_posts)
    names = spark.createDataFrame([(p, ltrim_at(n)) for p, n in wanted], "platform string, name string").select(
        "platform", lower("name").alias("key"))
    match = (F.col("a.key").isin(F.col("w.key"), F.concat(F.lit("@"), F.col("w.key")))
             & (F.col("w.platform").isNull() | (F.col("a.platform") == F.col("w.platform"))))
    missing = names.alias("w").join(authors.alias("a"), match, "left_anti").select("key").distinct()
    found = [str(r[0]) for r in missing.orderBy("key").limit(5).collect()]
    if found:
        raise missing_names(found)
    return authors.where(F.col("posts") >= min_posts).alias("a").join(names.alias("w"), match, "left_semi")


SPECIAL_CASING = ("\u0130\u03a3", "i\u03c3")
"""Spark's ``lower()`` follows Unicode's full case mappings: 'İ' becomes 'i̇' and a final 'Σ' 'ς'. DuckDB's
(the audit's keys, :mod:`parlons.corpus.route`) and Arrow's follow the simple ones: 'i' and 'σ'. Those two
are the only letters where they differ, but for some added in Unicode 16 (2024), unknown to DuckDB yet."""


def lower(column: str) -> Any:
    """``column`` lower-cased as DuckDB does it, so that Spark's keys are the audit's."""
    from pyspark.sql import functions as F

    return F.lower(F.translate(F.col(column), *SPECIAL_CASING))


def route(posts: Any, selected: Any, dups: Any) -> Any:
    """Each post once per account it concerns (author, mentioned, replied to, author of the parent), with
    the columns the audit reads and its :data:`parlons.DUP_COLUMNS` (``dups``, :func:`owner_dups`)."""
    from pyspark.sql import functions as F

    own = posts.select("platform", lower("account").alias("key"), "post_id")
    to = posts.where(F.col("in_reply_to_account").isNotNull()).select(
        "platform", lower("in_reply_to_account").alias("key"), "post_id")
    mentioned = posts.select("platform", F.explode("mentions").alias("m"), "post_id").select(
        "platform", lower("m").alias("key"), "post_id")
    parents = posts.select(F.col("platform").alias("pp"), F.col("post_id").alias("pid"),
                           lower("account").alias("key"))
    replies = posts.where(F.col("in_reply_to_id").isNotNull()).join(
        parents, (F.col("platform") == F.col("pp")) & (F.col("in_reply_to_id") == F.col("pid"))).select(
        "platform", "key", "post_id")
    routes = own.unionByName(to).unionByName(mentioned).unionByName(replies).distinct()
    routes = routes.join(selected.select("platform", "key"), ["platform", "key"], "left_semi")
    routes = routes.select(F.col("platform").alias(ROUTE_COLUMNS[0]), F.col("key").alias(ROUTE_COLUMNS[1]),
                           F.col("platform").alias("_p"), F.col("post_id").alias("_id"))
    read = posts.select(*READ_COLUMNS).join(dups, ["platform", "post_id"], "left").select(
        *READ_COLUMNS, *DUP_COLUMNS)  # the columns the audit reads, no more, through the shuffle
    joined = routes.join(read, (F.col("_p") == read["platform"]) & (F.col("_id") == read["post_id"]))
    return joined.drop("_p", "_id")


def _owners(spark: Any, accounts_path: str | None) -> pa.Table:
    if accounts_path is None:
        return pa.table({"platform": pa.array([], pa.string()), "account": pa.array([], pa.string()),
                         "is_owner": pa.array([], pa.bool_())})
    frame = spark.read.parquet(accounts_path).where("is_owner")
    return pa.Table.from_pylist([r.asDict() for r in frame.collect()]) if frame.head(1) else \
        pa.table({"platform": pa.array([], pa.string()), "account": pa.array([], pa.string()),
                  "is_owner": pa.array([], pa.bool_())})


def _figures_ddl() -> str:
    return ", ".join(f"{f.name} string" for f in FIGURES_SCHEMA)


_auditors: dict[int, AccountAuditor] = {}


def _auditor_of(job: AuditJob, done: Any) -> Callable[[pa.Table], pa.Table]:
    """The function each Spark task applies to one bucket's posts (one auditor per worker process);
    ``done`` (an accumulator) counts the accounts audited."""
    key = id(job)

    def audit_group(posts: pa.Table) -> pa.Table:
        auditor = _auditors.get(key)
        if auditor is None:
            auditor = _auditors[key] = AccountAuditor(job)
        ordered = posts.drop_columns([BUCKET]).sort_by([(c, "ascending") for c in (*ROUTE_COLUMNS, "post_id")])
        rows = [row for batch in batches(groups(ordered.to_batches())) for row in auditor.audit_json(*batch)]
        done.add(len(rows))
        return pa.Table.from_pylist([dict(zip(FIGURES_SCHEMA.names, row, strict=True)) for row in rows],
                                    FIGURES_SCHEMA)

    return audit_group


class _ProgressThread:
    """Reports the accounts audited so far: Spark merges each finished task's count into the
    accumulator ``done`` (polled twice a second); a task run twice (retried) is not counted past the total."""

    def __init__(self, done: Any, tick: Callable[[int], None], total: int) -> None:
        self.accounts = done
        self.tick, self.total, self.done = tick, total, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _ProgressThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        if exc[0] is None:
            self.poll()
            if self.done < self.total:  # not when every task's count came back
                self.tick(self.total - self.done)

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            self.poll()

    def poll(self) -> None:
        now = min(self.total, int(self.accounts.value))
        if now > self.done:
            self.tick(now - self.done)
            self.done = now
