"""Store-side failures are StoreErrors with the real cause and what to do, exit 3, the store unchanged.

Disk full is the real thing where the machine allows it (a small tmpfs mounted by root), and a real
write refused by the kernel everywhere (RLIMIT_FSIZE: "File too large"); out of memory is DuckDB's
own, under a small memory limit; a damaged store is a real file with bytes overwritten.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from parlons import store as store_module
from parlons.errors import StoreError
from parlons.importers import _duck as duck
from parlons.importers._base import ROW_SCHEMA, ImportOptions
from parlons.ingest import import_paths
from parlons.store import Stamp, Store

MAP = ["--format", "generic-jsonl", "--map", "post_id=id", "--map", "account=user", "--map", "created_at=ts",
       "--map", "text=body"]
ENV = {**os.environ, "LANG": "en_US.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": ""}


def posts(path: Path, n: int, start: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(start, start + n):
            handle.write(json.dumps({"id": str(i), "user": f"u{i % 50}", "ts": "2024-01-01T10:00:00Z",
                                     "body": f"message number {i} " * 3}) + "\n")
    return path


def parlons(*args: str, env: dict[str, str] | None = None, fsize: int | None = None
            ) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run([sys.executable, "-m", "parlons", *args], capture_output=True, text=True,
                          env=env or ENV, preexec_fn=limit, timeout=120, check=False)


def first_import(store: Path, source: Path) -> None:
    with Store(store) as opened:
        import_paths(opened, [source], forced="generic-jsonl",
                     options=ImportOptions({"post_id": "id", "account": "user", "created_at": "ts", "text": "body"}))


def stored_ids(store: Path) -> list[str]:
    with Store(store, read_only=True) as opened:
        return sorted(f"{row['account']}:{row['posts']}" for row in opened.accounts_summary())


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB file system: writing more fails with the kernel's ENOSPC."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root with CAP_SYS_ADMIN; "
                    "test_a_file_size_limit_is_the_stores_failure covers a refused write here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize(("rows", "when"), [(5_000, "committing the import"),
                                            (130_000, "writing the imported posts")])
def test_disk_full_is_the_stores_failure(small_disk: Path, tmp_path: Path, rows: int, when: str) -> None:
    store = small_disk / "s.duckdb"
    first_import(store, posts(tmp_path / "first.jsonl", 10))
    before = stored_ids(store)
    result = parlons("import", str(posts(tmp_path / "more.jsonl", rows, 10)), "--store", str(store), *MAP)
    assert result.returncode == 3
    assert one_line(result.stderr).startswith(
        f"error: no space left on the device holding the store {store} or its spill folder while {when}: ")
    assert one_line(result.stderr).endswith("No space left on device. Free some space and run the command again; "
                                            "the store is unchanged")
    assert "Traceback" not in result.stderr
    assert stored_ids(store) == before


def test_a_file_size_limit_is_the_stores_failure(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first_import(store, posts(tmp_path / "first.jsonl", 10))
    before = stored_ids(store)
    result = parlons("import", str(posts(tmp_path / "more.jsonl", 5_000, 10)), "--store", str(store), *MAP,
                     fsize=store.stat().st_size)
    assert result.returncode == 3
    message = one_line(result.stderr)
    assert message.startswith("error: the system refused to grow a file while committing the import "
                              "(file size limit): "), message
    assert message.endswith(f"File too large. Raise the limit (ulimit -f) and run the command again; "
                            f"the store {store} is unchanged")
    assert stored_ids(store) == before == [f"u{i}:1" for i in range(10)]


def test_out_of_memory_in_the_command_says_to_raise_the_limit(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first_import(store, posts(tmp_path / "first.jsonl", 10))
    result = parlons("import", str(posts(tmp_path / "more.jsonl", 5_000)), "--store", str(store), *MAP,
                     env={**ENV, "PARLONS_MEMORY_LIMIT": "4MB"})
    assert result.returncode == 3
    message = one_line(result.stderr)
    assert message.startswith("error: DuckDB ran out of memory while "), message
    assert "(limit 4MB): Out of Memory Error: " in message
    assert message.endswith(f"Raise $PARLONS_MEMORY_LIMIT (e.g. PARLONS_MEMORY_LIMIT=4GB) or free memory, then run "
                            f"the command again; the store {store} is unchanged")
    assert stored_ids(store) == [f"u{i}:1" for i in range(10)]


def batch(n: int) -> pa.RecordBatch:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    return pa.RecordBatch.from_pylist([{"platform": "x", "post_id": str(i % (n // 2)), "account": f"a{i % 97}",
                                        "created_at": when, "text": f"text {i}", "kind": "original",
                                        "source_member": "m", "source_record": str(i)} for i in range(n)],
                                      schema=ROW_SCHEMA)


def test_out_of_memory_in_the_merge_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    stamp = Stamp("f.jsonl", "test", "1", datetime(2024, 2, 1, tzinfo=UTC))
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(StoreError) as failure, store.transaction():
            store.stage_batch(batch(60_000), stamp)
            store.con.execute("SET memory_limit = '1MB'")
            store.merge()
        assert str(failure.value).startswith("DuckDB ran out of memory while merging the imported posts (limit ")
        assert "Raise $PARLONS_MEMORY_LIMIT" in str(failure.value)
        store.con.execute("SET memory_limit = '1GB'")
        assert store.con.execute("SELECT count(*) FROM posts").fetchall() == [(0,)]


def damage(store: Path) -> None:
    data = bytearray(store.read_bytes())
    data[4096:12288] = bytes(range(256)) * 32
    store.write_bytes(bytes(data))


def test_a_damaged_store_says_to_restore_it(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first_import(store, posts(tmp_path / "first.jsonl", 10))
    damage(store)
    damaged = store.read_bytes()
    expected = (f"error: the store {store} cannot be read or written while opening it: Corrupt database file: ")
    advice = "If it is damaged, restore s.duckdb and its .wal file from a backup, or import into a new store (--store)"
    for command in (["accounts"], ["import", str(tmp_path / "first.jsonl"), *MAP], ["export", "-o", str(tmp_path)]):
        result = parlons(*command, "--store", str(store))
        assert result.returncode == 3, result.stderr
        assert one_line(result.stderr).startswith(expected), result.stderr
        assert one_line(result.stderr).endswith(advice)
    assert store.read_bytes() == damaged


def test_an_export_that_fills_its_disk_leaves_no_partial_file(small_disk: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first_import(store, posts(tmp_path / "posts.jsonl", 20_000))
    result = parlons("export", "--store", str(store), "-o", str(small_disk / "out"), "--format", "csv")
    assert result.returncode == 3
    target = small_disk / "out" / "posts.csv"
    assert one_line(result.stderr).startswith(f"error: no space left on the device holding the file it names "
                                              f"while writing {target}: ")
    assert list((small_disk / "out").iterdir()) == []


@pytest.mark.parametrize(("configured", "factor"), [("1GB", 1), ("4GB", 4)])
def test_out_of_memory_in_a_step_names_its_limit_which_grows_with_the_configured_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str, factor: int) -> None:
    """A step runs within a lower limit of its own (the merge's 256 MB): raising the store's, as the message
    advises, raises the step's in proportion."""
    monkeypatch.setattr(store_module, "MERGE_MEMORY_LIMIT", "500KB")
    stamp = Stamp("f.jsonl", "test", "1", datetime(2024, 2, 1, tzinfo=UTC))
    with Store(tmp_path / "s.duckdb", memory_limit=configured) as store:
        with pytest.raises(StoreError) as failure, store.transaction():
            store.stage_batch(batch(60_000), stamp)
            store.merge()
        message = str(failure.value)
        assert message.startswith(f"DuckDB ran out of memory while merging the imported posts (limit {configured}; ")
        step = re.search(r"; ([^;]+) for this step\): Out of Memory Error", message)
        assert step is not None, message
        assert store_module._bytes(step.group(1)) == pytest.approx(500_000 * factor, rel=0.05)
        assert store.con.execute("SELECT count(*) FROM posts").fetchall() == [(0,)]


MASTODON = Path(__file__).parent / "fixtures" / "mastodon"


@pytest.mark.parametrize(("configured", "expected"), [(None, 1e9), ("300MB", 300e6), ("3GB", 3e9)])
def test_an_importers_own_duckdb_works_within_the_configured_limit(
        monkeypatch: pytest.MonkeyPatch, configured: str | None, expected: float) -> None:
    """The DuckDB an importer shapes its rows in (Mastodon's, generic JSON lines') follows $PARLONS_MEMORY_LIMIT, as
    the store does: it kept 1 GB whatever the setting, so that a lowered limit did not bound it and a raised one,
    as an out-of-memory failure advises, did not help it."""
    if configured is None:
        monkeypatch.delenv("PARLONS_MEMORY_LIMIT", raising=False)
    else:
        monkeypatch.setenv("PARLONS_MEMORY_LIMIT", configured)
    con = duck.connect()
    try:
        setting = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    finally:
        con.close()
    assert store_module._bytes(setting) == pytest.approx(expected, rel=0.05)  # DuckDB shows "2.7 GiB"


def test_out_of_memory_in_an_importers_duckdb_names_the_member_and_the_configured_limit(tmp_path: Path) -> None:
    """Mastodon's importer reads the cut outbox in a DuckDB of its own: under a limit of 4 MB (the store's own work
    fits in it) that DuckDB runs out of memory; before, it ran within 1 GB whatever the limit, and the import passed."""
    store = tmp_path / "s.duckdb"
    first_import(store, posts(tmp_path / "first.jsonl", 10))
    result = parlons("import", str(MASTODON), "--store", str(store), env={**ENV, "PARLONS_MEMORY_LIMIT": "4MB"})
    assert result.returncode == 3, result.stderr
    message = one_line(result.stderr)
    assert message.startswith(f"error: DuckDB ran out of memory while reading outbox.json of {MASTODON} "
                              "(limit 4MB): Out of Memory Error: "), message
    assert message.endswith(f"the store {store} is unchanged")
    assert stored_ids(store) == [f"u{i}:1" for i in range(10)]
    assert parlons("import", str(MASTODON), "--store", str(store),
                   env={**ENV, "PARLONS_MEMORY_LIMIT": "300MB"}).returncode == 0
