"""The embedded store: one DuckDB file holding the ``posts`` and ``accounts`` tables.

An import is one transaction: rows are written into ``posts``, then keys written more than once
``(platform, post_id)`` are resolved (existing posts are kept; engagement counts that were unknown
are filled in), and the whole is committed only when every file of the command was read. A
failure rolls back to exactly the store as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from .errors import StoreError, UsageError
from .model import ACCOUNT_FIELDS, POST_FIELDS, duckdb_columns

__all__ = ["DEFAULT_MEMORY_LIMIT", "DEFAULT_STORE", "MEMORY_ENV", "STORE_ENV", "MergeResult", "Stamp", "Store",
           "resolve_store_path"]

STORE_ENV = "PARLONS_STORE"
MEMORY_ENV = "PARLONS_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit: beyond it, large imports and audits spill to ``<store>.tmp``."""
DEFAULT_STORE = "parlons.duckdb"
STORE_FILE = "parlons.duckdb"
COUNTS = ("like_count", "repost_count", "reply_count", "quote_count")


def resolve_store_path(value: str | os.PathLike[str] | None = None) -> Path:
    """The store file: ``value``, else ``$PARLONS_STORE``, else ``./parlons.duckdb``.

    A directory (existing, or a path ending with a separator) holds ``parlons.duckdb``.
    """
    raw = os.fspath(value) if value is not None else os.environ.get(STORE_ENV) or DEFAULT_STORE
    path = Path(raw).expanduser()
    if path.is_dir() or raw.endswith(("/", os.sep)):
        return path / STORE_FILE
    return path


@dataclass(frozen=True)
class Stamp:
    """The provenance stamped on every row of one importer's output."""

    source_file: str
    importer: str
    importer_version: str
    imported_at: datetime


@dataclass(frozen=True)
class MergeResult:
    """What merging the staged rows did."""

    staged: int
    duplicates_in_input: int
    already_stored: int
    inserted: int
    counts_updated: int
    duplicate_examples: tuple[tuple[str, str, str, str], ...] = ()
    """Up to ten repeated keys: (source_file, source_member, source_record, post_id)."""


