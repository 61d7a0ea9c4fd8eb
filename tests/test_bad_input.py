"""Bad input: unsafe archives, empty files, other encodings, truncated files, unknown members."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from parlons.errors import InputError, UnsafeArchive
from parlons.sources import Limits, open_source
from parlons.store import Store

from .conftest import FIXTURES, count, load, zip_folder

TWEETS = FIXTURES / "x_archive" / "data" / "tweets-part1.js"
ACCOUNT = FIXTURES / "x_archive" / "data" / "account.js"


def test_zip_member_escaping_the_archive_is_refused(store: Store, tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.write(TWEETS, "data/tweets.js")
        archive.writestr("../../etc/cron.d/evil", "* * * * * root rm -rf /")
    with pytest.raises(UnsafeArchive) as caught:
        load(store, evil)
    assert caught.value.member == "../../etc/cron.d/evil"
    assert "escapes the archive" in str(caught.value)


@pytest.mark.parametrize("name", ["/etc/passwd", "C:/windows/evil.js", "a/../../b.js"])
def test_absolute_and_drive_member_names_are_refused(tmp_path: Path, name: str) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr(name, "x")
    with pytest.raises(UnsafeArchive):
        open_source(evil)


def test_zip_bomb_is_refused_before_inflating(store: Store, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data/tweets.js", b"\0" * (80 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(UnsafeArchive, match="zip bomb") as caught:
        load(store, bomb)
    assert caught.value.member == "data/tweets.js"


def test_archive_limits_are_configurable(tmp_path: Path) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(5):
            archive.writestr(f"f{i}.txt", "x")
    with pytest.raises(UnsafeArchive, match="5 members"):
        open_source(many, Limits(max_members=4))
    with pytest.raises(UnsafeArchive, match="inflate to"):
        open_source(many, Limits(max_total_bytes=4))


def test_empty_file_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "tweets.js"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        load(store, empty)


def test_missing_path_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        load(store, tmp_path / "nope.zip")


def test_corrupt_zip_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(FIXTURES / "x_archive", tmp_path / "a.zip")
    data = bytearray(archive.read_bytes())
    start = data.index(b"window.YTD") if b"window.YTD" in data else 200
    data[start:start + 100] = b"\xff" * 100
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError):
        load(store, archive)


def test_utf16_archive_file_is_transcoded(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(ACCOUNT, folder / "account.js")
    (folder / "tweets.js").write_bytes(TWEETS.read_text(encoding="utf-8").encode("utf-16"))
    load(store, folder)
    texts = [r[0] for r in store.con.execute("SELECT text FROM posts ORDER BY post_id").fetchall()]
    assert texts[0].startswith("Le marché de Noël ouvre à #Brest")


def test_latin1_file_names_the_encoding_problem(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(ACCOUNT, folder / "account.js")
    (folder / "tweets.js").write_bytes(TWEETS.read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(InputError) as caught:
        load(store, folder)
    assert caught.value.member == "tweets.js"
    assert "UTF-8" in str(caught.value) or "utf-8" in str(caught.value)


def test_failed_file_leaves_store_exactly_as_it_was(store: Store, tmp_path: Path) -> None:
    load(store, FIXTURES / "x_archive")
    before = store.con.execute("SELECT count(*), count(DISTINCT imported_at) FROM posts").fetchall()
    empty = tmp_path / "empty.js"
    empty.write_bytes(b"")
    other = tmp_path / "other"
    shutil.copytree(FIXTURES / "x_archive", other)
    for tweets in (other / "data").glob("tweets-*.js"):
        tweets.write_text(tweets.read_text().replace("1700000000000000", "1800000000000000"))
    with pytest.raises(InputError):
        load(store, other, empty)
    after = store.con.execute("SELECT count(*), count(DISTINCT imported_at) FROM posts").fetchall()
    assert after == before
    assert count(store, "SELECT count(*) FROM accounts") == 1


def test_duplicate_ids_in_one_file_are_counted_and_located(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(ACCOUNT, folder / "account.js")
    text = TWEETS.read_text()
    (folder / "tweets.js").write_text(text)
    (folder / "tweets-part2.js").write_text(text.replace("part0", "part1"))
    report = load(store, folder)
    assert report.merge.duplicates_in_input == 2
    assert report.merge.inserted == 2
    assert [e[1:] for e in report.merge.duplicate_examples] == [
        ("tweets.js", "1700000000000000001", "1700000000000000001"),
        ("tweets.js", "1700000000000000002", "1700000000000000002"),
    ]


def test_hidden_and_macos_members_are_ignored(store: Store, tmp_path: Path) -> None:
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(ACCOUNT, "data/account.js")
        z.write(TWEETS, "data/tweets.js")
        z.writestr("__MACOSX/data/._tweets.js", b"\x00\x05\x16\x07")
        z.writestr("data/.DS_Store", b"\x00\x00\x00\x01Bud1")
    report = load(store, archive)
    assert report.files[0].unknown == []
    assert count(store, "SELECT count(*) FROM posts") == 2


def test_record_missing_its_id_is_a_counted_skip(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(FIXTURES / "x_archive", folder)
    part = folder / "data" / "tweets-part1.js"
    part.write_text(part.read_text().replace('"id_str" : "1700000000000000002",', ""))
    report = load(store, folder)
    reason = "missing a required field (id, account, time, text or kind)"
    assert report.files[0].skipped == {reason: 1}
    assert report.files[0].formats == {"x-archive": 3}
    assert count(store, "SELECT count(*) FROM posts") == 3


def test_a_zip_cut_short_says_so_not_that_no_importer_recognises_it(tmp_path: Path) -> None:
    # a Mastodon archive's download cut at 300 kB said "no importer recognises this file; --format forces one"
    whole = zip_folder(FIXTURES / "mastodon", tmp_path / "archive.zip")
    cut = tmp_path / "archive-cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(InputError, match="the zip archive is damaged or incomplete") as caught:
        open_source(cut)
    assert caught.value.file == str(cut)
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(InputError, match="download it again"):
            load(store, cut)
        assert count(store, "SELECT count(*) FROM posts") == 0
