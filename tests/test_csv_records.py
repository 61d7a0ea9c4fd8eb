"""The one rule for over-long CSV records, shared by every CSV reader (docs/architecture.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from parlons.importers._duck import LongRecord, bounded_csv_records, csv_names, long_csv_records

CSV = (
    'id,text\n'
    '1,short\n'
    '2,"a quoted ""long"" field\nover three\nlines, with enough to pass the limit"\n'
    '3,"short, quoted"\n'
    '4,' + "y" * 80 + '\n'
    '5,last without a line break'
)


def test_long_records_are_found_with_their_rank_and_first_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV, encoding="utf-8")
    assert long_csv_records(path, limit=60) == [LongRecord(rank=3, line=3, lines=3),
                                                LongRecord(rank=5, line=7, lines=1)]
    assert long_csv_records(path, limit=len(CSV)) == []


def test_bounded_records_give_fields_or_the_line_of_a_record_too_long() -> None:
    found = list(bounded_csv_records(io.StringIO(CSV, newline=""), limit=60))
    assert found == [
        (1, ["id", "text"]), (2, ["1", "short"]), (3, None), (6, ["3", "short, quoted"]), (7, None),
        (8, ["5", "last without a line break"]),
    ]


def test_unnamed_and_repeated_columns_get_names() -> None:
    assert csv_names(["", "tweet_id", "text", "text", " "]) == ["column0", "tweet_id", "text", "text_4", "column4"]


def test_bounded_records_read_long_lines_by_pieces_and_keep_short_quoted_breaks() -> None:
    text = 'a,b\r\n1,"two\r\nlines"\r\n2,' + "z" * 1000 + '\r\n3,end\r\n'
    assert list(bounded_csv_records(io.StringIO(text, newline=""), limit=60)) == [
        (1, ["a", "b"]), (2, ["1", "two\r\nlines"]), (4, None), (5, ["3", "end"])]


def test_bounded_records_raise_the_field_limit_themselves_and_put_it_back() -> None:
    """A field over Python's CSV field limit, in a record under ``limit``, is read whatever the caller set."""
    text = 'a,b\n1,"' + "x" * 5000 + '"\n2,end\n'
    previous = csv.field_size_limit(1000)
    try:
        assert list(bounded_csv_records(io.StringIO(text, newline=""), limit=6000)) == [
            (1, ["a", "b"]), (2, ["1", "x" * 5000]), (3, ["2", "end"])]
        assert csv.field_size_limit() == 1000
    finally:
        csv.field_size_limit(previous)


def test_bounded_records_name_the_line_of_a_record_the_grammar_refuses() -> None:
    text = 'a,b\n1,ok\n2,"bad"quote\n'
    records = bounded_csv_records(io.StringIO(text, newline=""), strict=True)
    assert next(records) == (1, ["a", "b"])
    assert next(records) == (2, ["1", "ok"])
    with pytest.raises(csv.Error, match=r"^record at line 3: ',' expected after '\"'$"):
        next(records)
