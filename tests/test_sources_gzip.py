"""Gzip-compressed files (``tweets.jsonl.gz``) are read decompressed, within the archive limits."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from parlons.errors import InputError, UnsafeArchive
from parlons.sources import Limits, open_source
from parlons.store import Store

from .conftest import FIXTURES, load, rows

STREAM = FIXTURES / "twarc2" / "stream.jsonl"


def _posts(store: Store) -> list[tuple[str, str, str]]:
    return [(r["post_id"], r["account"], r["kind"]) for r in rows(store)]


def test_gzipped_twarc_file_and_gzipped_zip_member_import_like_plain(store: Store, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    with Store(plain.with_suffix(".duckdb")) as reference:
        load(reference, STREAM)
        expected = _posts(reference)
    packed = tmp_path / "stream.jsonl.gz"
    packed.write_bytes(gzip.compress(STREAM.read_bytes()))
    report = load(store, packed).files[0]
    assert (report.formats, report.skipped) == ({"twitter-api": 3}, {"line is not valid JSON": 1})
    assert _posts(store) == expected
    archive = tmp_path / "collection.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("data/stream.jsonl.gz", packed.read_bytes())
    with Store(tmp_path / "zip.duckdb") as other:
        assert load(other, archive).files[0].formats == {"twitter-api": 3}
        assert rows(other)[0]["source_member"] == "data/stream.jsonl.gz"


def test_gzip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "tweets.jsonl.gz"
    bomb.write_bytes(gzip.compress(b" " * 200_000))
    with (open_source(bomb, Limits(ratio_floor_bytes=65_536, max_ratio=50)) as source,
          pytest.raises(UnsafeArchive, match="gzip bomb"), source.members[0].open() as stream):
        stream.read()


def test_truncated_gzip_names_the_file(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "stream.jsonl.gz"
    cut.write_bytes(gzip.compress(STREAM.read_bytes() * 50)[:-200])
    with pytest.raises(InputError) as caught:
        load(store, cut)
    assert str(caught.value).startswith(f"file {cut}: ")
    assert "the gzip stream cannot be read" in str(caught.value)
