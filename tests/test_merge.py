"""The merge of one import: first seen wins, unknown counts filled from the first newer row knowing them.

Both ways through it: a re-import that repeats no key within itself (a join with the stored rows)
and an import that also repeats keys within its own input (one aggregate per key).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import parlons.store
from parlons import known
from parlons.importers._base import ROW_SCHEMA
from parlons.ingest import import_paths
from parlons.store import MergeResult, Stamp, Store

WHEN = datetime(2024, 1, 1, tzinfo=UTC)


def rows(*posts: tuple[str, int | None, int | None]) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([{"platform": "x", "post_id": pid, "account": "org", "created_at": WHEN,
                                        "text": f"post {pid}", "kind": "original", "like_count": likes,
                                        "repost_count": reposts, "source_member": "m", "source_record": str(i)}
                                       for i, (pid, likes, reposts) in enumerate(posts)], schema=ROW_SCHEMA)


def load(store: Store, day: int, batch: pa.RecordBatch | pa.RecordBatchReader) -> MergeResult:
    stamp = Stamp(f"export-{day}.jsonl", "test", "1", datetime(2024, 2, day, tzinfo=UTC))
    with store.transaction():
        store.stage_batch(batch, stamp)
        return store.merge()


def stored(store: Store) -> list[tuple[Any, ...]]:
    return store.con.execute("SELECT post_id, like_count, repost_count, source_file FROM posts ORDER BY post_id"
                             ).fetchall()


def test_a_reimport_keeps_the_stored_rows_and_fills_their_unknown_counts(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        assert load(store, 1, rows(("1", None, 2), ("2", 5, None), ("3", 7, 1))) == MergeResult(3, 0, 0, 3, 0)
        result = load(store, 2, rows(("1", 10, 20), ("2", 50, 60), ("4", 1, 1)))
        assert result == MergeResult(3, 0, 2, 1, 2)
        assert stored(store) == [("1", 10, 2, "export-1.jsonl"), ("2", 5, 60, "export-1.jsonl"),
                                 ("3", 7, 1, "export-1.jsonl"), ("4", 1, 1, "export-2.jsonl")]
        assert load(store, 3, rows(("1", 99, 99), ("3", 99, 99))) == MergeResult(2, 0, 2, 0, 0)
        assert stored(store)[0] == ("1", 10, 2, "export-1.jsonl")


def test_keys_repeated_within_the_input_and_in_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        load(store, 1, rows(("1", None, None), ("2", 5, 6)))
        result = load(store, 2, rows(("1", None, 3), ("5", 1, None), ("1", 8, 9), ("5", 2, 2), ("2", 0, 0)))
        assert result == MergeResult(5, 2, 2, 1, 1, (("export-2.jsonl", "m", "3", "5"),))
        assert stored(store) == [("1", 8, 3, "export-1.jsonl"), ("2", 5, 6, "export-1.jsonl"),
                                 ("5", 1, None, "export-2.jsonl")]


def limit_during_merge(store: Store) -> list[str]:
    """The store's memory limit as the merge's first query sees it, then after the import."""
    seen: list[str] = []
    merge = store._merge

    def watched() -> MergeResult:
        seen.append(store._memory_setting())
        return merge()

    store._merge = watched  # type: ignore[method-assign]
    load(store, 1, rows(("1", None, None), ("1", 2, 2)))
    return [*seen, store._memory_setting()]


def test_the_merge_works_within_a_lower_memory_limit_then_gives_the_limit_back(tmp_path: Path) -> None:
    with Store(tmp_path / "a.duckdb", memory_limit="1GB") as store:
        assert limit_during_merge(store) == ["244.1 MiB", "953.6 MiB"]
    with Store(tmp_path / "c.duckdb", memory_limit="2GB") as store:  # twice the default: twice the merge's room
        assert limit_during_merge(store) == ["488.2 MiB", "1.8 GiB"]
    with Store(tmp_path / "b.duckdb", memory_limit="100MB") as store:
        assert limit_during_merge(store) == ["95.3 MiB", "95.3 MiB"]


def every_count(*posts: tuple[str, int]) -> pa.RecordBatch:
    """Rows with all four counts (a post stored so has nothing a newer row could fill in)."""
    return pa.RecordBatch.from_pylist([{"platform": "x", "post_id": pid, "account": "org", "created_at": WHEN,
                                        "text": f"post {pid}", "kind": "original", "like_count": n,
                                        "repost_count": n, "reply_count": n, "quote_count": n,
                                        "source_member": "m", "source_record": str(i)}
                                       for i, (pid, n) in enumerate(posts)], schema=ROW_SCHEMA)


def left_out_per_lookup(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The rows each lookup of stored keys left out (filled as lookups close); the lookup starts at once."""
    left_out: list[int] = []
    close = known.Known.close

    def noted(self: known.Known) -> None:
        left_out.append(self.rows)
        close(self)

    monkeypatch.setattr(known.Known, "close", noted)
    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", 0)
    return left_out


