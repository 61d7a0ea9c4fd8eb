"""A file imported again whose rows an importer's query gives to be read again apart (generic JSON lines, Jetstream,
the X archive).

The store reads it with a DuckDB of its own and writes its rows as batches, so that the rows already
stored are left out (``parlons.known``) instead of written and then deleted by the merge. The result
must be the one the merge alone gives; what fails while reading is named as on a first import.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import parlons.ingest
import parlons.known
import parlons.store
from parlons.errors import InputError
from parlons.importers._base import ROW_SCHEMA, ImportOptions
from parlons.ingest import ImportReport, import_paths
from parlons.store import MergeResult, Stamp, Store

from .conftest import FIXTURES, count, rows
from .test_merge import left_out_per_lookup

MAPPING = {"post_id": "id", "account": "user", "created_at": "ts", "text": "body", "like_count": "likes",
           "repost_count": "shares"}


def posts(path: Path, *items: tuple[str, int | None, int | None]) -> Path:
    path.write_text("".join(json.dumps({"id": pid, "user": "mairie", "ts": f"2024-03-0{i + 1}T10:00:00Z",
                                        "body": f"post {pid}", "likes": likes, "shares": shares}) + "\n"
                            for i, (pid, likes, shares) in enumerate(items)), encoding="utf-8")
    return path


def generic(store: Store, path: Path, day: int) -> ImportReport:
    return import_paths(store, [str(path)], forced="generic-jsonl", now=datetime(2024, 4, day, tzinfo=UTC),
                        options=ImportOptions(mapping=MAPPING))


def watch(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[int]]:
    """The files the store read with a DuckDB of its own, and the rows each lookup of stored keys left out."""
    streamed: list[str] = []
    stage = Store._stage_streamed

    def spied(self: Store, sql: str, params: Any, stamp: Any, **kwargs: Any) -> Any:
        streamed.append(Path(stamp.source_file).name)
        return stage(self, sql, params, stamp, **kwargs)

    monkeypatch.setattr(Store, "_stage_streamed", spied)
    return streamed, left_out_per_lookup(monkeypatch)


def spy_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item for each time an import ran its files (twice for one import when the lookup of stored keys
    was abandoned)."""
    runs: list[int] = []
    run = parlons.ingest._import_all

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return run(*args, **kwargs)

    monkeypatch.setattr(parlons.ingest, "_import_all", counted)
    return runs


def test_a_file_imported_again_leaves_out_its_stored_rows_with_the_merges_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    streamed, left_out = watch(monkeypatch)
    path = tmp_path / "posts.jsonl"
    outcomes = []
    for prefilter in (True, False):
        with Store(tmp_path / f"{prefilter}.duckdb") as store:
            store.prefilter = prefilter
            posts(path, ("1", 5, None), ("2", 7, 1), ("3", None, None))
            first = generic(store, path, 1)
            generic(store, posts(tmp_path / "other.jsonl", ("9", 1, 1)), 2)  # another file: written at once
            # the same file, exported later: 1 knows its shares now, 2 and 3 nothing new, 4 is new
            posts(path, ("1", 6, 2), ("2", 8, 1), ("3", None, None), ("4", 1, 1))
            again = generic(store, path, 3)
            outcomes.append((first.merge, again.merge, rows(store)))
    assert outcomes[0] == outcomes[1]
    assert streamed == ["posts.jsonl"]  # the third import, with the lookup (the second run has none)
    assert left_out == [2]  # 2 and 3: the stored post knows every count they know
    first_merge, again_merge, stored = outcomes[0]
    assert first_merge == MergeResult(3, 0, 0, 3, 0)
    assert again_merge == MergeResult(4, 0, 3, 1, 1)
    assert [(r["post_id"], r["like_count"], r["repost_count"], r["imported_at"][:10]) for r in stored] == [
        ("1", 5, 2, "2024-04-01"), ("2", 7, 1, "2024-04-01"), ("3", None, None, "2024-04-01"),
        ("4", 1, 1, "2024-04-03"), ("9", 1, 1, "2024-04-02")]


