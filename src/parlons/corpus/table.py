"""The all-accounts table: per-account figures (JSON rows) to typed columns, ranks, one output file.

Both engines hand over the same thing, a Parquet dataset of ``(platform, account, figures)`` with
``figures`` the flat row of :func:`~parlons.corpus.flatten.flatten_audit` as JSON. Everything from
there on is shared: rows in ``(platform, account)`` order, column types from every row (not a
sample), the comparison across accounts (``X_rank`` and ``X_percentile`` for each figure ``X``
that has a denominator, within its platform), and the file written whole or not at all. In CSV, a
text cell that begins like a spreadsheet formula gets a ``'`` in front, as ``parlons export`` does
(account names come from the data: Mastodon's ``@name@server``, a blog commenter's ``=HYPERLINK(...)``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from ..engine import connect
from ..errors import StoreError, UsageError

__all__ = ["FIGURES_SCHEMA", "OUTPUT_FORMATS", "REQUIRED_COLUMNS", "comparison_columns", "write_table"]

FIGURES_SCHEMA = pa.schema([("platform", pa.string()), ("account", pa.string()), ("figures", pa.string())])
"""What an engine writes: one row per audited account, its flat figures as a JSON object."""

REQUIRED_COLUMNS: dict[str, pa.DataType] = {
    "platform": pa.string(), "account": pa.string(), "responsiveness_requests": pa.int64(),
    "responsiveness_answered": pa.int64(), "responsiveness_median_first_response_s": pa.float64(),
    "responsiveness_median_first_response_s_n": pa.int64()}
"""Columns others rely on: always in the table, null where the audit could not say."""

OUTPUT_FORMATS = {".parquet": "FORMAT parquet, COMPRESSION zstd", ".csv": "FORMAT csv, HEADER"}
BATCH_ROWS = 4096
FORMULA_START = r"'^[-=+@\t\r]'"
"""CSV cells a spreadsheet would run as a formula (OWASP, CSV injection; the rule of ``parlons export``)."""


def output_format(output: Path) -> str:
    """The COPY options for ``output``, from its suffix."""
    options = OUTPUT_FORMATS.get(output.suffix.lower())
    if options is None:
        raise UsageError(f"cannot write {output}: the all-accounts table is written as .parquet or .csv")
    return options


def write_table(figures: str, output: Path, *, memory_limit: str, temp_dir: Path) -> int:
    """Turn the figures dataset at ``figures`` (a Parquet file or folder) into ``output``; its row count."""
    options = output_format(output)
    con = connect(":memory:", memory_limit=memory_limit, temp_directory=str(temp_dir), threads=1,
                  preserve_insertion_order=False)
    try:
        source = f"read_parquet({_text(figures + ('/**/*.parquet' if Path(figures).is_dir() else ''))})"
        ordered = f"SELECT platform, account, figures FROM {source} ORDER BY platform, account"
        types = _column_types(con, ordered)
        flat = temp_dir / "flat.parquet"
        _write_flat(con, ordered, types, flat)
        partial = output.with_name(f".{output.name}.partial")
        text = [c for c, t in types.items() if pa.types.is_string(t)] if output.suffix.lower() == ".csv" else []
        query = _ranked_query(f"read_parquet({_text(str(flat))})", list(types), neutral=text)
        con.execute(f"COPY ({query}) TO {_text(str(partial))} ({options})")
        os.replace(partial, output)
        return int(con.execute(f"SELECT count(*) FROM read_parquet({_text(str(flat))})").fetchall()[0][0])
    except duckdb.Error as exc:
        raise StoreError(f"cannot write {output}: {exc}") from None
    finally:
        con.close()
        output.with_name(f".{output.name}.partial").unlink(missing_ok=True)


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> Iterator[dict[str, Any]]:
    reader = con.sql(query).to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        for text in batch.column(2).to_pylist():
            yield orjson.loads(text)


def _column_types(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, pa.DataType]:
    """Every column seen in any row, with the narrowest type that holds all its values.

    Order: the result's own order, merged across rows (a key first seen in one row goes right after
    the key that precedes it there); the interface columns are there even when no row has them.
    """
    seen: dict[str, set[type]] = {}
    order: list[str] = []
    for row in _rows(con, query):
        before: str | None = None
        for key, value in row.items():
            if key not in seen:
                seen[key] = set()
                order.insert(order.index(before) + 1 if before is not None else 0, key)
            if value is not None:
                seen[key].add(type(value))
            before = key
    types = {key: _arrow_type(seen[key]) for key in order}
    return {**REQUIRED_COLUMNS, **types} if not types else {**types, **{
        k: t for k, t in REQUIRED_COLUMNS.items() if k not in types}}


def _arrow_type(kinds: set[type]) -> pa.DataType:
    if kinds == {bool}:
        return pa.bool_()
    if kinds == {int}:
        return pa.int64()
    if kinds and kinds <= {int, float}:
        return pa.float64()
    return pa.string()


def _write_flat(con: duckdb.DuckDBPyConnection, query: str, types: dict[str, pa.DataType], path: Path) -> None:
    schema = pa.schema(list(types.items()))
    with pq.ParquetWriter(path, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for row in _rows(con, query):
            chunk.append({k: _cast(row.get(k), t) for k, t in types.items()})
            if len(chunk) >= BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(chunk, schema))
                chunk = []
        writer.write_table(pa.Table.from_pylist(chunk, schema))


def _cast(value: Any, kind: pa.DataType) -> Any:
    if value is None or not pa.types.is_string(kind) or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


def comparison_columns(columns: list[str]) -> list[str]:
    """The figures compared across accounts: those with a denominator (``X`` beside ``X_n``)."""
    names = set(columns)
    return [c for c in columns if f"{c}_n" in names]


def _ranked_query(source: str, columns: list[str], *, neutral: Sequence[str] = ()) -> str:
    """Each compared figure gets its rank (1 = highest value) and percentile (100 = highest), per platform;
    the ``neutral`` text columns with a ``'`` in front of a cell that begins like a formula."""
    extra = []
    for column in comparison_columns(columns):
        q = _ident(column)
        window = f"OVER (PARTITION BY platform, {q} IS NULL ORDER BY {q} {{order}})"
        extra.append(f"CASE WHEN {q} IS NOT NULL THEN rank() {window.format(order='DESC')} END "
                     f"AS {_ident(column + '_rank')}")
        extra.append(f"CASE WHEN {q} IS NOT NULL THEN round(100 * percent_rank() {window.format(order='ASC')}, 1) "
                     f"END AS {_ident(column + '_percentile')}")
    selected = ", ".join([*(_neutral(c) if c in neutral else _ident(c) for c in columns), *extra])
    return f"SELECT {selected} FROM {source} AS t ORDER BY t.platform, t.account"  # the values, not the CSV's


def _neutral(column: str) -> str:
    q = _ident(column)
    return f"CASE WHEN regexp_matches({q}, {FORMULA_START}) THEN chr(39) || {q} ELSE {q} END AS {q}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
