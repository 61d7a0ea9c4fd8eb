"""Outputs that cannot be written are refused before the work, with a clear error and exit 3.

Tests run as root in CI, where permission bits stop nothing: the places used here stop root too
(a path through a regular file, a read-only file system), and the unsearchable folder is tested in
a child process that gives up root first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from parlons.cli import main
from parlons.errors import OutputError
from parlons.outputs import check_output_file, check_output_folder

from .conftest import FIXTURES


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(str(exit_info.value.code)), " ".join(capsys.readouterr().err.split())


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "ro"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                      capture_output=True, check=False).returncode != 0:
        pytest.skip("mounting a read-only tmpfs needs root with CAP_SYS_ADMIN; the path-through-a-file "
                    "cases cover the same check here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_outputs_under_a_regular_file_are_refused_before_the_audit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    missing_store = str(tmp_path / "none.duckdb")
    for name in ("r.pdf", "r.html"):
        assert run("report", "org", "--store", missing_store, "-o", str(blocker / name), capsys=capsys) == (
            3, f"error: cannot write the report {blocker / name}: {blocker} is a file, not a folder; "
               "choose another place (-o)")
    assert run("export", "--store", missing_store, "-o", str(blocker / "out"), capsys=capsys) == (
        3, f"error: cannot write the export {blocker / 'out'}: {blocker} is a file, not a folder; "
           "choose another place (-o)")
    assert run("demo", "-o", str(blocker / "demo"), capsys=capsys) == (
        3, f"error: cannot write the demo {blocker / 'demo'}: {blocker} is a file, not a folder; "
           "choose another place (-o)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_outputs_on_a_read_only_file_system_are_refused(
        read_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing_store = str(tmp_path / "none.duckdb")
    assert run("report", "org", "--store", missing_store, "-o", str(read_only / "r.pdf"), capsys=capsys) == (
        3, f"error: cannot write the report {read_only / 'r.pdf'}: Read-only file system ({read_only}); "
           "choose another place (-o)")
    assert run("export", "--store", missing_store, "-o", str(read_only / "a" / "b"), capsys=capsys) == (
        3, f"error: cannot write the export {read_only / 'a' / 'b'}: Read-only file system ({read_only}); "
           "choose another place (-o)")
    assert run("demo", "-o", str(read_only / "demo"), capsys=capsys) == (
        3, f"error: cannot write the demo {read_only / 'demo'}: Read-only file system ({read_only}); "
           "choose another place (-o)")


def test_the_checks_accept_what_can_be_written_and_create_nothing(tmp_path: Path) -> None:
    assert check_output_folder(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert check_output_file(tmp_path / "new" / "r.pdf") == tmp_path / "new" / "r.pdf"
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError, match="it is a folder; give a file name"):
        check_output_file(tmp_path / "folder")


def _as_nobody(args: list[str]) -> tuple[int, str]:
    """Run the CLI in a forked child that is not root (permission bits apply); its exit code and stderr."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 70
        try:
            sys.stderr = os.fdopen(write, "w")
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            main(args)
            code = 0
        except SystemExit as done:
            code = int(str(done.code))
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as pipe:
        err = pipe.read()
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), " ".join(err.split())


def test_a_store_in_a_folder_that_cannot_be_searched(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "s.duckdb").write_bytes(b"")
    locked.chmod(0o600)
    store = locked / "s.duckdb"
    expected = (f"error: cannot reach the store {store}: Permission denied; give --store a path in a folder you "
                "can open and write")
    try:
        assert _as_nobody(["accounts", "--store", str(store)]) == (3, expected)
        assert _as_nobody(["import", str(FIXTURES / "x_archive"), "--store", str(store)]) == (3, expected)
        assert _as_nobody(["audit", "org", "--store", str(store)]) == (3, expected)
        assert _as_nobody(["explain", "1", "--store", str(store)]) == (3, expected)
    finally:
        locked.chmod(0o700)