def test_a_file_imported_again_that_repeats_a_post_keeps_the_first(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    streamed, _ = watch(monkeypatch)
    runs = spy_runs(monkeypatch)
    path = tmp_path / "posts.jsonl"
    with Store(tmp_path / "s.duckdb") as store:
        generic(store, posts(path, ("1", 1, 1)), 1)
        report = generic(store, posts(path, ("1", 1, 1), ("5", 2, 2), ("5", 3, 3), ("6", 4, 4)), 2)
        assert streamed == ["posts.jsonl"] and len(runs) == 3  # read apart in any order, then again in order
        assert report.merge == MergeResult(4, 1, 1, 2, 0, ((str(path), "posts.jsonl", "5", "5"),))
        assert [(r["post_id"], r["like_count"]) for r in rows(store)] == [("1", 1), ("5", 2), ("6", 4)]


def test_a_file_read_apart_is_looked_up_from_its_first_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A small import looks stored keys up only after many rows (the merge finds its few); a file imported
    before is looked up at once, so the merge has no stored row to find."""
    streamed, left_out = watch(monkeypatch)
    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", 1_000_000)
    path = tmp_path / "posts.jsonl"
    with Store(tmp_path / "s.duckdb") as store:
        generic(store, posts(path, ("1", 5, None), ("2", 7, 1)), 1)
        generic(store, posts(tmp_path / "other.jsonl", ("1", 5, None), ("3", 1, 1)), 2)  # no lookup: not read before
        again = generic(store, posts(path, ("1", 5, None), ("2", 7, 1), ("4", 1, 1)), 3)
        assert streamed == ["posts.jsonl"] and left_out == [2]
        assert again.merge == MergeResult(3, 0, 2, 1, 0)
        assert count(store, "SELECT count(*) FROM posts") == 4


def test_a_jetstream_file_imported_again_leaves_out_its_stored_posts_with_the_merges_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jetstream's query is read apart too: the posts stored are left out, the new one written, the
    result the merge alone gives (handles, notes and the kinds of the rows included)."""
    streamed, left_out = watch(monkeypatch)
    path = tmp_path / "jetstream.jsonl"
    later = json.loads(FIXTURES.joinpath("bluesky", "jetstream.jsonl").read_text().splitlines()[4])
    later["time_us"] += 1
    later["commit"].update(rkey="3lab3visite2z", rev="3lab3zzzzzz2z")
    later["commit"]["record"].update(text="Back again #upcycling", createdAt="2025-03-03T09:00:00.000Z")
    outcomes = []
    for prefilter in (True, False):
        with Store(tmp_path / f"{prefilter}.duckdb") as store:
            store.prefilter = prefilter
            shutil.copy(FIXTURES / "bluesky" / "jetstream.jsonl", path)
            first = import_paths(store, [str(path)], now=datetime(2024, 4, 1, tzinfo=UTC))
            with path.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(later) + "\n")
            again = import_paths(store, [str(path)], now=datetime(2024, 4, 2, tzinfo=UTC))
            outcomes.append((first.merge, again.merge, again.files[0].notes, rows(store)))
    assert outcomes[0] == outcomes[1]
    assert streamed == ["jetstream.jsonl"]
    assert left_out == [3]  # the reply, the repost and the visitor's post
    first_merge, again_merge, _, stored = outcomes[0]
    assert (first_merge, again_merge) == (MergeResult(3, 0, 0, 3, 0), MergeResult(4, 0, 3, 1, 0))
    assert [(r["account"], r["kind"], r["imported_at"][:10]) for r in stored] == [
        ("lea.example", "reply", "2024-04-01"), ("did:plc:mairie2lorient7villexx", "repost", "2024-04-01"),
        ("did:plc:visiteurinconnu55555555", "original", "2024-04-01"),
        ("did:plc:visiteurinconnu55555555", "original", "2024-04-02")]


def _archive_tweets(part: Path) -> tuple[str, list[dict[str, Any]]]:
    """The JavaScript prefix of an X archive's part, and its items."""
    text = part.read_text(encoding="utf-8")
    start = text.index("[")
    return text[:start], json.loads(text[start:])


def _new_tweet(part: Path, tweet_id: str, text: str) -> None:
    """Append to the part a copy of its first tweet, with another id and text and no counts."""
    prefix, items = _archive_tweets(part)
    tweet = {**items[0]["tweet"], "id_str": tweet_id, "id": tweet_id, "full_text": text, "favorite_count": None,
             "retweet_count": None, "created_at": "Wed Sep 13 08:00:00 +0000 2023"}
    part.write_text(prefix + json.dumps([*items, {"tweet": tweet}], indent=1), encoding="utf-8")


