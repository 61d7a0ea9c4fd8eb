"""What writing the model's rows costs DuckDB: into the store's table, by column group, and as Parquet.

Usage::

    python benchmarks/bench_write.py <store.duckdb> --runs 3

The store is one a ``parlons import`` wrote (1 M generic JSON lines, say). Its ``posts`` are read once
into an in-memory DuckDB (the rows as an import shapes them), then, ``--runs`` times each, written
into a new database file with the store's own table definition (every column), into new files holding
only a group of columns (the text, the ids, the columns every row leaves empty, those whose value is
the same in every row, ...), and into Parquet files (snappy and zstd). Seconds and CPU seconds (every
thread) of each write, medians of the runs; the size written. This is the part of an import that no
setting of DuckDB's compression changes (see ``docs/performance.md``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def groups(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Columns by what they hold in these rows."""
    columns = [row[0] for row in con.execute("DESCRIBE rows").fetchall()]
    kinds: dict[str, list[str]] = {"text": ["text"], "ids": ["post_id", "source_record"],
                                   "lists": ["mentions", "hashtags", "urls", "media_kinds"],
                                   "times": ["created_at", "imported_at"], "empty": [], "constant": [], "others": []}
    placed = {c for group in kinds.values() for c in group}
    for column in columns:
        if column in placed:
            continue
        filled, distinct = con.execute(f'SELECT count("{column}"), count(DISTINCT "{column}") FROM rows').fetchall()[0]
        kinds["empty" if filled == 0 else "constant" if distinct == 1 else "others"].append(column)
    return {name: group for name, group in kinds.items() if group}


def timed(run: Callable[[], object], target: Path) -> tuple[float, float, int]:
    """Seconds, CPU seconds and bytes written (``target`` and its WAL) of ``run()``."""
    start, cpu = time.perf_counter(), cpu_seconds()
    run()
    seconds, used = time.perf_counter() - start, cpu_seconds() - cpu
    size = sum(f.stat().st_size for f in target.parent.glob(target.name + "*"))
    return seconds, used, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", help="a store written by parlons import")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"ATTACH '{args.store}' AS store (READ_ONLY)")
    table = con.execute("SELECT sql FROM duckdb_tables() WHERE database_name = 'store' AND table_name = 'posts'"
                        ).fetchall()[0][0]
    con.execute("CREATE TABLE rows AS FROM store.posts")
    con.execute("DETACH store")
    rows = con.execute("SELECT count(*) FROM rows").fetchall()[0][0]
    cases: dict[str, list[tuple[float, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-write-") as folder:
        for run in range(args.runs):
            for name, select in [("store's table, every column", "")] + [
                    (f"{group} ({len(cols)} columns)", ", ".join(f'"{c}"' for c in cols))
                    for group, cols in groups(con).items()]:
                target = Path(folder) / f"w{run}-{len(cases.get(name, []))}-{abs(hash(name))}.duckdb"
                con.execute(f"ATTACH '{target}' AS w")

                def write(select: str = select) -> None:
                    con.execute("BEGIN")
                    if select:
                        con.execute(f"CREATE TABLE w.t AS SELECT {select} FROM rows")
                    else:
                        con.execute(table.replace("CREATE TABLE posts", "CREATE TABLE w.posts", 1))
                        con.execute("INSERT INTO w.posts BY NAME SELECT * FROM rows")
                    con.execute("COMMIT")
                cases.setdefault(name, []).append(timed(write, target))
                con.execute("DETACH w")
                target.unlink()
            for codec in ("snappy", "zstd"):
                target = Path(folder) / f"p{run}-{codec}.parquet"

                def copy(sql: str = f"COPY rows TO '{target}' (FORMAT parquet, COMPRESSION {codec})") -> None:
                    con.execute(sql)
                cases.setdefault(f"Parquet ({codec})", []).append(timed(copy, target))
                os.unlink(target)
    print(f"{rows:,} rows; median of {args.runs} (seconds, CPU seconds, MB written)\n")
    print("| write | seconds | CPU seconds | MB |\n|---|---|---|---|")
    for name, results in cases.items():
        seconds, used, size = (statistics.median(r[i] for r in results) for i in range(3))
        print(f"| {name} | {seconds:.2f} | {used:.2f} | {size / 1e6:.0f} |")


if __name__ == "__main__":
    main()
