"""A folder of exports imports exactly what its files import one by one, zip archives included."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from parlons import build_demo
from parlons.errors import InputError, UnsafeArchive
from parlons.ingest import import_paths
from parlons.sources import Limits, open_sources
from parlons.store import Store

from .conftest import load, rows


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's X archive, Mastodon archive and one twarc2 file, side by side in one folder."""
    demo = tmp_path_factory.mktemp("demo")
    exports = build_demo(demo, scale=0.05)
    folder = tmp_path_factory.mktemp("downloads")
    for path in exports:
        if path.suffix == ".zip" or path.name == "mentions-BibMorvezen.jsonl":
            shutil.copy(path, folder / path.name)
    return folder


def _posts(store: Store) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k not in ("source_file", "imported_at")} for row in rows(store)]


def test_folder_equals_its_files_one_by_one(downloads: Path, tmp_path: Path) -> None:
    with Store(tmp_path / "folder.duckdb") as folder_store, Store(tmp_path / "files.duckdb") as files_store:
        report = load(folder_store, downloads)
        for path in sorted(downloads.iterdir()):
            load(files_store, path)
        assert [(Path(f.path).name, f.formats) for f in report.files] == [
            ("downloads0", {"twitter-api": 6}),
            ("archive-20250102080000-656f86e6289a303d46a103ee02c5f483.zip", {"mastodon-archive": 10}),
            ("twitter-2025-01-02-vpfylgy8hpgxmysh.zip", {"x-archive": 22}),
        ]
        assert report.merge.inserted == 38
        assert _posts(folder_store) == _posts(files_store)


def test_archive_rows_name_the_archive_as_their_source_file(downloads: Path, store: Store) -> None:
    load(store, downloads)
    found = store.con.execute("SELECT DISTINCT platform, source_file FROM posts ORDER BY 1, 2").fetchall()
    assert [(p, Path(f).name) for p, f in found] == [
        ("mastodon", "archive-20250102080000-656f86e6289a303d46a103ee02c5f483.zip"),
        ("x", "downloads0"), ("x", "twitter-2025-01-02-vpfylgy8hpgxmysh.zip"),
    ]


def test_folder_of_archives_only(downloads: Path, tmp_path: Path, store: Store) -> None:
    only = tmp_path / "only"
    only.mkdir()
    for path in downloads.glob("*.zip"):
        shutil.copy(path, only / path.name)
    report = load(store, only)
    assert [f.formats for f in report.files] == [{"mastodon-archive": 10}, {"x-archive": 22}]


def test_archives_in_a_folder_have_the_limits_of_an_archive_given_by_name(downloads: Path) -> None:
    tight = Limits(max_members=3)
    with pytest.raises(UnsafeArchive) as caught, open_sources(downloads, tight):
        pass
    assert "archive-20250102080000" in str(caught.value)
    assert "members" in str(caught.value)


def test_an_archive_inside_an_archive_is_reported_not_skipped_silently(downloads: Path, tmp_path: Path) -> None:
    outer = tmp_path / "outer.zip"
    inner = next(downloads.glob("twitter-*.zip"))
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(inner, "exports/" + inner.name)
        archive.write(downloads / "mentions-BibMorvezen.jsonl", "mentions.jsonl")
    with Store(tmp_path / "s.duckdb") as store:
        report = import_paths(store, [outer])
    (only,) = report.files
    assert only.formats == {"twitter-api": 6}
    assert only.unknown == ["exports/" + inner.name]
    assert only.notes == [f"exports/{inner.name}: an archive inside the archive is not opened; "
                          "extract it and import it by name"]


def test_office_documents_in_a_folder_are_not_opened_as_archives(downloads: Path, tmp_path: Path,
                                                                 store: Store) -> None:
    folder = tmp_path / "with-sheet"
    folder.mkdir()
    shutil.copy(downloads / "mentions-BibMorvezen.jsonl", folder)
    with zipfile.ZipFile(folder / "budget.xlsx", "w") as sheet:
        sheet.writestr("xl/workbook.xml", "<workbook/>")
    report = load(store, folder)
    assert [(f.formats, f.unknown) for f in report.files] == [({"twitter-api": 6}, ["budget.xlsx"])]


def test_an_archive_holding_only_archives_says_so(downloads: Path, tmp_path: Path, store: Store) -> None:
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        for path in sorted(downloads.glob("*.zip")):
            archive.write(path, path.name)
    with pytest.raises(InputError) as caught:
        load(store, outer)
    assert str(caught.value) == (
        f"file {outer}: holds only archives (archive-20250102080000-656f86e6289a303d46a103ee02c5f483.zip, "
        "twitter-2025-01-02-vpfylgy8hpgxmysh.zip), which are not opened inside an archive; extract them and "
        "import them by name")
