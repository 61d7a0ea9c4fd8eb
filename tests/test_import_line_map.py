"""The byte pass that turns a record's place among a JSON lines file's records into its line.

DuckDB's JSON reader gives one row per record and passes over blank lines (empty, or spaces, tabs
and carriage returns only); :class:`LineMap` must see exactly the lines the reader passes over,
whatever the chunk boundaries, and the edit chains a batch names must be taken as written.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from parlons.importers._edits import EditChains
from parlons.importers._lines import LineMap

CASES = [
    b'{"a":1}\n{"a":2}\n',
    b'{"a":1}\n{"a":2}',
    b'{"a":1}\n\n{"a":2}\n',
    b'\n\n{"a":1}\n',
    b'{"a":1}\n   \n{"a":2}\n',
    b'{"a":1}\n\t\n \t\r\n{"a":2}\n\n\n{"a":3}',
    b'{"a":1}\r\n\r\n{"a":2}\r\n{"a":3}\r\n',
    b'{"a":1}\n{"a":2}\n   ',
    b'{"a": 1, "b": " "}\n {"a":2}\n\n',
    b'{"a":1,\r"b":2}\n\n{"a":3}\n',
]


def records_by_duckdb(path: Path) -> list[int]:
    """The values of ``a`` in the rows DuckDB's JSON reader gives, in order."""
    sql = (f"SELECT j.a FROM read_json('{path}', format = 'newline_delimited', records = false, "
           "columns = {'j': 'STRUCT(a INTEGER)'})")
    return [row[0] for row in duckdb.connect().execute(sql).fetchall()]


def lines_of_records(data: bytes) -> list[int]:
    """The line (from 1) of each record: lines end at a line feed; blank ones hold whitespace only."""
    return [n for n, line in enumerate(data.split(b"\n"), 1) if line.strip(b" \t\r")]


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1 << 22])
def test_each_record_gets_its_line(tmp_path: Path, data: bytes, chunk: int) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(data)
    wanted = lines_of_records(data)
    assert len(records_by_duckdb(path)) == len(wanted)  # the reader passes over the same lines
    lines = LineMap(path, chunk_size=chunk)
    try:
        places = pa.array(range(1, len(wanted) + 1), pa.int64())
        assert lines.lines(places).to_pylist() == wanted
        assert lines.records == len(wanted)
        assert lines.lines(places.slice(1)).to_pylist() == wanted[1:]
    finally:
        lines.close()


def test_places_come_back_untouched_without_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b'{"a":1}\n{"a":2}\n\n{"a":3}\n')
    lines = LineMap(path)
    try:
        before = pa.array([1, 2], pa.int64())
        assert lines.lines(before) is before
        assert lines.lines(pa.array([2, 3], pa.int64())).to_pylist() == [2, 4]
    finally:
        lines.close()


def test_a_reader_waits_for_the_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pass is held at its start: the lines of the records asked for come once it has gone that far."""
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"\n".join(b'{"a":%d}' % n + (b"\n" if n % 3 == 0 else b"") for n in range(1, 1001)))
    gate = threading.Event()
    scan = LineMap._scan

    def held(self: LineMap) -> None:
        gate.wait()
        scan(self)

    monkeypatch.setattr(LineMap, "_scan", held)
    lines = LineMap(path, chunk_size=64)
    found: list[int] = []
    reader = threading.Thread(target=lambda: found.extend(lines.lines(pa.array([999, 1000], pa.int64())).to_pylist()))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive() and not found
    gate.set()
    reader.join(5)
    lines.close()
    assert found == [lines_of_records(path.read_bytes())[998], lines_of_records(path.read_bytes())[999]]


def test_an_unreadable_file_fails_the_reader(tmp_path: Path) -> None:
    lines = LineMap(tmp_path / "gone.jsonl")
    with pytest.raises(FileNotFoundError):
        lines.lines(pa.array([1], pa.int64()))
    lines.close()


def test_edit_chains_are_taken_from_a_column_as_written() -> None:
    chains = EditChains()
    column = pa.array([None, [["1", "2"]], [["3", "4", "5"], ["6", "7"]], [["8", "x9"]], [[str(n) for n in range(200)]],
                       [["1", "2"]]], pa.list_(pa.list_(pa.string())))
    chains.note(column)
    assert chains.chains == {"1": ("1", "2"), "3": ("3", "4", "5"), "6": ("6", "7")}
    assert chains.first == {"1": "1", "2": "1", "3": "3", "4": "3", "5": "3", "6": "6", "7": "6"}
