"""`--store` must be a parlons store or a new path; no DuckDB connection installs or loads extensions."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import duckdb
import pytest

from parlons import engine
from parlons.audit import open_posts
from parlons.cli import main
from parlons.errors import StoreError
from parlons.importers import _duck
from parlons.store import Store

from .conftest import FIXTURES

ARCHIVE = FIXTURES / "x_archive"
SRC = Path(__file__).resolve().parents[1] / "src" / "parlons"


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    return int(str(exit_info.value.code)), capsys.readouterr().err


def sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE posts (id TEXT)")
    return path


@pytest.mark.parametrize(("name", "content", "kind"), [
    ("ex.csv", b"post_id,text\n1,hello\n", "a CSV or text file"),
    ("ex.json", b'[{"post_id": "1"}]\n', "a JSON file"),
    ("ex.duckdb", b"", "an empty file"),
    ("ex.bin", bytes(range(256)) * 4, "a file of another kind"),
])
def test_import_refuses_a_store_that_is_another_kind_of_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, kind: str) -> None:
    target = tmp_path / name
    target.write_bytes(content)
    code, err = run("import", str(ARCHIVE), "--store", str(target), capsys=capsys)
    assert code == 3
    assert f"{target} is {kind}, not a parlons store; give --store a new path or an existing parlons store" in \
        " ".join(err.split())
    assert target.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_sqlite_store_is_refused_before_duckdb_sees_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = sqlite_file(tmp_path / "audit.db")
    before = target.read_bytes()
    for command in (["import", str(ARCHIVE)], ["accounts"], ["export", "-o", str(tmp_path / "out")]):
        code, err = run(*command, "--store", str(target), capsys=capsys)
        assert (code, " ".join(err.split())) == (3, f"error: {target} is a SQLite database, not a parlons store; "
                                                    "give --store a new path or an existing parlons store "
                                                    "(a .duckdb file written by `parlons import`)")
    assert target.read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_a_duckdb_database_of_another_program_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "other.duckdb"
    with duckdb.connect(str(target)) as con:
        con.execute("CREATE TABLE invoices (n INTEGER)")
    for read_only in (False, True):
        with pytest.raises(StoreError, match="is a DuckDB database but not a parlons store"):
            Store(target, read_only=read_only)
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT table_name FROM duckdb_tables()").fetchall() == [("invoices",)]


def test_a_new_path_and_a_parlons_store_are_accepted(tmp_path: Path) -> None:
    target = tmp_path / "new" / "store.duckdb"
    with Store(target) as store:
        assert store.created
    with Store(target) as again:
        assert not again.created
    with Store(target, read_only=True) as reader:
        assert reader.accounts_summary() == []


def _settings(con: duckdb.DuckDBPyConnection) -> tuple[object, ...]:
    row = con.execute("SELECT current_setting('autoinstall_known_extensions'), "
                      "current_setting('autoload_known_extensions'), "
                      "current_setting('allow_community_extensions')").fetchone()
    assert row is not None
    return tuple(row)


def test_every_connection_parlons_opens_has_extensions_off(tmp_path: Path) -> None:
    off = (False, False, False)
    with Store(tmp_path / "s.duckdb") as store:
        assert _settings(store.con) == off
        store.export(tmp_path / "export")
    with Store(tmp_path / "s.duckdb", read_only=True) as store:
        assert _settings(store.con) == off
    assert _settings(_duck.connect()) == off
    assert _settings(open_posts(tmp_path / "export")) == off
    assert _settings(open_posts(tmp_path / "s.duckdb")) == off


def test_an_extension_is_never_fetched_behind_the_users_back(tmp_path: Path) -> None:
    db = sqlite_file(tmp_path / "x.sqlite")
    con = engine.connect()
    with pytest.raises(duckdb.CatalogException, match="consider enabling auto-install and auto-load"):
        con.execute(f"SELECT * FROM sqlite_scan('{db}', 'posts')")
    assert con.execute("SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = 'sqlite_scanner'"
                       ).fetchall() == [(0,)]


def test_only_the_engine_module_calls_duckdb_connect() -> None:
    """Every connection goes through parlons.engine.connect, which turns extension autoloading off."""
    callers = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                     if re.search(r"\bduckdb\.connect\(", p.read_text(encoding="utf-8")))
    assert callers == ["engine.py"], "use parlons.engine.connect() instead of duckdb.connect()"


def test_an_empty_duckdb_file_left_by_a_killed_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "s.duckdb"
    duckdb.connect(str(target)).close()
    code, err = run("accounts", "--store", str(target), capsys=capsys)
    assert (code, " ".join(err.split())) == (3, f"error: the store {target} is empty; run `parlons import` into "
                                                "it first")
    main(["import", str(ARCHIVE), "--store", str(target), "--quiet"])
    with Store(target, read_only=True) as store:
        assert [(r["account"], r["posts"]) for r in store.accounts_summary()] == [("MairieDeBrest", 4)]


def test_each_posts_own_text_and_ids_are_stored_with_zstd(tmp_path: Path) -> None:
    """The columns of :data:`parlons.model.UNIQUE_TEXT` are written with ZSTD, not DuckDB's DICT_FSST nor
    left uncompressed (what an older storage version does with that request, silently)."""
    store = tmp_path / "s.duckdb"
    main(["import", str(ARCHIVE), "--store", str(store), "-q"])
    with duckdb.connect(str(store), read_only=True) as con:
        found = con.execute("SELECT column_name, list(DISTINCT compression ORDER BY compression) "
                            "FROM pragma_storage_info('posts') WHERE segment_type <> 'VALIDITY' "
                            "AND column_name IN ('text', 'post_id', 'source_record') GROUP BY 1 ORDER BY 1").fetchall()
    assert found == [("post_id", ["ZSTD"]), ("source_record", ["ZSTD"]), ("text", ["ZSTD"])]
