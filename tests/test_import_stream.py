"""An importer's batches go to the store through one INSERT per run of batches.

What the importer raises while DuckDB pulls its batches reaches the caller as it was raised (not
as DuckDB's message), the store keeps nothing of the failed import, and queries between batches
are run in order with the importer seeing the rows counted so far.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from parlons.errors import InputError
from parlons.importers import Job
from parlons.importers._base import Importer, ReadContext, SqlQuery, post_row
from parlons.ingest import _stage_job
from parlons.sources import Member, open_source
from parlons.store import Stamp, Store

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def rows(first: int, count: int) -> pa.RecordBatch:
    ctx = ReadContext(source=None)  # type: ignore[arg-type]
    made = [post_row(platform="x", post_id=str(i), account="a", created_at=NOW, text=f"t{i}", kind="original",
                     source_member="posts.jsonl", source_record=str(i)) for i in range(first, first + count)]
    return next(ctx.batches(made))


class Stub(Importer):
    name, platform, description, example = "stub", "x", "stub", "stub"

    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.seen: list[int] = []

    def detect(self, member: Member) -> bool:
        return True

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
        yield rows(0, 3)
        yield rows(3, 2)
        if self.fail:
            raise members[0].error("line 6 is not a tweet")
        yield SqlQuery("SELECT * EXCLUDE (source_file, importer, importer_version, imported_at) "
                       "REPLACE ('q' AS post_id) FROM posts LIMIT 1", {}, (members[0],))
        self.seen.append(ctx.rows_read)
        yield rows(5, 1)


def stage(tmp_path: Path, importer: Importer) -> tuple[Store, ReadContext]:
    (tmp_path / "posts.jsonl").write_text("{}\n")
    source = open_source(tmp_path / "posts.jsonl")
    store = Store(tmp_path / "s.duckdb")
    ctx = ReadContext(source)
    with store.transaction():
        _stage_job(store, Job(importer, list(source.members)), ctx, Stamp("posts.jsonl", "stub", "0", NOW), None)
    return store, ctx


def test_batches_and_queries_are_staged_in_order(tmp_path: Path) -> None:
    importer = Stub(fail=False)
    store, ctx = stage(tmp_path, importer)
    ids = [r[0] for r in store.con.execute("SELECT post_id FROM posts ORDER BY rowid").fetchall()]
    assert ids == ["0", "1", "2", "3", "4", "q", "5"]
    assert importer.seen == [6]
    assert ctx.rows_read == 7


def test_an_error_raised_while_streaming_keeps_its_type_and_nothing_is_kept(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="line 6 is not a tweet"):
        stage(tmp_path, Stub(fail=True))
    store = Store(tmp_path / "s.duckdb")
    assert store.con.execute("SELECT count(*) FROM posts").fetchall() == [(0,)]


class Many(Importer):
    """Ten batches (more than the writer's queue holds), then ``error``."""

    name, platform, description, example = "many", "x", "many", "many"

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def detect(self, member: Member) -> bool:
        return True

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
        for i in range(10):
            yield rows(i * 100, 100)
        raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), InputError("line 1001 is not a tweet")])
def test_a_stop_after_queued_batches_ends_the_writer_and_keeps_nothing(tmp_path: Path, error: BaseException) -> None:
    with pytest.raises(type(error)) as raised:
        stage(tmp_path, Many(error))
    assert raised.value is error
    assert not [t for t in threading.enumerate() if t.name == "parlons-store-writer"]
    store = Store(tmp_path / "s.duckdb")
    assert store.con.execute("SELECT count(*) FROM posts").fetchall() == [(0,)]