@pytest.mark.parametrize("per_batch", [known.HASHES_PER_BATCH, 2])
def test_rows_stored_with_every_count_are_left_out_instead_of_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      per_batch: int) -> None:
    """A re-import does not write the rows the merge would delete; the result is the same without the lookup
    (the stored keys read in one batch, or in several)."""
    monkeypatch.setattr(known, "HASHES_PER_BATCH", per_batch)
    left_out = left_out_per_lookup(monkeypatch)
    again = every_count(("1", 9), ("2", 9), ("2", 8), ("4", 1), ("5", 2), ("5", 3), ("3", 9))
    results, read = [], []
    for prefilter in (True, False):
        with Store(tmp_path / f"{prefilter}.duckdb") as store:
            load(store, 1, every_count(("1", 1), ("2", 2), ("3", 3)))
            store.prefilter = prefilter
            with store.transaction():
                stamp = Stamp("export-2.jsonl", "test", "1", datetime(2024, 2, 2, tzinfo=UTC))
                read.append(store.stage_batch(again, stamp))
                results.append((store.merge(), stored(store)))
    assert results[0] == results[1]
    assert read == [(7, []), (7, [])]  # the rows left out as stored were read all the same
    assert results[0][0] == MergeResult(7, 2, 3, 2, 0, (("export-2.jsonl", "m", "5", "5"),))
    assert left_out == [4]  # 1, 2, 2 and 3 left out (no lookup in a first import, nor when told not to)


@pytest.mark.parametrize(("again", "expected"), [
    ((("1", 1), ("2", 2), ("3", 3)), MergeResult(3, 0, 3, 0, 0)),
    ((("1", 1), ("2", 2), ("2", 2), ("3", 3)), MergeResult(4, 1, 3, 0, 0)),
])
def test_an_import_that_writes_nothing_counts_its_keys_left_out_without_a_join_with_its_rows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, again: tuple[tuple[str, int], ...],
        expected: MergeResult) -> None:
    """A file imported again unchanged writes no row: the keys it left out are counted without looking for
    them among the rows it wrote, with the result of an import without the lookup (a key given twice too)."""
    left_out = left_out_per_lookup(monkeypatch)
    queries: list[str] = []
    over = known.Known._over_left_out

    def spied(self: known.Known, con: Any, sql: str, params: Any = None) -> Any:
        queries.append(sql)
        return over(self, con, sql, params)

    monkeypatch.setattr(known.Known, "_over_left_out", spied)
    results = []
    for prefilter in (True, False):
        with Store(tmp_path / f"{prefilter}.duckdb") as store:
            load(store, 1, every_count(("1", 1), ("2", 2), ("3", 3)))
            store.prefilter = prefilter
            results.append((load(store, 2, every_count(*again)), stored(store)))
    assert results[0][0] == expected and results[0][1] == results[1][1]
    assert replace(results[1][0], duplicate_examples=()) == expected  # examples come from the rows written
    assert left_out == [len(again)]
    assert len(queries) in (2, 3) and not any("imported_at = $now" in sql for sql in queries)


