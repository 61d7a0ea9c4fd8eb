"""``parlons import --engine spark FILES... -o DATASET``: parlons' importers inside Spark tasks.

Each file (a local path seen by the executors, or an object-store URL that ``pyarrow.fs`` can
read: ``s3://``, ``gs://``, ``hdfs://``, ``file://``) is imported by one Spark task with parlons'
own importers into a task-local store, exactly as ``parlons import`` would; the posts and accounts
come back as Arrow batches. A post found in several files is kept once (key: platform and post id;
the first file on the command line wins, as in a store; later files do not fill in counts). The
dataset is ``DATASET/posts.parquet/`` and ``DATASET/accounts.parquet/`` (folders of Parquet
parts), the input of ``parlons audit --all-accounts --engine spark --store DATASET``; a local
DATASET appears whole or not at all.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..errors import InputError, UsageError
from ..importers._base import ImportOptions
from ..model import ACCOUNT_SCHEMA, POST_SCHEMA
from .spark import spark_session

__all__ = ["DatasetImport", "import_dataset"]

ACCOUNT_PREFIX = "account__"
COMBINED = pa.schema([pa.field("_table", pa.string()), pa.field("_order", pa.int64()),
                      *(pa.field(f.name, f.type) for f in POST_SCHEMA),
                      *(pa.field(ACCOUNT_PREFIX + f.name, f.type) for f in ACCOUNT_SCHEMA)])
"""What each task yields: posts and accounts rows side by side, told apart by ``_table``."""


@dataclass(frozen=True)
class DatasetImport:
    """What :func:`import_dataset` wrote."""

    output: str
    files: int
    posts: int
    accounts: int


def import_dataset(paths: Sequence[str], output: str, *, master: str | None = None, forced: str | None = None,
                   options: ImportOptions | None = None, now: datetime | None = None) -> DatasetImport:
    """Import ``paths`` in Spark tasks (one per file) into the Parquet dataset ``output``."""
    if not paths:
        raise UsageError("give the files to import")
    local = "://" not in output
    if local and Path(output).exists():
        raise UsageError(f"{output} exists: the dataset is written into a new folder")
    spark = spark_session(master)
    from pyspark.errors import PythonException
    from pyspark.sql.pandas.types import from_arrow_schema

    files = spark.createDataFrame(list(enumerate(paths)), "file_index long, path string")
    rows = files.repartition(len(paths), "file_index").mapInArrow(
        _task(forced, options or ImportOptions(), now or datetime.now(UTC)), from_arrow_schema(COMBINED))
    rows = rows.persist()
    target = tempfile.mkdtemp(prefix=".parlons-dataset-", dir=str(Path(output).resolve().parent)) if local else output
    try:
        counts = [_write(rows, target, table) for table in ("posts", "accounts")]
    except PythonException as exc:
        _discard(target, local)
        raise _input_error(str(exc)) from None
    except BaseException:
        _discard(target, local)
        raise
    finally:
        rows.unpersist()
    if local:
        os.replace(target, output)
    return DatasetImport(output, len(paths), counts[0], counts[1])


def _write(rows: Any, target: str, table: str) -> int:
    """One table of the dataset, each key kept once (the first file wins); its row count."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    schema, prefix = (POST_SCHEMA, "") if table == "posts" else (ACCOUNT_SCHEMA, ACCOUNT_PREFIX)
    key, order = (["platform", "post_id"], ["_order", "source_record"]) if table == "posts" else (
        ["platform", "account"], ["_order"])
    part = rows.where(F.col("_table") == table).select("_order", *(F.col(prefix + f.name).alias(f.name)
                                                                    for f in schema))
    first = Window.partitionBy(*key).orderBy(*order)
    kept = part.withColumn("_n", F.row_number().over(first)).where("_n = 1").drop("_n", "_order")
    kept.write.mode("error").parquet(f"{target}/{table}.parquet")
    return int(kept.count())


def _discard(target: str, local: bool) -> None:
    if local:
        shutil.rmtree(target, ignore_errors=True)


def _input_error(text: str) -> InputError:
    """The importer's own message, out of the Python traceback Spark hands back."""
    found = re.findall(r"parlons\.errors\.\w+: (.+)", text)
    return InputError(found[-1] if found else text.strip().splitlines()[-1])


def _task(forced: str | None, options: ImportOptions,
          now: datetime) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    def import_files(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            for order, path in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
                yield from _import_one(int(order), str(path), forced, options, now)

    return import_files


def _import_one(order: int, path: str, forced: str | None, options: ImportOptions,
                now: datetime) -> Iterator[pa.RecordBatch]:
    from ..ingest import import_paths
    from ..store import Store

    with tempfile.TemporaryDirectory(prefix="parlons-import-") as work:
        local = _fetch(path, Path(work))
        with Store(Path(work) / "task.duckdb") as store:
            import_paths(store, [local], forced=forced, options=options, now=now)
            if local != path:
                for table in ("posts", "accounts"):
                    store.con.execute(f"UPDATE {table} SET source_file = $p", {"p": path})
            for table, schema in (("posts", POST_SCHEMA), ("accounts", ACCOUNT_SCHEMA)):
                columns = ", ".join(f'"{f.name}"' for f in schema)
                for batch in store.con.sql(f"SELECT {columns} FROM {table}").to_arrow_reader(8192):
                    yield _combined(table, order, batch, schema)


def _combined(table: str, order: int, batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    prefix = "" if table == "posts" else ACCOUNT_PREFIX
    n = batch.num_rows
    columns: dict[str, Any] = {"_table": pa.array([table] * n, pa.string()),
                               "_order": pa.array([order] * n, pa.int64())}
    for f in schema:
        columns[prefix + f.name] = batch.column(f.name).cast(f.type)
    return pa.RecordBatch.from_arrays([columns.get(f.name, pa.nulls(n, f.type)) for f in COMBINED], schema=COMBINED)


def _fetch(path: str, work: Path) -> str:
    """A local copy of an object-store file (``pyarrow.fs``); a local path as it is."""
    if "://" not in path:
        return path
    from pyarrow import fs

    filesystem, inside = fs.FileSystem.from_uri(path)
    target = work / (Path(inside).name or "input")
    with filesystem.open_input_stream(inside) as source, target.open("wb") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)
    return str(target)