class Store:
    """A parlons store backed by one DuckDB file (or ``:memory:``)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
                 memory_limit: str | None = None) -> None:
        self.path = Path(":memory:") if str(path) == ":memory:" else resolve_store_path(path)
        self.read_only = read_only
        self.created = str(self.path) != ":memory:" and not self.path.exists()
        self.con = self._connect(memory_limit)
        if not read_only:
            self._create()

    def _connect(self, memory_limit: str | None) -> duckdb.DuckDBPyConnection:
        target = str(self.path)
        if target != ":memory:":
            if self.read_only and not self.path.exists():
                raise StoreError(f"there is no store at {target}; run `parlons import` first "
                                 f"or give --store (or ${STORE_ENV})")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        limit = memory_limit or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": limit}
        try:
            con = duckdb.connect(target, read_only=self.read_only, config=config)
            con.execute("SET TimeZone = 'UTC'")
            return con
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the store {target}: {exc}") from None

    def _create(self) -> None:
        self.con.execute(f"CREATE TABLE IF NOT EXISTS posts (\n  {duckdb_columns(POST_FIELDS)}\n)")
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS accounts (\n  {duckdb_columns(ACCOUNT_FIELDS)}\n)"
        )

    def close(self) -> None:
        self.con.close()

    def discard(self) -> None:
        """Close, and delete the store file if this object created it (a failed first import)."""
        self.close()
        if self.created:
            for leftover in (self.path, self.path.with_name(self.path.name + ".wal")):
                leftover.unlink(missing_ok=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing: commits when the block ends normally, else rolls back.

        Rows go straight into ``posts`` (written once, spilled to disk within the memory limit);
        :meth:`merge` then resolves repeated keys among them. The work tables are created before
        the transaction begins: DuckDB 2.0 loses the rows of a large parallel insert into a table
        created inside the same transaction.
        """
        self.con.execute("CREATE OR REPLACE TEMP TABLE staged_accounts AS FROM accounts LIMIT 0")
        self.con.execute("CREATE OR REPLACE TEMP TABLE accounts_unique AS FROM accounts LIMIT 0")
        self.con.execute("CREATE OR REPLACE TEMP TABLE clash (rid BIGINT, platform VARCHAR, post_id VARCHAR, "
                         "keep BIGINT, is_new BOOLEAN)")
        self._stored_before = self._scalar("SELECT count(*) FROM posts")
        self._now: datetime | None = None
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.execute("COMMIT")

    def stage_batch(self, batch: pa.RecordBatch, stamp: Stamp) -> tuple[int, list[tuple[str, str]]]:
        """Write one batch of canonical rows, stamping provenance; see :meth:`stage_query`."""
        self.con.register("incoming", batch)
        try:
            return self.stage_query("SELECT * FROM incoming", {}, stamp)
        finally:
            self.con.unregister("incoming")

    def stage_query(self, sql: str, params: Mapping[str, Any], stamp: Stamp) -> tuple[int, list[tuple[str, str]]]:
        """Write the rows of a DuckDB query into ``posts``, stamping provenance.

        Returns how many rows were kept, and the (member, record) of rows dropped because a
        required field (id, account, time, text, kind) is missing.
        """
        self._now = stamp.imported_at
        inserted = self._scalar(f"INSERT INTO posts BY NAME SELECT * REPLACE ({_COMPLETE}), {_stamp_sql()} "
                                f"FROM ({sql})", {**params, **_stamp_params(stamp)})
        incomplete = f"imported_at = $now AND starts_with(post_id, {_INCOMPLETE})"
        dropped = self.con.execute(f"SELECT source_member, coalesce(source_record, '') FROM posts WHERE {incomplete}",
                                   {"now": self._now}).fetchall()
        if dropped:
            self.con.execute(f"DELETE FROM posts WHERE {incomplete}", {"now": self._now})
        return inserted - len(dropped), [(str(m), str(r)) for m, r in dropped]

    def stage_accounts(self, rows: list[dict[str, Any]], stamp: Stamp) -> None:
        if not rows:
            return
        from .importers._base import ACCOUNT_ROW_SCHEMA

        table = pa.Table.from_pylist(rows, schema=ACCOUNT_ROW_SCHEMA)
        self.con.register("incoming_accounts", table)
        self.con.execute("INSERT INTO staged_accounts BY NAME "
                         f"SELECT *, {_stamp_sql()} FROM incoming_accounts", _stamp_params(stamp))
        self.con.unregister("incoming_accounts")

    def merge(self) -> MergeResult:
        """Resolve keys written more than once: the first row of each ``(platform, post_id)`` wins.

        A post already in the store stays as it was, except that engagement counts it did not know
        are filled in from the newer import.
        """
        now = {"now": self._now}
        staged = self._scalar("SELECT count(*) FROM posts WHERE imported_at = $now", now)
        unique = self._scalar("SELECT count(*) FROM (SELECT DISTINCT platform, post_id FROM posts "
                              "WHERE imported_at = $now)", now)
        already, updated = 0, 0
        examples: tuple[tuple[str, str, str, str], ...] = ()
        if unique < staged or self._stored_before:
            self._find_clashes()
            already = self._scalar("SELECT count(DISTINCT (platform, post_id)) FROM clash WHERE NOT is_new")
            examples = self._duplicate_examples()
            updated = self._fill_counts()
            self.con.execute("DELETE FROM posts WHERE rowid IN (SELECT rid FROM clash WHERE rid <> keep)")
        self._merge_accounts()
        return MergeResult(staged, staged - unique, already, unique - already, updated, examples)

    def _find_clashes(self) -> None:
        """``clash``: every row of a key that has several rows, with the row to keep (the first)."""
        self.con.execute("""
            INSERT INTO clash
            SELECT rowid, platform, post_id, min(rowid) OVER (PARTITION BY platform, post_id),
                   imported_at = $now
            FROM posts
            WHERE (platform, post_id) IN (SELECT (platform, post_id) FROM posts WHERE imported_at = $now)
            QUALIFY count(*) OVER (PARTITION BY platform, post_id) > 1""", {"now": self._now})

    def _duplicate_examples(self) -> tuple[tuple[str, str, str, str], ...]:
        rows = self.con.execute("""
            SELECT p.source_file, p.source_member, coalesce(p.source_record, ''), p.post_id
            FROM posts p JOIN clash c ON p.rowid = c.rid
            WHERE c.rid <> c.keep AND c.keep IN (SELECT rid FROM clash WHERE is_new)
            ORDER BY c.rid LIMIT 10""").fetchall()
        return tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in rows)

    def _fill_counts(self) -> int:
        """Counts unknown to a post already stored, taken from the first newer row that knows them."""
        firsts = ", ".join(f"first(p.{c} ORDER BY c.rid) FILTER (p.{c} IS NOT NULL) AS {c}" for c in COUNTS)
        fills = ", ".join(f"{c} = coalesce(posts.{c}, s.{c})" for c in COUNTS)
        unknown = " OR ".join(f"(posts.{c} IS NULL AND s.{c} IS NOT NULL)" for c in COUNTS)
        return self._scalar(f"""
            UPDATE posts SET {fills} FROM (
              SELECT c.keep, {firsts} FROM clash c JOIN posts p ON p.rowid = c.rid
              WHERE c.is_new AND c.rid <> c.keep AND c.keep IN (SELECT rid FROM clash WHERE NOT is_new)
              GROUP BY c.keep) s
            WHERE posts.rowid = s.keep AND ({unknown})""")

    def _merge_accounts(self) -> None:
        self.con.execute("""
            INSERT INTO staged_accounts BY NAME
            SELECT platform, account, any_value(account_id) AS account_id,
                   any_value(account_name) AS display_name, false AS is_owner,
                   any_value(source_file) AS source_file, any_value(source_member) AS source_member,
                   any_value(importer) AS importer, any_value(importer_version) AS importer_version,
                   any_value(imported_at) AS imported_at
            FROM posts WHERE imported_at = $now GROUP BY platform, account""", {"now": self._now})
        self.con.execute("""
            INSERT INTO accounts_unique BY NAME
            SELECT platform, account,
                   first(account_id ORDER BY is_owner DESC, rowid) FILTER (account_id IS NOT NULL) AS account_id,
                   first(display_name ORDER BY is_owner DESC, rowid) FILTER (display_name IS NOT NULL) AS display_name,
                   first(description ORDER BY rowid) FILTER (description IS NOT NULL) AS description,
                   first(url ORDER BY rowid) FILTER (url IS NOT NULL) AS url,
                   first(created_at ORDER BY rowid) FILTER (created_at IS NOT NULL) AS created_at,
                   bool_or(is_owner) AS is_owner,
                   first(source_file ORDER BY is_owner DESC, rowid) AS source_file,
                   first(source_member ORDER BY is_owner DESC, rowid) AS source_member,
                   first(importer ORDER BY is_owner DESC, rowid) AS importer,
                   first(importer_version ORDER BY is_owner DESC, rowid) AS importer_version,
                   first(imported_at ORDER BY is_owner DESC, rowid) AS imported_at
            FROM staged_accounts GROUP BY platform, account""")
        self.con.execute("""
            UPDATE accounts a SET
              account_id = coalesce(a.account_id, s.account_id),
              display_name = coalesce(a.display_name, s.display_name),
              description = coalesce(a.description, s.description),
              url = coalesce(a.url, s.url),
              created_at = coalesce(a.created_at, s.created_at),
              is_owner = a.is_owner OR s.is_owner
            FROM accounts_unique s
            WHERE a.platform = s.platform AND a.account = s.account""")
        self.con.execute("""
            INSERT INTO accounts BY NAME SELECT s.* FROM accounts_unique s
            ANTI JOIN accounts a ON a.platform = s.platform AND a.account = s.account""")

    def _scalar(self, sql: str, params: list[Any] | Mapping[str, Any] | None = None) -> int:
        rows = self.con.execute(sql, params or []).fetchall()
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0

    def accounts_summary(self) -> list[dict[str, Any]]:
        """Per platform and account: post counts by kind and the date range."""
        cursor = self.con.execute("""
            SELECT p.platform, p.account, any_value(a.display_name) AS display_name,
                   coalesce(bool_or(a.is_owner), false) AS is_owner,
                   count(*) AS posts,
                   count(*) FILTER (kind = 'original') AS originals,
                   count(*) FILTER (kind = 'reply') AS replies,
                   count(*) FILTER (kind = 'repost') AS reposts,
                   count(*) FILTER (kind = 'quote') AS quotes,
                   count(*) FILTER (kind = 'comment') AS comments,
                   strftime(min(p.created_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS first_at,
                   strftime(max(p.created_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS last_at
            FROM posts p LEFT JOIN accounts a USING (platform, account)
            GROUP BY p.platform, p.account
            ORDER BY p.platform, is_owner DESC, posts DESC, p.account""")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def export(self, directory: str | os.PathLike[str], fmt: str = "parquet") -> list[Path]:
        """Write ``posts.<fmt>`` and ``accounts.<fmt>`` into ``directory``."""
        if fmt not in ("parquet", "csv"):
            raise UsageError(f"unknown export format {fmt!r}; use parquet or csv")
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in ("posts", "accounts"):
            target = out / f"{table}.{fmt}"
            partial = out / f".{table}.{fmt}.partial"
            options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER"
            try:
                query = f"SELECT * FROM {table} ORDER BY platform, account{_ORDER[table]}"
                self.con.execute(f"COPY ({query}) TO '{_quote(partial)}' ({options})")
            except duckdb.Error as exc:
                partial.unlink(missing_ok=True)
                raise StoreError(f"cannot write {target}: {exc}") from None
            partial.replace(target)
            written.append(target)
        return written


