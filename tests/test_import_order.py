"""Rows leave a shaping query in the order they were read, even when DuckDB reads in parallel.

Two things rest on it: the first of two rows with one key is the one kept (first-seen wins), and
a stream stopped by a bad line resumes after the last line it passed on. DuckDB turns an
``IN (...)`` of five constants or more into a join, which gave the order up: on a file large enough
to be read by both threads, a tweet repeated at the end of the file replaced the first one.
"""

from __future__ import annotations

import json
from pathlib import Path

from parlons.store import Store

from .conftest import FIXTURES, count, load

BASE = 1_600_000_000_000_000_000
LINES = 40_000


def write(path: Path) -> Path:
    """Tweets whose id is the base plus their line number; the last line repeats the first id."""
    tweet = json.loads((FIXTURES / "twitter_api" / "v2_flat.jsonl").read_text().splitlines()[0])
    with path.open("w") as out:
        for line in range(1, LINES + 1):
            tweet["id"] = str(BASE + (1 if line == LINES else line))
            tweet["text"] = "the first version" if line == 1 else f"tweet of line {line}"
            tweet["lang"] = "und" if line % 2 else "fr"
            out.write(json.dumps(tweet) + "\n")
    return path


def test_the_first_of_two_rows_with_one_id_is_kept_in_a_large_file(store: Store, tmp_path: Path) -> None:
    report = load(store, write(tmp_path / "tweets.jsonl"))
    assert report.files[0].formats == {"twitter-api": LINES}
    assert count(store, "SELECT count(*) FROM posts") == LINES - 1
    first = store.con.execute(f"SELECT text, source_record FROM posts WHERE post_id = '{BASE + 1}'").fetchall()
    assert first == [("the first version", "1")]
    assert count(store, f"SELECT count(*) FROM posts WHERE post_id::HUGEINT - {BASE} <> source_record::INT") == 0
    assert count(store, "SELECT count(*) FROM posts WHERE lang IS NULL") == LINES // 2
