"""Small helpers shared by the metric modules: run a query, wrap a figure with its denominator."""

from __future__ import annotations

from typing import Any

import duckdb

__all__ = ["Figure", "dicts", "distinct_text", "figure", "grouped", "one", "per_target", "share"]

Figure = dict[str, Any]


def dicts(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    """The rows of ``sql`` as dicts."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> dict[str, Any]:
    """The single row of ``sql`` as a dict (empty values when there is no row)."""
    rows = dicts(con, sql, params)
    return rows[0] if rows else {}


def grouped(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``sql`` by their ``target`` column (removed from each row), in the query's order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in dicts(con, sql, params):
        out.setdefault(row.pop("target"), []).append(row)
    return out


def per_target(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> dict[str, dict[str, Any]]:
    """The single row of each target in ``sql`` (one row per ``target``), without the ``target`` column."""
    return {target: rows[0] for target, rows in grouped(con, sql, params).items()}


def figure(value: float | int | None, n: int, min_n: int, digits: int = 4) -> Figure:
    """A figure with its denominator; ``too few`` when ``n`` is under ``min_n``."""
    if n < min_n or value is None:
        return {"value": None, "n": n, "status": "too few" if n < min_n else "none", "min_n": min_n}
    rounded = round(float(value), digits) if isinstance(value, float) else value
    return {"value": rounded, "n": n, "status": "ok", "min_n": min_n}


def share(part: int, whole: int, min_n: int) -> Figure:
    """``part / whole`` as a figure whose denominator is ``whole``."""
    return figure(part / whole if whole else None, whole, min_n)


def distinct_text(text: str, fallback: str) -> str:
    """A SQL key equal for posts whose ``text`` differs only by links, case or spacing (a cross-post).

    Example selection keeps one post per key, so that the examples of a class are distinct texts
    (the report compares texts the same way). A post without text is its own key (``fallback``).
    """
    no_links = rf"regexp_replace(coalesce({text}, ''), 'https?://\S+', ' ', 'g')"
    cleaned = rf"trim(regexp_replace(lower({no_links}), '\s+', ' ', 'g'))"
    return f"coalesce(nullif({cleaned}, ''), chr(0) || {fallback})"
