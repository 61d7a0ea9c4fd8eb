"""The command line: help with examples, exit codes, JSON output, nothing left by a failed import."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from parlons import __version__
from parlons.cli import cli, main

from .conftest import FIXTURES

ARCHIVE = FIXTURES / "x_archive"
DOCS = Path(__file__).resolve().parents[1] / "docs"


ENGLISH = {"LANG": "en_US.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner(env=ENGLISH).invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("command", cli.list_commands(click.Context(cli)))
def test_every_command_has_help_with_an_example_and_is_documented(command: str) -> None:
    code, output = run(command, "--help")
    assert code == 0
    assert "Example:" in output
    assert f"parlons {command}" in (DOCS / "cli.md").read_text()


def test_version() -> None:
    assert run("--version") == (0, f"parlons, version {__version__}\n")


def test_import_then_accounts_json(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    code, output = run("import", str(ARCHIVE), "--store", store, "--json")
    assert code == 0
    report = json.loads(output)
    assert report["files"][0]["read"] == {"x-archive": 4}
    assert report["files"][0]["unknown"] == ["data/notes.txt"]
    assert report["merge"]["inserted"] == 4
    code, output = run("accounts", "--store", store, "--json")
    accounts = json.loads(output)
    assert [(a["platform"], a["account"], a["posts"], a["replies"], a["reposts"], a["first_at"],
             a["last_at"]) for a in accounts] == [
        ("x", "MairieDeBrest", 4, 1, 1, "2023-09-11T08:30:00Z", "2023-09-13T07:45:00Z")]


def test_store_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLONS_STORE", str(tmp_path / "env-store"))
    (tmp_path / "env-store").mkdir()
    assert run("import", str(ARCHIVE), "-q") == (0, "")
    assert (tmp_path / "env-store" / "parlons.duckdb").exists()


def test_failed_first_import_leaves_no_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.js"
    empty.write_text("")
    store = tmp_path / "s.duckdb"
    with pytest.raises(SystemExit) as exited:
        main(["import", str(ARCHIVE), str(empty), "--store", str(store)])
    assert exited.value.code == 2
    assert "the file is empty" in capsys.readouterr().err
    assert not store.exists()


def test_accounts_without_store_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["accounts", "--store", str(tmp_path / "none.duckdb")])
    assert exited.value.code == 3
    assert "there is no store" in capsys.readouterr().err


def test_export_writes_both_tables(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    run("import", str(ARCHIVE), "--store", store, "-q")
    code, output = run("export", "--store", store, "-o", str(tmp_path / "out"), "--format", "csv")
    assert code == 0
    assert output.splitlines() == [str(tmp_path / "out" / "posts.csv"), str(tmp_path / "out" / "accounts.csv")]


def test_formats_lists_every_importer_with_an_example() -> None:
    code, output = run("formats", "--json")
    formats = json.loads(output)
    assert code == 0
    assert all(f["example"] and f["description"] for f in formats)
    assert "x-archive" in [f["name"] for f in formats]


def test_import_summary_lists_an_archives_media_as_folders(tmp_path: Path) -> None:
    """A real Mastodon archive's summary listed its 200 media files one by one; they are now counted by folder,
    and a long list ends with how many more there are (``--json`` still lists every member)."""
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES / "mastodon", archive)
    for n in range(30):
        media = archive / "media_attachments" / "files" / "111" / f"{n:03}" / "original" / f"photo{n}.jpg"
        media.parent.mkdir(parents=True)
        media.write_bytes(b"\xff\xd8\xff")
    for n in range(25):
        (archive / f"notes{n:02}.txt").write_text("not posts")
    code, output = run("import", str(archive), "--store", str(tmp_path / "s.duckdb"))
    assert code == 0
    assert "known, not posts: actor.json, avatar.png, bookmarks.json, likes.json, media_attachments/files/ (31 files)" \
        in " ".join(output.split())
    assert "not recognised, skipped: notes00.txt, notes01.txt," in output
    assert "notes19.txt, 5 more" in " ".join(output.split())
    code, output = run("import", str(archive), "--store", str(tmp_path / "s.duckdb"), "--json")
    assert len(json.loads(output)["files"][0]["known_not_imported"]) == 35
