"""Collected rows into the store, in committed batches, with a cursor per account.

Each batch is one transaction: its posts, its accounts and the account's cursor are written
together, so an interrupted run (Ctrl-C, a server that fails mid-run) keeps every batch before
it, and the next run resumes from the last committed cursor. Keys are the archive importers'
(``platform`` + ``post_id``): a status collected, then found in an archive, is one post.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from .. import __version__
from ..importers._base import ACCOUNT_ROW_SCHEMA, ROW_SCHEMA
from ..store import Stamp, Store

__all__ = ["Batch", "CollectReport", "Progress", "Sink"]

STATE_TABLE = """CREATE TABLE IF NOT EXISTS collect_state (
  platform VARCHAR NOT NULL, account VARCHAR NOT NULL, server VARCHAR NOT NULL,
  cursor VARCHAR, collected_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (platform, account, server))"""


@dataclass
class Batch:
    """Rows waiting to be committed, keyed so a post seen twice in one run is written once."""

    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.posts.setdefault(row["post_id"], row)

    def account(self, row: dict[str, Any]) -> None:
        self.accounts.setdefault(row["account"], row)

    def __len__(self) -> int:
        return len(self.posts)


@dataclass
class CollectReport:
    """What one ``parlons collect`` run did."""

    platform: str
    account: str
    server: str
    requests: int = 0
    fetched: int = 0
    inserted: int = 0
    already_stored: int = 0
    batches: int = 0
    complete: bool = True
    stopped: str | None = None
    """Why the run stopped early (the request cap), when it did; the next run goes on."""
    notes: list[str] = field(default_factory=list)


Progress = Callable[["CollectReport"], None]
"""Called after every committed batch with the run's report so far (posts read, new, requests)."""


class Sink:
    """Writes batches of collected rows into ``store`` under one importer name."""

    def __init__(self, store: Store, importer: str, report: CollectReport,
                 progress: Progress | None = None, requests: Callable[[], int] | None = None) -> None:
        self.store = store
        self.importer = importer
        self.report = report
        self.progress = progress
        self.requests = requests
        self._last: datetime | None = None
        store.con.execute(STATE_TABLE)

    def cursor(self) -> dict[str, Any]:
        """The cursor the last committed batch left for this account and server, or ``{}``."""
        found = self.store.con.execute(
            "SELECT cursor FROM collect_state WHERE platform = ? AND account = ? AND server = ?",
            [self.report.platform, self.report.account, self.report.server]).fetchall()
        return dict(json.loads(found[0][0])) if found and found[0][0] else {}

    def commit(self, batch: Batch, cursor: dict[str, Any]) -> None:
        """Write the batch and the cursor in one transaction, then empty the batch.

        Without the store's lookup of stored keys (``prefilter``; the merge still finds them): a batch
        is a page, and the lookup, made for re-imports of big files, drops DuckDB's cache by setting
        its memory limit to 1 MB for an instant, which failed from the third page of a run on ("could
        not free up enough memory"), the collection stopping with an out-of-memory error."""
        stamp = Stamp(self.report.server, self.importer, __version__, self._now())
        before, self.store.prefilter = self.store.prefilter, False  # see the docstring of :meth:`commit`
        try:
            with self.store.transaction():
                if batch.posts:
                    self.store.stage_batch(_batch(batch.posts.values(), ROW_SCHEMA), stamp)
                self.store.stage_accounts(list(batch.accounts.values()), stamp)
                merged = self.store.merge()
                self._save_cursor(cursor, stamp.imported_at)
        finally:
            self.store.prefilter = before
        self.report.fetched += merged.staged
        self.report.inserted += merged.inserted
        self.report.already_stored += merged.already_stored
        self.report.batches += 1
        batch.posts.clear()
        batch.accounts.clear()
        if self.requests is not None:
            self.report.requests = self.requests()
        if self.progress is not None:
            self.progress(self.report)

    def _save_cursor(self, cursor: dict[str, Any], when: datetime) -> None:
        self.store.con.execute(
            "INSERT OR REPLACE INTO collect_state VALUES (?, ?, ?, ?, ?)",
            [self.report.platform, self.report.account, self.report.server,
             json.dumps(cursor, sort_keys=True), when])

    def _now(self) -> datetime:
        """A fresh, strictly increasing time: the store tells one import's rows by their ``imported_at``."""
        now = datetime.now(UTC)
        if self._last is not None and now <= self._last:
            now = self._last + timedelta(microseconds=1)
        self._last = now
        return now


def _batch(rows: Iterable[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([{name: row.get(name) for name in schema.names} for row in rows],
                                      schema=schema)


def account_row(**fields: Any) -> dict[str, Any]:
    """An accounts row with every column (``source_member`` says which API call described it)."""
    row = {name: fields.get(name) for name in ACCOUNT_ROW_SCHEMA.names}
    row["is_owner"] = bool(fields.get("is_owner", False))
    return row
