"""twarc2 and v1.1 files of one tweet per line are read by the store itself, on every core.

The store writes one row per line in the file's order and numbers them from their place; it keeps
them only when there are as many rows as lines (DuckDB passes over blank lines, which would shift
every number after them). Lines DuckDB cannot read get the reason the line-by-line reading gives;
past a thousand of them, or with a blank line, the member is read line by line instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parlons.importers import _base, twitter_api
from parlons.store import Store

from .conftest import FIXTURES, count, load

BASE = 1_600_000_000_000_000_000
LINES = 20_000


def tweet(line: int, author: str = "lea_martin") -> dict[str, Any]:
    data = json.loads((FIXTURES / "twitter_api" / "v2_flat.jsonl").read_text().splitlines()[0])
    data["id"] = str(BASE + line)
    data["edit_history_tweet_ids"] = [data["id"]]
    data["author"]["username"] = author
    data["author"]["description"] = f"described at line {line}"
    return data


def write(path: Path, odd: dict[int, str] | None = None, end: str = "\n") -> Path:
    """Tweets whose id is the base plus their line number, by two authors; ``odd`` lines replaced."""
    odd = odd or {}
    with path.open("w") as out:
        for line in range(1, LINES + 1):
            text = odd[line] if line in odd else json.dumps(tweet(line, "lea_martin" if line % 2 else "paul"))
            out.write(text + (end if line < LINES or line in odd else "\n"))
    return path


@pytest.fixture
def careful(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The members read line by line (by the importer) instead of by the store."""
    seen: list[str] = []
    original = twitter_api._json_lines

    def counted(con: Any, member: Any, *args: Any) -> Any:
        seen.append(member.name)
        return original(con, member, *args)

    monkeypatch.setattr(twitter_api, "_json_lines", counted)
    return seen


def numbered_wrong(store: Store) -> int:
    return count(store, f"SELECT count(*) FROM posts WHERE post_id::HUGEINT - {BASE} <> source_record::INT")


def test_the_store_reads_and_numbers_every_line(store: Store, tmp_path: Path, careful: list[str]) -> None:
    odd = {2_345: '{"id": 12, "text": "no author, no time"', 10_000: "[1, 2, 3]",
           15_000: '{"kind": "not a tweet"}', LINES: '{"id": "160000000000004'}
    report = load(store, write(tmp_path / "tweets.jsonl", odd))
    assert careful == []
    assert report.files[0].formats == {"twitter-api": LINES - 4}
    assert report.files[0].skipped == {"line is not valid JSON": 2, "line is JSON but not a tweet object": 1,
                                       "not a tweet (no id)": 1}
    assert sorted((int(e.record), e.reason) for e in report.files[0].examples) == [
        (2345, "line is not valid JSON"), (10_000, "line is JSON but not a tweet object"),
        (15_000, "not a tweet (no id)"), (LINES, "line is not valid JSON")]
    assert numbered_wrong(store) == 0
    assert count(store, "SELECT count(*) FROM posts WHERE html IS NOT NULL OR title IS NOT NULL") == 0


def test_the_first_row_of_each_author_describes_it(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path / "tweets.jsonl"))
    described = store.con.execute("SELECT account, description, strftime(created_at, '%Y-%m-%d') FROM accounts "
                                  "ORDER BY account").fetchall()
    assert described == [("lea_martin", "described at line 1", "2009-05-01"),
                         ("paul", "described at line 2", "2009-05-01")]


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_blank_line_sends_the_file_to_the_careful_reading(store: Store, tmp_path: Path, careful: list[str],
                                                             end: str) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl", {LINES // 2: ""}, end=end))
    assert careful == ["tweets.jsonl"]
    assert report.files[0].formats == {"twitter-api": LINES - 1}
    assert numbered_wrong(store) == 0


def test_windows_line_ends_are_read_by_the_store(store: Store, tmp_path: Path, careful: list[str]) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl", end="\r\n"))
    assert careful == []
    assert report.files[0].formats == {"twitter-api": LINES}
    assert numbered_wrong(store) == 0


def test_many_unreadable_lines_are_read_line_by_line(store: Store, tmp_path: Path, careful: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twitter_api, "MAX_UNREAD", 2)
    odd = {line: "not json" for line in (100, 200, 300)}
    report = load(store, write(tmp_path / "tweets.jsonl", odd))
    assert careful == ["tweets.jsonl"]
    assert report.files[0].skipped == {"line is not valid JSON": 3}
    assert [e.record for e in report.files[0].examples] == ["100", "200", "300"]
    assert numbered_wrong(store) == 0