def test_a_row_left_out_for_a_shared_hash_makes_the_import_run_again(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys are looked up by a 64-bit hash: when a row left out turns out not to be stored, nothing of
    that run is kept and the import runs again without the lookup."""
    csv = tmp_path / "posts.csv"
    header = "post_id,created_at,text,account,like_count,repost_count,reply_count,quote_count\n"
    csv.write_text(header + "".join(f"{i},2024-01-0{i}T10:00:00Z,post {i},org,1,1,1,1\n" for i in (1, 2)))
    newer = tmp_path / "newer.csv"
    newer.write_text(header + "".join(f"{i},2024-01-0{i}T10:00:00Z,post {i},org,2,2,2,2\n" for i in (1, 2, 3)))
    monkeypatch.setattr(known.Known, "_stored", lambda self, batch: np.ones(batch.num_rows, dtype=bool))
    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", 0)
    with Store(tmp_path / "s.duckdb") as store:
        import_paths(store, [str(csv)], forced="generic-csv")
        report = import_paths(store, [str(newer)], forced="generic-csv")
        assert report.merge == MergeResult(3, 0, 2, 1, 0)
        assert stored(store) == [("1", 1, 1, str(csv)), ("2", 1, 1, str(csv)), ("3", 2, 2, str(newer))]
        assert store.prefilter


def test_a_small_import_into_a_store_does_not_look_up_the_stored_keys(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup starts after :data:`parlons.store.LOOKUP_AFTER` rows: below, the merge alone finds them."""
    built: list[int] = []
    init = known.Known.__init__

    def counted(self: known.Known, *args: Any) -> None:
        built.append(1)
        init(self, *args)

    monkeypatch.setattr(known.Known, "__init__", counted)
    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", 3)
    with Store(tmp_path / "s.duckdb") as store:
        load(store, 1, every_count(("1", 1), ("2", 2), ("3", 3)))
        assert load(store, 2, every_count(("1", 1), ("2", 2))) == MergeResult(2, 0, 2, 0, 0)
        assert built == []
        two = pa.RecordBatchReader.from_batches(ROW_SCHEMA, [every_count(("1", 1), ("2", 2), ("3", 3)),
                                                             every_count(("4", 4), ("2", 9))])
        assert load(store, 3, two) == MergeResult(5, 1, 3, 1, 0)
        assert built == [1]


def test_the_rows_left_out_are_counted_per_file(tmp_path: Path) -> None:
    """A revision asks how many rows of its file were left out as stored (the versions it would have taken)."""
    counts = ("like_count", "repost_count", "reply_count", "quote_count")
    with Store(tmp_path / "s.duckdb") as store:
        load(store, 1, every_count(("1", 1), ("2", 2), ("3", 3)))
        lookup = known.Known(store.con, "true", {}, counts, ["post_id"])
        try:
            assert [b.num_rows for b in lookup.filter([every_count(("1", 1), ("9", 9))], "a.jsonl")] == [1]
            assert list(lookup.filter([every_count(("2", 1), ("3", 1))], "b.jsonl")) == []
            assert list(lookup.filter([every_count(("1", 1))], "a.jsonl")) == []
            assert lookup.count(store.con, "a.jsonl", "post_id IN ('1', '2')") == 2
            assert lookup.count(store.con, "b.jsonl", "post_id IN ('1', '2')") == 1
            assert list(lookup.filter([every_count(("3", 1))], "b.jsonl")) == []  # written after a count
            assert lookup.count(store.con, "b.jsonl", "true") == 3
            assert lookup.count(store.con, "c.jsonl", "true") == 0
            assert lookup.rows == 5
        finally:
            lookup.close()


def test_a_row_is_left_out_when_the_stored_post_knows_every_count_it_knows(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored posts that know some counts only (a generic export maps likes and reposts): a newer row is
    left out when it knows no other count, written (to fill one in) when it does; the same result as without
    the lookup."""
    left_out = left_out_per_lookup(monkeypatch)
    results = []
    for prefilter in (True, False):
        with Store(tmp_path / f"{prefilter}.duckdb") as store:
            load(store, 1, rows(("1", 1, 1), ("2", 2, None), ("3", 3, 3)))
            store.prefilter = prefilter
            # 1: knows what is stored; 2: knows the reposts the stored post lacks; 3: knows nothing; 4: new
            results.append((load(store, 2, rows(("1", 9, 9), ("2", 9, 9), ("3", None, None), ("4", 4, 4))),
                            stored(store)))
    assert results[0] == results[1]
    assert results[0] == (MergeResult(4, 0, 3, 1, 1), [("1", 1, 1, "export-1.jsonl"), ("2", 2, 9, "export-1.jsonl"),
                                                       ("3", 3, 3, "export-1.jsonl"), ("4", 4, 4, "export-2.jsonl")])
    assert left_out == [2]  # 1 and 3


def test_stored_keys_that_share_the_bits_compared_leave_no_row_out(tmp_path: Path) -> None:
    """Which stored post's counts would decide is not known: the row is written, and the merge decides."""
    with Store(tmp_path / "s.duckdb") as store:
        load(store, 1, every_count(("1", 1), ("2", 2)))
        lookup = known.Known(store.con, "true", {}, ("like_count", "repost_count", "reply_count", "quote_count"),
                             ["post_id"])
        try:
            assert lookup._stored(every_count(("1", 1), ("2", 2), ("3", 3))).tolist() == [True, True, False]
            (one,) = store.con.execute("SELECT hash('x', '1') & ~15::UBIGINT").fetchone()  # type: ignore[misc]
            lookup.hashes = np.sort(np.append(lookup.hashes, np.uint64(one)))  # another stored key, no count known
            assert lookup._stored(every_count(("1", 1), ("2", 2), ("3", 3))).tolist() == [False, True, False]
        finally:
            lookup.close()


def test_a_batch_write_of_a_file_imported_before_looks_up_its_stored_keys_from_its_first_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small import looks stored keys up only after many rows, unless its file was imported before: then
    from its first row, so that none of its stored rows is written (and deleted by the merge)."""
    left_out = left_out_per_lookup(monkeypatch)
    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", 1_000_000)
    with Store(tmp_path / "s.duckdb") as store:
        results = []
        for day, file in ((1, "export.jsonl"), (2, "export.jsonl"), (3, "other.jsonl")):
            with store.transaction():
                stamp = Stamp(file, "test", "1", datetime(2024, 2, day, tzinfo=UTC))
                read = store.stage_batch(every_count(("1", 1), ("2", 2)), stamp)
                written = store.con.execute("SELECT count(*) FROM posts WHERE imported_at = $now",
                                            {"now": stamp.imported_at}).fetchall()[0][0]
                results.append((read, written, store.merge()))
        assert results == [((2, []), 2, MergeResult(2, 0, 0, 2, 0)), ((2, []), 0, MergeResult(2, 0, 2, 0, 0)),
                           ((2, []), 2, MergeResult(2, 0, 2, 0, 0))]  # another file: written, then found
    assert left_out == [2]
