"""The byte pass that tells whether a JSON lines file has blank lines agrees with DuckDB's reading.

``twitter_api`` numbers lines with DuckDB's JSON reader only when no line is blank (the reader skips
them, so numbers would drift); the pass that decides it must see exactly the blank lines that the
text reading (:data:`TEXT_LINES`) sees, whatever the chunk boundaries.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from parlons.importers import twitter_api
from parlons.importers._edits import EditChains

CASES = [
    (b'{"a":1}\n{"a":2}\n', False),
    (b'{"a":1}\n{"a":2}', False),
    (b"", False),
    (b'{"a":1}\n\n{"a":2}\n', True),
    (b'\n{"a":1}\n', True),
    (b'{"a":1}\n   \n{"a":2}\n', True),
    (b'{"a":1}\n{"a":2}\n   ', True),
    (b'{"a":1}\n{"a":2}\n\n', True),
    (b'{"a": " "}\n{"a":2}\n', False),
    (b'{"a":1}\n\t\n', False),
]


def duckdb_sees_blank(path: Path) -> bool:
    lines = twitter_api.TEXT_LINES.format(path=twitter_api.sql_string(str(path)), max_line=twitter_api.MAX_LINE,
                                          buffer=2 * twitter_api.MAX_LINE)
    sql = f"SELECT count(*) FROM {lines} WHERE line IS NULL OR trim(line) = ''"
    return bool(duckdb.connect().execute(sql).fetchall()[0][0])


@pytest.mark.parametrize(("data", "blank"), CASES)
@pytest.mark.parametrize("chunk", [1, 3, 1 << 22])
def test_blank_line_scan_agrees_with_duckdb(tmp_path: Path, data: bytes, blank: bool, chunk: int) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    assert duckdb_sees_blank(path) is blank
    assert twitter_api._blank_line_scan(path, chunk) is blank
    assert twitter_api._blank_line_scan(path, chunk, EditChains()) is blank


@pytest.mark.parametrize("data", [b'{"a":1}\r\n{"a":2}\r\n', b'{"a":1}\n{"a":2}\r\n', b'{"a":1}\r'])
def test_carriage_returns_are_left_to_duckdb(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    assert twitter_api._blank_line_scan(path) is None
    assert twitter_api._blank_line_scan(path, chains=EditChains()) is None


EDITED = (b'{"id":"1","edit_history_tweet_ids":["1"]}\n'
          b'{"id":"2","edit_history_tweet_ids":["1", "2"]}\n'
          b'{"id":"5","edit_history_tweet_ids": [ "3","4" ,"5"]}\r\n'
          b'{"id":"6","edit_history_tweet_ids":["6","7"]}')


@pytest.mark.parametrize("chunk", [1, 7, 1 << 22])
def test_the_same_pass_finds_every_edit_chain(tmp_path: Path, chunk: int) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(EDITED)
    chains = EditChains()
    assert twitter_api._blank_line_scan(path, chunk, chains) is None  # a carriage return: left to DuckDB
    assert chains.chains == {"1": ("1", "2"), "3": ("3", "4", "5"), "6": ("6", "7")}
