"""Helpers for importers that transform their input with DuckDB SQL (the vectorized path)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..sources import Member
from ._base import BATCH_ROWS, ROW_SCHEMA

__all__ = ["connect", "member_case", "query_batches", "sql_string", "strip_js_wrapper"]

SELECT_COLUMNS = ", ".join(ROW_SCHEMA.names)


def connect(memory_limit: str = "1GB") -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB for one importer run."""
    con = duckdb.connect(":memory:", config={"memory_limit": memory_limit, "preserve_insertion_order": True})
    con.execute("SET TimeZone = 'UTC'")
    return con


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def member_case(paths: dict[Path, Member], column: str = "filename") -> str:
    """A SQL CASE mapping DuckDB's ``filename`` column back to member names."""
    whens = " ".join(f"WHEN {column} = {sql_string(str(p))} THEN {sql_string(m.name)}"
                     for p, m in paths.items())
    return f"CASE {whens} END"


def query_batches(con: duckdb.DuckDBPyConnection, sql: str,
                  params: Sequence[Any] | dict[str, Any] | None = None) -> Iterator[pa.RecordBatch]:
    """Stream a query whose columns are the canonical row columns, as record batches."""
    relation = con.sql(f"SELECT {SELECT_COLUMNS} FROM ({sql})", params=params)
    reader = relation.to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        yield batch.cast(ROW_SCHEMA) if batch.schema != ROW_SCHEMA else batch


def strip_js_wrapper(member: Member, pattern: re.Pattern[str], what: str) -> Path:
    """Copy a ``window.X = [...]`` file without its JavaScript prefix, for DuckDB's JSON reader.

    Raises the member's :class:`InputError` when the prefix is not the expected one.
    """
    head = member.head(4096).decode(member.encoding(), errors="replace").lstrip("\ufeff")
    match = pattern.match(head)
    if match is None:
        raise member.error(f"expected the JavaScript wrapper {what} at the start of the file")
    prefix_bytes = len(head[: match.end()].encode(member.encoding()))
    if member.encoding() == "utf-8-sig":
        prefix_bytes += 3
    source = member.local_path() if member.encoding() not in ("utf-8", "utf-8-sig") else None
    target = member.source.scratch() / f"js{id(member)}.json"
    with (open(source, "rb") if source else member.open()) as src, open(target, "wb") as dst:
        if source is None:
            src.read(prefix_bytes)
        else:
            src.read(len(head[: match.end()].encode("utf-8")))
        while chunk := src.read(4 * 1024 * 1024):
            dst.write(chunk)
    return target