def test_an_x_archive_imported_again_leaves_out_its_stored_tweets_with_the_merges_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The X archive's parts are read apart in any order (a thread each): the tweets stored are left out,
    the new one written, the result the merge alone gives."""
    streamed, left_out = watch(monkeypatch)
    runs = spy_runs(monkeypatch)
    outcomes = []
    for prefilter in (True, False):
        archive = tmp_path / f"archive-{prefilter}"
        shutil.copytree(FIXTURES / "x_archive", archive)
        with Store(tmp_path / f"{prefilter}.duckdb") as store:
            store.prefilter = prefilter
            first = import_paths(store, [str(archive)], now=datetime(2024, 4, 1, tzinfo=UTC))
            _new_tweet(archive / "data" / "tweets-part2.js", "1700000000000000099", "Nouveau marché couvert")
            again = import_paths(store, [str(archive)], now=datetime(2024, 4, 2, tzinfo=UTC))
            outcomes.append((first.merge, again.merge, [{**r, "source_file": ""} for r in rows(store)]))
    assert outcomes[0] == outcomes[1]
    assert streamed == ["archive-True"] and len(runs) == 4
    assert left_out == [4]
    first_merge, again_merge, stored = outcomes[0]
    assert (first_merge, again_merge) == (MergeResult(4, 0, 0, 4, 0), MergeResult(5, 0, 4, 1, 0))
    assert [(r["post_id"][-2:], r["text"], r["imported_at"][:10]) for r in stored][-1] == (
        "99", "Nouveau marché couvert", "2024-04-02")


def test_an_archive_read_apart_that_repeats_a_new_tweet_is_imported_again_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in any order, the first of a tweet given twice is not known: the import runs again by the
    store's own query, and the one of the first part wins."""
    streamed, _ = watch(monkeypatch)
    runs = spy_runs(monkeypatch)
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES / "x_archive", archive)
    with Store(tmp_path / "s.duckdb") as store:
        import_paths(store, [str(archive)], now=datetime(2024, 4, 1, tzinfo=UTC))
        _new_tweet(archive / "data" / "tweets-part1.js", "1700000000000000099", "Dans la première partie")
        _new_tweet(archive / "data" / "tweets-part2.js", "1700000000000000099", "Dans la seconde partie")
        report = import_paths(store, [str(archive)], now=datetime(2024, 4, 2, tzinfo=UTC))
        assert streamed == ["archive"] and len(runs) == 3  # read apart, then again without the lookup
        assert (report.merge.staged, report.merge.inserted) == (6, 1)
        assert rows(store, "post_id = '1700000000000000099'")[0]["text"] == "Dans la première partie"
        assert count(store, "SELECT count(*) FROM posts") == 5


def test_an_x_archive_that_became_unreadable_is_named_as_on_a_first_import(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    streamed, _ = watch(monkeypatch)
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES / "x_archive", archive)
    with Store(tmp_path / "s.duckdb") as store:
        import_paths(store, [str(archive)])
        before = rows(store)
        part = archive / "data" / "tweets-part2.js"
        text = part.read_text()
        part.write_text(text.replace('"full_text"', 'full_text"', 1))  # DuckDB's reader refuses it
        with pytest.raises(InputError) as caught:
            import_paths(store, [str(archive)])
        assert streamed == ["archive"]  # read apart, as a file imported before
        message = str(caught.value)
        assert message.startswith(f"file {archive}, member data/tweets-part2.js: cannot be read as x-archive: ")
        assert 'Malformed JSON in file "data/tweets-part2.js"' in message and "parlons-run-" not in message
        assert rows(store) == before
        assert count(store, "SELECT count(*) FROM posts") == len(before)



def _query(rows: int, fail_after: int | None = None) -> str:
    """Canonical rows 1..``rows`` as a query; with ``fail_after``, DuckDB fails on the rows after it."""
    given = {"platform": "'x'", "post_id": "i::VARCHAR", "account": "'org'", "created_at": "TIMESTAMPTZ '2024-01-01'",
             "text": "'post'", "kind": "'original'", "source_member": "'m'", "source_record": "i::VARCHAR"}
    if fail_after is not None:
        given["text"] = f"CASE WHEN i > {fail_after} THEN error('the file changed') ELSE 'post' END"
    columns = ", ".join(f"{given.get(name, 'NULL')} AS {name}" for name in ROW_SCHEMA.names)
    return f"SELECT {columns} FROM range(1, {rows + 1}) t(i)"