_INCOMPLETE = "chr(1) || 'incomplete:'"
_REQUIRED = [f.name for f in POST_FIELDS if not f.nullable and f.name not in
             ("source_file", "importer", "importer_version", "imported_at")]
_COMPLETE = ", ".join(
    [f"CASE WHEN {' OR '.join(f'{n} IS NULL' for n in _REQUIRED)} THEN {_INCOMPLETE} || uuid()::VARCHAR "
     "ELSE post_id END AS post_id"]
    + [f"coalesce({n}, {'TIMESTAMPTZ ' + repr('1970-01-01 00:00:00+00') if n == 'created_at' else repr('')}) AS {n}"
       for n in _REQUIRED if n != "post_id"])
"""Rows missing a required field get a marked id (then are counted and removed) instead of failing."""

_ORDER = {"posts": ", created_at, post_id", "accounts": ""}


def _stamp_sql() -> str:
    return ("$source_file AS source_file, $importer AS importer, "
            "$importer_version AS importer_version, $imported_at::TIMESTAMPTZ AS imported_at")


def _stamp_params(stamp: Stamp) -> dict[str, Any]:
    return {"source_file": stamp.source_file, "importer": stamp.importer,
            "importer_version": stamp.importer_version, "imported_at": stamp.imported_at}


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
