"""Property tests: random and mutated inputs never crash an importer with anything but ParlonsError.

Every importer is fed random bytes (forced with ``--format``), and every fixture export is
mutated (truncated, bytes flipped, text inserted) and imported with auto-detection. Either the
import succeeds or a :class:`ParlonsError` says why; a failed import leaves the store empty.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parlons.errors import ParlonsError
from parlons.importers import REGISTRY
from parlons.ingest import import_paths
from parlons.store import Store

from .conftest import FIXTURES

FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.stat().st_size < 200_000)
NAMES = [i.name for i in REGISTRY]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _import_or_fail_cleanly(path: Path, forced: str | None = None) -> None:
    store = Store(":memory:")
    try:
        import_paths(store, [path], forced=forced)
    except ParlonsError as exc:
        assert str(exc)
        assert store.con.execute("SELECT count(*) FROM posts").fetchone() == (0,)
    finally:
        store.close()


@SETTINGS
@given(name=st.sampled_from(NAMES), data=st.binary(min_size=1, max_size=2000),
       suffix=st.sampled_from([".json", ".jsonl", ".js", ".csv", ".xml", ".car", ".txt"]))
def test_random_bytes_forced_into_every_importer(name: str, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        _import_or_fail_cleanly(path, forced=name)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, bytes]:
    source = draw(st.sampled_from(FIXTURE_FILES))
    data = source.read_bytes()
    how = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
    at = draw(st.integers(0, max(len(data) - 1, 0)))
    if how == "truncate":
        data = data[:at]
    elif how == "flip":
        data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:] if data else data
    elif how == "insert":
        text = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
        data = data[:at] + text.encode("utf-8") + data[at:]
    else:
        data = data[:at] + data[at + draw(st.integers(1, 200)):]
    return source, data


@SETTINGS
@given(case=mutated())
def test_mutated_fixture_exports_fail_cleanly(case: tuple[Path, bytes]) -> None:
    source, data = case
    folder = source.parent
    while folder.parent != FIXTURES:
        folder = folder.parent
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy)
        (copy / source.relative_to(folder)).write_bytes(data)
        _import_or_fail_cleanly(copy)


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=200))
def test_any_unicode_tweet_text_round_trips(text: str) -> None:
    import orjson

    tweet = {"tweet": {"id_str": "18446744073709551615", "created_at": "Mon Sep 11 08:30:00 +0000 2023",
                       "full_text": text, "entities": {}}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tweets.js"
        path.write_bytes(b"window.YTD.tweets.part0 = " + orjson.dumps([tweet]))
        store = Store(":memory:")
        from parlons.importers._base import ImportOptions

        import_paths(store, [path], options=ImportOptions(account="org"))
        stored = store.con.execute("SELECT post_id, text FROM posts").fetchall()
        store.close()
    expected = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert stored == [("18446744073709551615", expected)]
