"""twarc2 and v1.1 JSON lines are read by DuckDB on every core, and every row keeps its line.

Rows are numbered by their place in DuckDB's ordered stream (one tweet per line) or by
``row_number()`` (pages); a byte pass beside DuckDB (:class:`~parlons.importers._lines.LineMap`)
adds the blank lines the reader passed over. A bad line stops DuckDB's reader: the rest of the file
is then read line by line, from the line after the last one passed on, each bad line a counted skip
under its number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from parlons.importers import _lines, twitter_api
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


def write(path: Path, odd: dict[int, str] | None = None, end: str = "\n", pages: bool = False) -> Path:
    """Tweets whose id is the base plus their line number, by two authors; ``odd`` lines replaced."""
    odd = odd or {}
    with path.open("w") as out:
        for line in range(1, LINES + 1):
            data = tweet(line, "lea_martin" if line % 2 else "paul")
            text = odd[line] if line in odd else json.dumps({"data": [data], "includes": {}} if pages else data)
            out.write(text + end)
    return path


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The members read line by line after DuckDB's reader stopped (the slow way)."""
    seen: list[str] = []
    original = twitter_api.checked_batches

    def spied(con: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        if "read_csv" in sql:
            seen.append(next(iter(args[1].values())).name)
        return original(con, sql, *args, **kwargs)

    monkeypatch.setattr(twitter_api, "checked_batches", spied)
    return seen


def numbered_wrong(store: Store) -> int:
    return count(store, f"SELECT count(*) FROM posts WHERE post_id::HUGEINT - {BASE} <> source_record::INT")


def test_every_line_keeps_its_number_and_bad_lines_their_reason(store: Store, tmp_path: Path,
                                                                slow: list[str]) -> None:
    odd = {2_345: '{"id": 12, "text": "no author, no time"', 10_000: "[1, 2, 3]",
           15_000: '{"kind": "not a tweet"}', LINES: '{"id": "160000000000004'}
    report = load(store, write(tmp_path / "tweets.jsonl", odd))
    assert slow == ["tweets.jsonl"]
    assert report.files[0].formats == {"twitter-api": LINES - 4}
    assert report.files[0].skipped == {"line is not valid JSON": 2, "line is JSON but not a tweet object": 1,
                                       "not a tweet (no id)": 1}
    assert sorted((int(e.record), e.reason) for e in report.files[0].examples) == [
        (2345, "line is not valid JSON"), (10_000, "line is JSON but not a tweet object"),
        (15_000, "not a tweet (no id)"), (LINES, "line is not valid JSON")]
    assert numbered_wrong(store) == 0
    assert count(store, "SELECT count(*) FROM posts") == LINES - 4


def test_the_first_row_of_each_author_describes_it(store: Store, tmp_path: Path) -> None:
    load(store, write(tmp_path / "tweets.jsonl"))
    described = store.con.execute("SELECT account, description, strftime(created_at, '%Y-%m-%d') FROM accounts "
                                  "ORDER BY account").fetchall()
    assert described == [("lea_martin", "described at line 1", "2009-05-01"),
                         ("paul", "described at line 2", "2009-05-01")]


BLANKS = {3: "", 4: "  ", 9_000: "\t", 9_001: "", 19_999: " \r"}


@pytest.mark.parametrize("end", ["\n", "\r\n"])
@pytest.mark.parametrize("pages", [False, True], ids=["flat", "pages"])
def test_blank_lines_keep_the_numbers_of_the_lines_after(store: Store, tmp_path: Path, slow: list[str],
                                                         end: str, pages: bool) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl", BLANKS, end=end, pages=pages))
    assert slow == []
    assert report.files[0].formats == {"twitter-api": LINES - len(BLANKS)}
    assert report.files[0].skipped == {}
    assert numbered_wrong(store) == 0


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_bad_line_after_blank_lines_resumes_at_the_right_line(store: Store, tmp_path: Path,
                                                                slow: list[str], end: str) -> None:
    """(Read line by line, a carriage return alone inside a line of a file of line feeds ends a line
    for DuckDB's text reader: this case has none; ``docs/formats/twitter_api.md`` says so.)"""
    blanks = {line: text for line, text in BLANKS.items() if "\r" not in text}
    odd = {**blanks, 12_000: "not json", 12_001: "", 12_002: " \t", 15_000: '{"kind": "not a tweet"}'}
    report = load(store, write(tmp_path / "tweets.jsonl", odd, end=end))
    assert slow == ["tweets.jsonl"]
    assert report.files[0].formats == {"twitter-api": LINES - len(odd)}
    assert [(e.record, e.reason) for e in report.files[0].examples] == [
        ("12000", "line is not valid JSON"), ("15000", "not a tweet (no id)")]
    assert numbered_wrong(store) == 0


def test_a_slow_byte_pass_holds_the_rows_until_it_knows_their_lines(store: Store, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB outruns a pass that reads 64 bytes at a time: rows wait for their lines, none is misnumbered."""
    monkeypatch.setattr(_lines.LineMap, "__init__", _small_chunks(_lines.LineMap.__init__))
    report = load(store, write(tmp_path / "tweets.jsonl", BLANKS))
    assert report.files[0].formats == {"twitter-api": LINES - len(BLANKS)}
    assert numbered_wrong(store) == 0


def _small_chunks(init: Any) -> Any:
    def small(self: Any, path: Path, chunk_size: int = 64) -> None:
        init(self, path, 64)
    return small


def test_windows_line_ends_are_read_at_full_speed(store: Store, tmp_path: Path, slow: list[str]) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl", end="\r\n"))
    assert slow == []
    assert report.files[0].formats == {"twitter-api": LINES}
    assert numbered_wrong(store) == 0


def test_the_first_file_of_an_import_wins_a_repeated_tweet(store: Store, tmp_path: Path) -> None:
    first = write(tmp_path / "a.jsonl")
    later = tmp_path / "b.jsonl"
    again = tweet(7)
    again["text"] = "a later copy"
    later.write_text(json.dumps(again) + "\n" + first.read_text().splitlines()[-1] + "\n")
    load(store, first, later)
    assert store.con.execute(f"SELECT text, source_file, source_record FROM posts WHERE post_id = '{BASE + 7}'"
                             ).fetchall() == [(tweet(7)["text"], str(first), "7")]
    assert count(store, "SELECT count(*) FROM posts") == LINES


def test_edited_tweets_are_folded_after_blank_lines(store: Store, tmp_path: Path) -> None:
    """Versions are written as they come and folded at the end: the chain is one post, under its first
    id, whose record is the latest version's line; replies to a later version join the first id."""
    first, second = tweet(100), tweet(101)
    second["id"], second["text"] = str(BASE + 100_000), "the edited text"
    chain = [first["id"], second["id"]]
    first["edit_history_tweet_ids"] = [first["id"]]
    second["edit_history_tweet_ids"] = chain
    reply = tweet(300)
    reply["referenced_tweets"] = [{"type": "replied_to", "id": second["id"], "author_id": "1",
                                   "edit_history_tweet_ids": chain}]
    reply.pop("in_reply_to_user_id", None)
    odd = {3: "", 100: json.dumps(first), 101: json.dumps(second), 300: json.dumps(reply)}
    report = load(store, write(tmp_path / "tweets.jsonl", odd))
    assert report.files[0].formats == {"twitter-api": LINES - 2}
    assert report.merge.inserted == LINES - 2
    folded = store.con.execute(f"SELECT text, source_record FROM posts WHERE post_id = '{first['id']}'").fetchall()
    assert folded == [("the edited text", f"101 edits: {' '.join(chain)}")]
    assert count(store, f"SELECT count(*) FROM posts WHERE post_id = '{second['id']}'") == 0
    assert store.con.execute(f"SELECT kind, in_reply_to_id FROM posts WHERE post_id = '{reply['id']}'"
                             ).fetchall() == [("reply", first["id"])]
    assert count(store, f"SELECT count(*) FROM posts WHERE post_id::HUGEINT - {BASE} <> source_record::INT "
                        "AND source_record NOT LIKE '%edits:%'") == 0


@pytest.mark.parametrize("lookup_after", [0, 10**9], ids=["lookup", "merge"])
def test_an_edited_tweet_imported_again_stays_one_post(store: Store, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, lookup_after: int) -> None:
    """Again, whether the rows already stored are left out while writing (the lookup of stored keys,
    which sees the first version's row before the fold, and counts it among the versions folded) or
    found by the merge: one post, as stored, and the file's posts counted as read."""
    import parlons.store

    monkeypatch.setattr(parlons.store, "LOOKUP_AFTER", lookup_after)
    first, second = tweet(10), tweet(11)
    second["id"], second["text"] = str(BASE + 100_000), "the edited text"
    chain = [first["id"], second["id"]]
    second["edit_history_tweet_ids"] = chain
    path = write(tmp_path / "tweets.jsonl", {10: json.dumps(first), 11: json.dumps(second)})
    load(store, path)
    again = load(store, path)
    assert (again.merge.inserted, again.merge.already_stored) == (0, LINES - 1)
    assert again.files[0].formats == {"twitter-api": LINES - 1}
    assert store.con.execute(f"SELECT text, source_record FROM posts WHERE post_id = '{first['id']}'").fetchall() == [
        ("the edited text", f"11 edits: {' '.join(chain)}")]
    assert count(store, "SELECT count(*) FROM posts") == LINES - 1
