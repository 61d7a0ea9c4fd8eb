"""Ctrl-C (a real SIGINT) at any moment: one line, exit 130, the store as it was, no scratch left.

A killed run (SIGKILL) cannot clean up: the next parlons process removes what it left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from parlons.importers._base import ImportOptions
from parlons.ingest import import_paths
from parlons.store import Store

MAPPING = {"post_id": "id", "account": "user", "created_at": "ts", "text": "body"}
MAP = ["--format", "generic-jsonl", *[a for k, v in MAPPING.items() for a in ("--map", f"{k}={v}")]]


@pytest.fixture(scope="module")
def big_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A zip holding 300,000 posts as JSON lines: long enough to interrupt at several points."""
    folder = tmp_path_factory.mktemp("input")
    lines = "".join(json.dumps({"id": str(i), "user": f"u{i % 50}", "ts": "2024-01-01T10:00:00Z",
                                "body": f"message {i}"}) + "\n" for i in range(300_000))
    with zipfile.ZipFile(folder / "posts.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export/posts.jsonl", lines)
    return folder / "posts.zip"


def start(args: list[str], scratch: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LANG": "en_US.UTF-8", "LANGUAGE": "", "LC_ALL": "", "LC_MESSAGES": "",
           "TMPDIR": str(scratch)}
    return subprocess.Popen([sys.executable, "-m", "parlons", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, "the import ended before the signal could be sent"
        assert time.monotonic() < deadline
        time.sleep(0.005)


def copied(scratch: Path) -> Callable[[], bool]:
    """The zip member is being copied into the run's scratch folder."""
    return lambda: any(p.is_file() for p in scratch.glob("parlons-run-*/source-*/**/*"))


def interrupt(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    assert process.poll() is None, "the import ended before the signal could be sent"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


@pytest.mark.parametrize("moment", ["while modules load", "while the zip member is copied",
                                    "half a second later"])
def test_ctrl_c_on_a_first_import_leaves_nothing(big_zip: Path, tmp_path: Path, moment: str) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    store = tmp_path / "new.duckdb"
    process = start(["import", str(big_zip), "--store", str(store), *MAP], scratch)
    if moment == "while modules load":
        time.sleep(0.3)
    elif moment == "while the zip member is copied":
        wait_for(copied(scratch), process)
    else:
        wait_for(copied(scratch), process)
        time.sleep(0.5)
    assert interrupt(process) == (130, "", "Aborted.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert list(scratch.iterdir()) == []


def test_ctrl_c_leaves_an_existing_store_as_it_was(big_zip: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    store = tmp_path / "s.duckdb"
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"id": "x1", "user": "org", "ts": "2024-01-01T10:00:00Z", "body": "hello"}) + "\n")
    with Store(store) as opened:
        import_paths(opened, [first], forced="generic-jsonl", options=ImportOptions(MAPPING))
    process = start(["import", str(big_zip), "--store", str(store), *MAP], scratch)
    wait_for(copied(scratch), process)
    time.sleep(0.3)
    assert interrupt(process) == (130, "", "Aborted.\n")
    with Store(store, read_only=True) as opened:
        assert opened.con.execute("SELECT post_id, account, text FROM posts").fetchall() == [("x1", "org", "hello")]
    assert list(scratch.iterdir()) == []


def test_what_a_killed_import_left_is_removed_at_the_next_start(big_zip: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    store = tmp_path / "s.duckdb"
    process = start(["import", str(big_zip), "--store", str(store), *MAP], scratch)
    wait_for(copied(scratch), process)
    process.kill()
    process.communicate(timeout=60)
    assert [p.name.startswith(f"parlons-run-{process.pid}-") for p in scratch.iterdir()] == [True]
    spill = store.with_name("s.duckdb.tmp")
    spill.mkdir(exist_ok=True)
    (spill / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"\0" * 4096)
    again = start(["import", str(tmp_path / "none.jsonl"), "--store", str(store)], scratch)
    _, err = again.communicate(timeout=60)
    assert again.returncode == 2, err
    assert list(scratch.iterdir()) == []
    assert not spill.exists()


def test_sigterm_ends_like_ctrl_c(big_zip: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    store = tmp_path / "new.duckdb"
    process = start(["import", str(big_zip), "--store", str(store), *MAP], scratch)
    wait_for(copied(scratch), process)
    process.terminate()
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (130, "", "Aborted.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("when", ["as DuckDB opens the file", "once the tables are being made"])
def test_ctrl_c_as_a_new_store_is_opened_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         when: str) -> None:
    """The signal lands between DuckDB's creating the file and the store's being ready: the file goes."""
    from parlons.engine import connect as real_connect

    def connect_then_interrupt(target: str, **config: object) -> object:
        con = real_connect(target, **config)  # type: ignore[arg-type]
        if when == "as DuckDB opens the file":
            raise KeyboardInterrupt
        return con

    def interrupted_tables(self: Store) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("parlons.store.connect", connect_then_interrupt)
    if when == "once the tables are being made":
        monkeypatch.setattr(Store, "_check_tables", interrupted_tables)
    path = tmp_path / "new.duckdb"
    with pytest.raises(KeyboardInterrupt):
        Store(path)
    assert list(tmp_path.iterdir()) == []
