"""The store: location, merge by key, counts filled by newer exports, export to Parquet/CSV."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from parlons import store as store_module
from parlons.errors import StoreError, UsageError
from parlons.model import ACCOUNT_SCHEMA, POST_SCHEMA
from parlons.store import Stamp, Store, resolve_store_path

from .conftest import FIXTURES, count, load

ARCHIVE = FIXTURES / "x_archive"


def test_store_path_from_option_env_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARLONS_STORE", raising=False)
    assert resolve_store_path(None) == Path("parlons.duckdb")
    monkeypatch.setenv("PARLONS_STORE", str(tmp_path / "env.duckdb"))
    assert resolve_store_path(None) == tmp_path / "env.duckdb"
    assert resolve_store_path(tmp_path) == tmp_path / "parlons.duckdb"
    assert resolve_store_path(str(tmp_path / "new") + "/") == tmp_path / "new" / "parlons.duckdb"
    assert resolve_store_path(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"


def test_read_only_store_must_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="there is no store"):
        Store(tmp_path / "absent.duckdb", read_only=True)


def test_newer_export_fills_unknown_counts_without_duplicating(store: Store, tmp_path: Path) -> None:
    older = tmp_path / "older"
    shutil.copytree(ARCHIVE, older)
    part = older / "data" / "tweets-part1.js"
    part.write_text(part.read_text().replace('"favorite_count" : "12",', ""))
    load(store, older)
    assert count(store, "SELECT count(*) FROM posts WHERE like_count IS NULL AND kind <> 'repost'") == 1
    newer = load(store, ARCHIVE)
    assert (newer.merge.inserted, newer.merge.already_stored, newer.merge.counts_updated) == (0, 4, 1)
    assert count(store, "SELECT like_count FROM posts WHERE post_id = '1700000000000000001'") == 12


def test_ids_that_look_alike_across_platforms_stay_apart(store: Store) -> None:
    load(store, ARCHIVE)
    store.con.execute("UPDATE posts SET platform = 'mastodon' WHERE post_id = '1700000000000000001'")
    report = load(store, ARCHIVE)
    assert report.merge.inserted == 1
    assert count(store, "SELECT count(*) FROM posts WHERE post_id = '1700000000000000001'") == 2


def test_export_parquet_has_every_model_column_and_exact_ids(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE)
    written = store.export(tmp_path / "out")
    assert [p.name for p in written] == ["posts.parquet", "accounts.parquet"]
    posts = pq.read_table(tmp_path / "out" / "posts.parquet")
    assert posts.schema.names == POST_SCHEMA.names
    assert str(posts.schema.field("post_id").type) == "string"
    assert posts.column("post_id").to_pylist() == [
        "1700000000000000001", "1700000000000000002", "1700000000000000003", "1700000000000000004"]
    accounts = pq.read_table(tmp_path / "out" / "accounts.parquet")
    assert accounts.schema.names == ACCOUNT_SCHEMA.names
    assert not list((tmp_path / "out").glob(".*partial"))


def test_export_csv_round_trips_ids_as_text(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE)
    store.export(tmp_path, "csv")
    with open(tmp_path / "posts.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [r["post_id"] for r in table][:2] == ["1700000000000000001", "1700000000000000002"]
    assert table[1]["in_reply_to_account"] == "jeanne_b"
    assert list(table[0]) == POST_SCHEMA.names


def test_export_rejects_unknown_format(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown export format"):
        store.export(tmp_path, "xlsx")


def test_accounts_summary_counts_kinds_and_range(store: Store) -> None:
    load(store, ARCHIVE)
    assert store.accounts_summary() == [{
        "platform": "x", "account": "MairieDeBrest", "display_name": "Mairie de Brest",
        "is_owner": True, "posts": 4, "originals": 1, "replies": 1, "reposts": 1, "quotes": 1,
        "comments": 0, "first_at": "2023-09-11T08:30:00Z", "last_at": "2023-09-13T07:45:00Z"}]


def test_large_import_keeps_every_row(store: Store, tmp_path: Path) -> None:
    """More rows than several DuckDB row groups, staged in one transaction, all arrive."""
    import orjson

    n = 300_000
    tweets = [{"tweet": {"id_str": str(10**18 + i), "created_at": "Mon Sep 11 08:30:00 +0000 2023",
                         "full_text": f"message {i}", "entities": {}}} for i in range(n)]
    path = tmp_path / "tweets.js"
    path.write_bytes(b"window.YTD.tweets.part0 = " + orjson.dumps(tweets))
    from parlons.importers._base import ImportOptions

    report = load(store, path, options=ImportOptions(account="org"))
    assert report.merge.inserted == n
    assert count(store, "SELECT count(DISTINCT post_id) FROM posts") == n


def test_the_blocks_of_many_rows_written_leave_the_cache_before_the_next_query(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each query of a large import starts with DuckDB's whole limit (its peak no longer grows with the
    import): once DROP_CACHE_ROWS rows were written, the blocks cached are dropped, the limit kept."""
    rows = 300_000

    def query(first: int) -> str:
        return (f"SELECT 'x' AS platform, i::VARCHAR AS post_id, 'a' || (i % 7) AS account, "
                f"TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_seconds(i) AS created_at, "
                f"repeat('post number ' || i || ' ', 20) AS text, 'original' AS kind, 'm' AS source_member, "
                f"i::VARCHAR AS source_record FROM range({first}, {first + rows}) r(i)")

    stamp = Stamp("f.jsonl", "test", "1", datetime(2024, 2, 1, tzinfo=UTC))
    cached, limits = {}, {}
    for threshold in (2 * rows + 1, 2 * rows, rows):
        monkeypatch.setattr(store_module, "DROP_CACHE_ROWS", threshold)
        with Store(tmp_path / f"{threshold}.duckdb") as store:
            with store.transaction():
                limit = store._memory_setting()
                assert store.stage_query(query(0), {}, stamp) == (rows, [])
                assert store.stage_query(query(rows), {}, stamp) == (rows, [])
                cached[threshold] = store.con.execute(
                    "SELECT sum(memory_usage_bytes), sum(temporary_storage_bytes) FROM duckdb_memory() "
                    "WHERE tag = 'BASE_TABLE'").fetchall()[0]
                limits[threshold] = (limit, store._memory_setting())
                store.merge()
            assert count(store, "SELECT count(*) FROM posts") == 2 * rows
    assert cached[2 * rows] == cached[2 * rows + 1], "the drop comes before a query, not after"
    assert cached[rows][0] < 0.6 * cached[2 * rows][0], cached
    assert cached[rows][1] == 0, "no block was written to the temporary folder"
    assert all(before == after for before, after in limits.values()), limits
