"""Tar archives (``.tar.gz`` and kin): Mastodon wrote its account archives so from 2018 into 2023.

Their regular files are extracted once into the source's private folder, under checked names and
within the archive limits, then read as a folder's files are.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from parlons.errors import InputError, UnsafeArchive
from parlons.sources import Limits, open_source, open_sources
from parlons.store import Store

from .conftest import FIXTURES, count, load, rows

MASTODON = FIXTURES / "mastodon"


def _tar(target: Path, folder: Path, mode: str = "w:gz", prefix: str = "./") -> Path:
    """``folder`` packed as ``tar czf target -C folder .`` packs it (names start with ``./``)."""
    with tarfile.open(target, mode) as archive:
        for path in sorted(folder.rglob("*")):
            archive.add(path, prefix + path.relative_to(folder).as_posix(), recursive=False)
    return target


def _add(archive: tarfile.TarFile, name: str, data: bytes, kind: bytes = tarfile.REGTYPE, link: str = "") -> None:
    info = tarfile.TarInfo(name)
    info.size, info.type, info.linkname = (len(data) if kind == tarfile.REGTYPE else 0), kind, link
    archive.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def _posts(store: Store) -> list[tuple[str, str, str, str]]:
    return [(r["post_id"], r["kind"], r["text"], r["source_member"]) for r in rows(store)]


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz", "w"])
def test_a_mastodon_archive_as_tar_imports_what_the_folder_imports(store: Store, tmp_path: Path, mode: str) -> None:
    with Store(tmp_path / "folder.duckdb") as reference:
        folder = load(reference, MASTODON).files[0]
        expected = _posts(reference)
    archive = _tar(tmp_path / "archive-20220301120000-0123456789abcdef0123456789abcdef.tar.gz", MASTODON, mode)
    report = load(store, archive).files[0]
    assert (report.formats, report.skipped, report.known, report.unknown) == (
        folder.formats, folder.skipped, folder.known, folder.unknown)
    assert report.formats == {"mastodon-archive": 6}
    assert _posts(store) == expected
    assert {r["source_file"] for r in rows(store)} == {str(archive)}


def test_tar_members_are_extracted_into_the_sources_private_folder_and_removed(tmp_path: Path) -> None:
    archive = tmp_path / "export.tgz"
    with tarfile.open(archive, "w:gz") as out:
        _add(out, "export/data/posts.jsonl", b'{"id": 1}\n')
        _add(out, "export/.hidden", b"x")
        _add(out, "export/inner.zip", b"PK\x03\x04")
        _add(out, "export/inner.tar.gz", b"\x1f\x8b")
        _add(out, "export/folder", b"", tarfile.DIRTYPE)
        _add(out, "export/link", b"", tarfile.SYMTYPE, "/etc/passwd")
        _add(out, "export/hard", b"", tarfile.LNKTYPE, "export/data/posts.jsonl")
        _add(out, "export/fifo", b"", tarfile.FIFOTYPE)
    with open_source(archive) as source:
        assert source.kind == "tar"
        assert [(m.name, m.size) for m in source.members] == [("export/data/posts.jsonl", 10)]
        assert source.nested == ["export/inner.zip", "export/inner.tar.gz"]
        member = source.members[0]
        assert member.read_text() == '{"id": 1}\n'
        path = member.local_path()
        assert path.read_bytes() == b'{"id": 1}\n' and path.is_relative_to(source.scratch())
    assert not path.exists()


@pytest.mark.parametrize("name", ["../escape.json", "/etc/cron.d/x", "a/../../escape.json", "C:/x.json"])
def test_a_tar_member_that_escapes_is_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as out:
        _add(out, "ok.json", b"{}")
        _add(out, name, b"{}")
    with pytest.raises(UnsafeArchive, match="escapes the archive") as caught:
        open_source(archive)
    assert caught.value.member == name
    assert not (tmp_path / "escape.json").exists() and not (tmp_path.parent / "escape.json").exists()


def test_a_tar_bomb_and_an_archive_beyond_the_limits_are_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz") as out:
        _add(out, "zeros.json", bytes(4 * 1024 * 1024))
    with pytest.raises(UnsafeArchive, match="tar bomb") as caught:
        open_source(bomb, Limits(ratio_floor_bytes=1024 * 1024, max_ratio=50))
    assert caught.value.member == "zeros.json"
    many = tmp_path / "many.tar"
    with tarfile.open(many, "w") as out:
        for n in range(4):
            _add(out, f"{n}.json", b"{}")
    with pytest.raises(UnsafeArchive, match="more than 3 members"):
        open_source(many, Limits(max_members=3))
    with pytest.raises(UnsafeArchive, match="beyond the limits"):
        open_source(many, Limits(max_member_bytes=1))


def test_a_truncated_tar_gz_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    whole = _tar(tmp_path / "archive.tar.gz", MASTODON)
    cut = tmp_path / "archive-cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError, match=r"cannot read the tar archive after member .*truncated") as caught:
        open_source(cut)
    assert caught.value.file == str(cut)
    store = tmp_path / "store.duckdb"
    done = subprocess.run([sys.executable, "-m", "parlons", "import", str(cut), "--store", str(store)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert f"file {cut}: cannot read the tar archive" in done.stderr and "Traceback" not in done.stderr
    assert not store.exists()


def test_a_folder_opens_its_tar_archives_as_sources_and_a_zip_reports_one_inside(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    _tar(downloads / "archive-20220301120000-abc.tar.gz", MASTODON)
    (downloads / "notes.tar.gz").write_bytes(b"\x1f\x8b not really")  # named so, but not a tar
    with open_sources(downloads) as sources:
        assert [(s.kind, s.path.name) for s in sources] == [
            ("folder", "downloads"), ("tar", "archive-20220301120000-abc.tar.gz")]
        assert [m.name for m in sources[0].members] == ["notes.tar.gz"]
    holder = tmp_path / "holder.zip"
    with zipfile.ZipFile(holder, "w") as out:
        out.write(downloads / "archive-20220301120000-abc.tar.gz", "old/archive.tar.gz")
    with Store(tmp_path / "s.duckdb") as store, pytest.raises(InputError, match="holds only archives"):
        load(store, holder)
    with Store(tmp_path / "t.duckdb") as store:
        load(store, downloads / "archive-20220301120000-abc.tar.gz")
        assert count(store, "SELECT count(*) FROM posts") == 6


def test_a_gzipped_file_that_is_not_a_tar_stays_a_file(tmp_path: Path) -> None:
    packed = tmp_path / "stream.jsonl.gz"
    packed.write_bytes(gzip.compress((FIXTURES / "twarc2" / "stream.jsonl").read_bytes()))
    with open_source(packed) as source:
        assert (source.kind, [m.basename for m in source.members]) == ("file", ["stream.jsonl"])