def test_the_first_file_of_an_import_wins_a_repeated_tweet(store: Store, tmp_path: Path, careful: list[str]) -> None:
    first = write(tmp_path / "a.jsonl")
    later = tmp_path / "b.jsonl"
    again = tweet(7)
    again["text"] = "a later copy"
    later.write_text(json.dumps(again) + "\n" + first.read_text().splitlines()[-1] + "\n")
    load(store, first, later)
    assert store.con.execute(f"SELECT text, source_file, source_record FROM posts WHERE post_id = '{BASE + 7}'"
                             ).fetchall() == [(tweet(7)["text"], str(first), "7")]
    assert count(store, "SELECT count(*) FROM posts") == LINES
    assert careful == []


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 22])
@pytest.mark.parametrize("ending", ["", "\n"])
def test_lines_are_found_by_number_across_chunks(tmp_path: Path, chunk: int, ending: str) -> None:
    lines = ["{}", "", "abc", "x" * 40, "[1]", "", "last"]
    path = tmp_path / "lines.jsonl"
    path.write_bytes(("\n".join(lines) + ending).encode())
    wanted = [1, 3, 4, 6, 7]
    found = twitter_api._lines_at(path, wanted, chunk_size=chunk)
    assert found == {n: lines[n - 1].encode() for n in wanted}


def test_the_store_numbers_a_bounded_number_of_rows_per_import(store: Store, tmp_path: Path, careful: list[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Numbering holds values in memory until the commit: past the bound, members are read the careful way."""
    monkeypatch.setattr(_base, "NUMBERED_ROWS", LINES + LINES // 4)
    monkeypatch.setattr(_base, "NUMBERED_ROW_BYTES", 10_000)
    first = write(tmp_path / "a.jsonl")
    second = tmp_path / "b.jsonl"
    second.write_text("".join(json.dumps(tweet(LINES + line)) + "\n" for line in range(1, LINES + 1)))
    report = load(store, first, second)
    assert careful == ["b.jsonl"]
    assert [f.formats for f in report.files] == [{"twitter-api": LINES}, {"twitter-api": LINES}]
    assert count(store, f"SELECT count(*) FROM posts WHERE source_file = '{second}' AND "
                        f"post_id::HUGEINT - {BASE + LINES} <> source_record::INT") == 0
    assert numbered_wrong(store) == LINES


def test_a_member_beyond_the_bound_is_searched_for_blank_lines_once(
        store: Store, tmp_path: Path, careful: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The store refuses a member too big to number before reading it: the one byte pass over it has
    already looked for the blank lines its careful reading needs (not a count, then a second pass)."""
    monkeypatch.setattr(_base, "NUMBERED_ROWS", LINES // 2)
    scanned: list[tuple[str, str]] = []
    for name in ("_blank_line_scan", "_count_lines"):
        monkeypatch.setattr(twitter_api, name, _spy(getattr(twitter_api, name), scanned))
    plain = write(tmp_path / "plain.jsonl")
    blank = write(tmp_path / "blank.jsonl", {5_000: json.dumps(tweet(5_000)) + "\n"})
    first = load(store, plain)
    with Store(tmp_path / "other.duckdb") as other:
        second = load(other, blank)
        shifted = count(other, f"SELECT count(*) FROM posts WHERE source_record::INT - (post_id::HUGEINT - {BASE}) "
                               "= CASE WHEN source_record::INT > 5_000 THEN 1 ELSE 0 END")
    assert sorted(set(careful)) == ["blank.jsonl", "plain.jsonl"]
    assert scanned == [("_blank_line_scan", "plain.jsonl"), ("_blank_line_scan", "blank.jsonl")]
    assert first.files[0].formats == second.files[0].formats == {"twitter-api": LINES}
    assert numbered_wrong(store) == 0
    assert shifted == LINES


def _spy(function: Any, calls: list[tuple[str, str]]) -> Any:
    def spied(path: Path, *args: Any, **kwargs: Any) -> Any:
        calls.append((function.__name__, path.name))
        return function(path, *args, **kwargs)
    return spied
