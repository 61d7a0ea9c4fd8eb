"""DuckDB reads a twarc2 file of pages while the byte pass (blank lines, edit chains) still runs on its thread.

(Flat files of one tweet per line are read by the store itself: ``test_import_numbered.py``.)

What it read ahead is passed on only once the pass found no blank line; when the pass finds one,
the rows read ahead are dropped untouched and the file is read line by line: line numbers stay
right and no skipped record is counted twice.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from parlons.importers import twitter_api
from parlons.store import Store

from .conftest import FIXTURES, count, load

BASE = 1_600_000_000_000_000_000
LINES = 30_000


def write(path: Path, *, blank_at: int | None = None, not_a_tweet_at: int | None = None) -> Path:
    """Pages of one tweet whose id is the base plus their line number; maybe one blank line, one object
    that is no tweet."""
    tweet = json.loads((FIXTURES / "twitter_api" / "v2_flat.jsonl").read_text().splitlines()[0])
    with path.open("w") as out:
        for line in range(1, LINES + 1):
            if line == blank_at:
                out.write("\n")
            elif line == not_a_tweet_at:
                out.write('{"data": [{"kind": "not a tweet"}], "includes": {}}\n')
            else:
                tweet["id"] = str(BASE + line)
                out.write(json.dumps({"data": [tweet], "includes": {}}) + "\n")
    return path


@pytest.fixture
def slow_pass(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The byte pass takes half a second, so DuckDB's read-ahead happens; counts what was decided."""
    seen = {"ahead": 0, "refused": 0}
    scan, ahead = twitter_api._blank_line_scan, twitter_api.ByteScans.ahead

    def slow_scan(*args: Any, **kwargs: Any) -> bool | None:
        time.sleep(0.5)
        return scan(*args, **kwargs)

    def counted_ahead(self: twitter_api.ByteScans, member: Any) -> Any:
        seen["ahead"] += 1
        gate = ahead(self, member)

        def clear() -> bool:
            ok = gate.clear()
            seen["refused"] += not ok
            return ok
        return type(gate)(gate.pending, clear, gate.limit)

    monkeypatch.setattr(twitter_api, "_blank_line_scan", slow_scan)
    monkeypatch.setattr(twitter_api.ByteScans, "ahead", counted_ahead)
    return seen


def numbered_right(store: Store) -> int:
    return count(store, f"SELECT count(*) FROM posts WHERE post_id::HUGEINT - {BASE} <> source_record::INT")


def test_rows_read_ahead_are_used_when_no_line_is_blank(store: Store, tmp_path: Path,
                                                         slow_pass: dict[str, int]) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl", not_a_tweet_at=25_000))
    assert slow_pass == {"ahead": 1, "refused": 0}
    assert report.files[0].formats == {"twitter-api": LINES - 1}
    assert report.files[0].skipped == {"not a tweet (no id)": 1}
    assert [e.record for e in report.files[0].examples] == ["25000"]
    assert numbered_right(store) == 0


def test_rows_read_ahead_are_dropped_when_a_line_is_blank(store: Store, tmp_path: Path,
                                                          slow_pass: dict[str, int]) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl", blank_at=20_000, not_a_tweet_at=25_000))
    assert slow_pass == {"ahead": 1, "refused": 1}
    assert report.files[0].formats == {"twitter-api": LINES - 2}
    assert report.files[0].skipped == {"not a tweet (no id)": 1}
    assert [e.record for e in report.files[0].examples] == ["25000"]
    assert numbered_right(store) == 0
    assert count(store, "SELECT max(source_record::INT) FROM posts") == LINES
