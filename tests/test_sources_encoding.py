"""UTF-16 without a byte-order mark is recognised and transcoded, never skipped as unknown."""

from __future__ import annotations

from pathlib import Path

import pytest

from parlons.sources import encoding_of
from parlons.store import Store

from .conftest import FIXTURES, load, rows


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_twarc_file_in_utf16_without_bom_imports_like_utf8(store: Store, tmp_path: Path, encoding: str) -> None:
    original = FIXTURES / "twarc2" / "stream.jsonl"
    utf16 = tmp_path / "stream.jsonl"
    utf16.write_bytes(original.read_text(encoding="utf-8").encode(encoding))
    assert utf16.read_bytes()[:2] in (b"{\x00", b"\x00{")  # no byte-order mark
    report = load(store, utf16).files[0]
    assert (report.formats, report.unknown) == ({"twitter-api": 3}, [])
    assert [r["account"] for r in rows(store)] == ["sam_reads", "GreenfieldLib", "GreenfieldLib"]


def test_encoding_of_first_bytes() -> None:
    text = "tweet_id,author_id,text\n1,BanqueDuLac,Réponse rapide : écrivez-nous en privé.\n"
    assert [encoding_of(text.encode(e)) for e in ("utf-16-le", "utf-16-be", "utf-8")] == [
        "utf-16-le", "utf-16-be", "utf-8"]
    assert encoding_of(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00") == "utf-8"
    assert encoding_of(b"\xff\xfe{\x00") == "utf-16"
