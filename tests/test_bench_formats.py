"""The benchmark's synthetic exports: every format is recognised and imported whole, with real work in it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from parlons.importers._base import ImportOptions
from parlons.store import Store

from .conftest import count, load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import gen_formats

N = 400
# Post i replies to post i - 1 when i % 4 == 1 (99 of 400); it is a repost instead when i % 10 == 3
# in the formats with reposts (40, 20 of them among those replies). Jetstream: likes (i % 10 == 7) and
# identity events (i % 50 == 13) are not posts, which leaves 320 posts (59 replies) and 32 reposts.
# twarc2 pages: post i quotes a tweet of another account when i % 6 == 0 (67 of 400), 67 distinct
# tweets, in ``includes.tweets``: imported too, 13 of them replies (counted from the file with json).
EXPECTED = {  # format: (importer, posts stored, replies, reposts)
    "twarc2": ("twitter-api", N, 99, 0),
    "twarc2-pages": ("twitter-api", N + 67, 99 + 13, 0),
    "v1.1": ("twitter-api", N, 79, 40),
    "jsonl": ("generic-jsonl", N, 99, 0),
    "x-archive": ("x-archive", N, 79, 40),
    "mastodon": ("mastodon-archive", N, 79, 40),
    "jetstream": ("bluesky", 352, 59, 32),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("formats")
    for fmt in gen_formats.FORMATS:
        gen_formats.generate(fmt, folder, N)
    return folder


@pytest.mark.parametrize("fmt", gen_formats.FORMATS)
def test_generated_file_imports_whole(generated: Path, store: Store, fmt: str) -> None:
    importer, posts, replies, reposts = EXPECTED[fmt]
    args = gen_formats.IMPORT_ARGS.get(fmt, ())
    options = {}
    if args:
        mapping = dict(a.split("=", 1) for a in args[3::2])
        options = {"forced": args[1], "options": ImportOptions(mapping=mapping)}
    report = load(store, generated / gen_formats.IMPORT_TARGET[fmt], **options)
    assert [dict(f.formats) for f in report.files] == [{importer: posts}]
    assert [f.skipped for f in report.files] == [{}]
    assert count(store, "SELECT count(*) FROM posts") == posts
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'reply'") == replies
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'repost'") == reposts
    assert count(store, "SELECT count(*) FROM posts WHERE len(urls) > 0") > posts // 4
    assert count(store, "SELECT count(DISTINCT text) FROM posts WHERE kind <> 'repost'") > posts // 2


def test_generation_is_deterministic(generated: Path, tmp_path: Path) -> None:
    again = gen_formats.generate("jetstream", tmp_path, N)
    assert again[0].read_bytes() == (generated / "jetstream.jsonl").read_bytes()


def test_generated_files_are_found_again_after_the_folder_moves(tmp_path: Path) -> None:
    first = tmp_path / "first"
    made = gen_formats.generate("twarc2", first, 10)
    assert made == [first / "twarc2.jsonl"]
    written = made[0].stat().st_mtime_ns
    moved = first.rename(tmp_path / "moved")
    again = gen_formats.generate("twarc2", moved, 10)
    assert again == [moved / "twarc2.jsonl"]
    assert again[0].stat().st_mtime_ns == written  # found by its stamp, not generated again