def test_a_read_that_fails_after_rows_were_written_fails_as_the_reader_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure comes while the store writes the batches read before it: the reader's error, not the
    store's (which would say the store failed), and nothing of it is kept."""
    streamed, _ = watch(monkeypatch)
    monkeypatch.setattr(parlons.store, "STREAMED_ROWS", 1000)
    with Store(tmp_path / "s.duckdb") as store:
        with store.transaction():
            store.stage_query(_query(3), {}, Stamp("a.jsonl", "test", "1", datetime(2024, 5, 1, tzinfo=UTC)),
                              reread=True)
            store.merge()
        with pytest.raises(OSError, match="the file changed"), store.transaction():  # as Arrow passes it on
            store.stage_query(_query(100_000, fail_after=50_000), {},
                              Stamp("a.jsonl", "test", "1", datetime(2024, 5, 2, tzinfo=UTC)), reread=True)
        assert streamed == ["a.jsonl"]
        assert count(store, "SELECT count(*) FROM posts") == 3


def test_the_lookups_hashes_take_the_room_of_the_stores_cache_while_it_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the lookup of stored keys is built, the batch write's memory limit is lowered by what its
    hashes hold (8 bytes a stored post), and set back after the import."""
    monkeypatch.setattr(parlons.store, "STREAMED_ROWS", 1000)
    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", 1000)
    monkeypatch.setattr(parlons.store, "STAGING_MEMORY_LIMIT", "64MB")
    monkeypatch.setattr(parlons.store, "LOOKUP_STAGING_FLOOR", "16MB")
    seen: list[float] = []
    original = parlons.known.Known.filter

    def spied(self: Any, batches: Any, source: str = "") -> Any:
        cursor = store.con.cursor()
        setting = cursor.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        seen.append(parlons.store._bytes(str(setting)))
        cursor.close()
        return original(self, batches, source)

    monkeypatch.setattr(parlons.known.Known, "filter", spied)
    with Store(tmp_path / "s.duckdb", memory_limit="500MB") as store:
        for day in (1, 2):
            with store.transaction():
                stamp = Stamp("a.jsonl", "test", "1", datetime(2024, 5, day, tzinfo=UTC))
                store.stage_query(_query(100_000), {}, stamp, reread=True)
                store.merge()
        assert seen and abs(seen[0] - (64e6 - 8 * 100_000)) < 0.3e6  # 63.2 MB: the lookup holds 0.8 MB
        assert parlons.store._bytes(store._memory_setting()) == pytest.approx(500e6, rel=0.01)
    assert count_rows(tmp_path / "s.duckdb") == 100_000


def count_rows(path: Path) -> int:
    with Store(path, read_only=True) as store:
        return count(store, "SELECT count(*) FROM posts")


def test_a_file_read_apart_writes_without_the_stored_blocks_its_lookup_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup of a file read apart is built before its write, and the blocks of ``posts`` it read are
    dropped from DuckDB's cache: they no longer stay there, beside the reader, for the whole import."""
    cached: list[int] = []
    original = parlons.known.Known.filter

    def spied(self: Any, batches: Any, source: str = "") -> Any:
        cursor = store.con.cursor()
        cached.append(int(cursor.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                                         "WHERE tag = 'BASE_TABLE'").fetchall()[0][0]))
        cursor.close()
        return original(self, batches, source)

    monkeypatch.setattr(parlons.known.Known, "filter", spied)
    with Store(tmp_path / "s.duckdb") as store:
        for day in (1, 2):
            with store.transaction():
                stamp = Stamp("a.jsonl", "test", "1", datetime(2024, 5, day, tzinfo=UTC))
                store.stage_query(_query(300_000), {}, stamp, reread=True)
                result = store.merge()
        assert result == MergeResult(300_000, 0, 300_000, 0, 0)
    assert cached and max(cached) < 2e6  # 6.3 MB when the lookup was built within the write
