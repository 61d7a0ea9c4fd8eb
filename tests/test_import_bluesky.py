"""The Bluesky importer: repository CAR, Jetstream JSON lines, firehose commit events."""

from __future__ import annotations

import gzip
import json
import shutil
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from parlons.errors import InputError
from parlons.importers import bluesky
from parlons.importers._base import ImportOptions, ReadContext, SqlQuery
from parlons.importers.bluesky import IMPORTER
from parlons.sources import open_source
from parlons.store import Store

from . import bluesky_car as fx
from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
JETSTREAM = FIXTURES / "bluesky" / "jetstream.jsonl"
CAR_NAME = f"{fx.HANDLE}.20250304120000.car"
OWN = f"at://{fx.ORG}/app.bsky.feed.post/"
MAIRIE_POST = f"at://{fx.MAIRIE}/app.bsky.feed.post/3lab1mmmmmm2m"
REAL = SAMPLES / "bluesky_repo_car"
REAL_CAR = REAL / "bnewbold.robocracy.org.20250310005405.car"
BNEWBOLD = "did:plc:nhxcyu4ewwhl5pqil4dotqjo"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A folder holding the handwritten repository as a CAR named like goat's exports."""
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / CAR_NAME).write_bytes(fx.repo(fx.ORG, fx.records()))
    return folder


def _fields(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def _by_rkey(store: Store) -> dict[str, dict[str, Any]]:
    return {r["post_id"].rsplit("/", 1)[1]: r for r in rows(store)}


def test_bluesky_car_first_post_whole_row(store: Store, export: Path) -> None:
    load(store, export, now=NOW)
    first = _by_rkey(store)["3lab2aaaaaa2a"]
    assert first == {
        "platform": "bluesky", "post_id": OWN + "3lab2aaaaaa2a", "account": fx.HANDLE,
        "account_id": fx.ORG, "account_name": "La Ressourcerie du Port",
        "created_at": "2025-03-01T09:00:00Z",
        "text": "Grande braderie samedi au Port ! Tout à 1 € #réemploi programme : ressourcerie.example/agenda",
        "html": None, "title": None, "lang": "fr", "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": OWN + "3lab2aaaaaa2a", "repost_of_id": None, "repost_of_account": None,
        "quote_of_id": None, "mentions": [], "hashtags": ["réemploi"],
        "urls": ["https://ressourcerie.example/agenda?src=bsky"], "media_count": 2,
        "media_kinds": ["image", "image"], "source": None, "like_count": None, "repost_count": None,
        "reply_count": None, "quote_count": None,
        "permalink": "https://bsky.app/profile/ressourcerie.example/post/3lab2aaaaaa2a",
        "source_file": str(export), "source_member": CAR_NAME,
        "source_record": "app.bsky.feed.post/3lab2aaaaaa2a", "importer": "bluesky",
        "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_bluesky_car_replies_quotes_media_and_repost(store: Store, export: Path) -> None:
    load(store, export)
    by_rkey = _by_rkey(store)
    assert sorted(by_rkey) == ["3lab2aaaaaa2a", "3lab2bbbbbb2b", "3lab2cccccc2c", "3lab3dddddd2d",
                               "3lab3eeeeee2e", "3lab4ffffff2f", "3lab4gggggg2g", "3lab5rrrrrr2r"]
    reply = ("kind", "in_reply_to_id", "in_reply_to_account", "in_reply_to_account_id", "conversation_id")
    lea_post = f"at://{fx.LEA}/app.bsky.feed.post/3laa9zzzzzz2z"
    assert _fields(by_rkey["3lab2bbbbbb2b"], *reply, "mentions") == (
        "reply", lea_post, fx.LEA, fx.LEA, lea_post, ["lea.example"])
    assert _fields(by_rkey["3lab2cccccc2c"], *reply) == (
        "reply", OWN + "3lab2aaaaaa2a", fx.HANDLE, fx.ORG, OWN + "3lab2aaaaaa2a")
    assert _fields(by_rkey["3lab3dddddd2d"], "kind", "quote_of_id", "media_count") == ("quote", MAIRIE_POST, 0)
    assert _fields(by_rkey["3lab3eeeeee2e"], "kind", "quote_of_id", "media_kinds", "lang", "created_at") == (
        "quote", MAIRIE_POST, ["video"], "en", "2025-03-02T08:00:00Z")
    assert _fields(by_rkey["3lab4ffffff2f"], "kind", "urls", "hashtags", "media_count") == (
        "original", ["https://ressourcerie.example/rapport-2024.pdf"], ["bilan"], 0)
    assert _fields(by_rkey["3lab4gggggg2g"], "kind", "quote_of_id") == ("original", None)
    assert _fields(by_rkey["3lab5rrrrrr2r"], "kind", "text", "repost_of_id", "repost_of_account",
                   "media_count", "permalink", "conversation_id") == (
        "repost", "", MAIRIE_POST, fx.MAIRIE, None, None, None)


def test_bluesky_car_report_owner_and_skips(store: Store, export: Path) -> None:
    report = load(store, export).files[0]
    assert report.formats == {"bluesky": 8}
    assert report.skipped == {"missing created_at": 1}
    assert report.examples[0].record == "app.bsky.feed.post/3lab4hhhhhh2h"
    assert report.notes == ["not posts: app.bsky.actor.profile: 1, app.bsky.feed.like: 1, app.bsky.graph.follow: 1"]
    owner = store.con.execute(
        "SELECT account, account_id, display_name, description, url, strftime(created_at, '%Y-%m-%d') "
        "FROM accounts WHERE is_owner").fetchall()
    assert owner == [(fx.HANDLE, fx.ORG, "La Ressourcerie du Port", "Réemploi & ateliers, Lorient.",
                      "https://bsky.app/profile/ressourcerie.example", "2024-11-20")]


def test_bluesky_car_handle_from_option_else_did(store: Store, tmp_path: Path) -> None:
    plain = tmp_path / "repo.car"
    plain.write_bytes(fx.repo(fx.ORG, fx.records()))
    report = load(store, plain).files[0]
    assert "posts are filed under the DID" in report.notes[0]
    assert count(store, f"SELECT count(*) FROM posts WHERE account = '{fx.ORG}'") == 8
    store.con.execute("DELETE FROM posts")
    load(store, plain, options=ImportOptions(account="@Ressourcerie.Example"))
    assert count(store, f"SELECT count(*) FROM posts WHERE account = '{fx.HANDLE}'") == 8


def test_bluesky_car_reimport_adds_nothing(store: Store, export: Path) -> None:
    load(store, export)
    again = load(store, export)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 8)


def test_bluesky_jetstream_rows_and_handles(store: Store) -> None:
    report = load(store, JETSTREAM).files[0]
    assert report.formats == {"bluesky": 3}
    assert report.notes == ["not posts: account events: 1, app.bsky.feed.like: 1, "
                            "delete operations, not applied: 1, identity events: 1, "
                            "update operations, not applied: 1"]
    reply = rows(store, "account = 'lea.example'")[0]
    assert _fields(reply, "kind", "account_id", "in_reply_to_id", "in_reply_to_account", "mentions",
                   "created_at", "source_record", "permalink") == (
        "reply", fx.LEA, OWN + "3lab2aaaaaa2a", fx.ORG, ["ressourcerie.example"], "2025-03-01T10:01:00Z",
        "1740823260000002", "https://bsky.app/profile/lea.example/post/3lab2lealea2a")
    visitor = rows(store, "lang = 'en'")[0]
    assert _fields(visitor, "kind", "account", "hashtags", "mentions") == (
        "original", "did:plc:visiteurinconnu55555555", ["upcycling"], ["ressourcerie.example"])
    repost = rows(store, "kind = 'repost'")[0]
    assert _fields(repost, "account", "repost_of_id", "repost_of_account") == (
        fx.MAIRIE, OWN + "3lab2aaaaaa2a", fx.ORG)


def test_bluesky_jetstream_is_written_within_its_own_memory_limit(store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB caches the blocks it writes up to its limit: the store writes the events within the lower
    limit the query asks for (384 MB, not the store's 640 for an ordered query), then sets its own back."""
    seen: list[str] = []
    scalar = Store._scalar

    def watched(self: Store, sql: str, params: Any = None) -> int:
        if sql.startswith("INSERT INTO posts"):
            seen.append(self._memory_setting())
        return scalar(self, sql, params)

    monkeypatch.setattr(Store, "_scalar", watched)
    before = store._memory_setting()
    load(store, JETSTREAM)
    assert seen == ["366.2 MiB"]  # 384 MB
    assert store._memory_setting() == before


def test_bluesky_car_gives_handles_to_jetstream_in_same_import(store: Store, export: Path) -> None:
    shutil.copy(JETSTREAM, export / "jetstream.jsonl")
    report = load(store, export).files[0]
    assert report.formats == {"bluesky": 11}
    reply = rows(store, "account = 'lea.example'")[0]
    assert (reply["in_reply_to_account"], reply["in_reply_to_account_id"]) == (fx.HANDLE, fx.ORG)
    assert rows(store, "kind = 'repost' AND account_id = 'did:plc:mairie2lorient7villexx'")[0][
        "repost_of_account"] == fx.HANDLE


def test_bluesky_jetstream_bad_lines_are_counted(store: Store, tmp_path: Path) -> None:
    lines = JETSTREAM.read_text().splitlines()
    undated = json.loads(lines[4])
    del undated["commit"]["record"]["createdAt"]
    undated["commit"]["rkey"] = "3lab3visite2z"
    broken = tmp_path / "jetstream.jsonl"
    broken.write_text("\n".join([*lines, "", json.dumps(undated), '{"did":"did:plc:x","time_us":17']) + "\n")
    report = load(store, broken).files[0]
    assert report.skipped == {"line is not a readable JSON event": 1}
    assert [e.record for e in report.examples] == [  # a blank line: rows are no longer lines
        "(unknown: the file has blank lines, which the JSON reader passes over)"]
    assert report.formats == {"bluesky": 4}
    assert rows(store, "post_id LIKE '%3lab3visite2z'")[0]["created_at"] == "2025-03-02T09:01:00Z"


def _event_file(path: Path, events: list[dict[str, Any]], lines: bool = False) -> Path:
    text = "\n".join(json.dumps(e) for e in events) if lines else json.dumps(events[0], indent=2)
    path.write_text(text)
    return path


def test_bluesky_firehose_events(store: Store, tmp_path: Path) -> None:
    post = {"$type": "app.bsky.feed.post", "text": "Nouvel arrivage de vélos", "langs": ["fr"],
            "createdAt": "2025-03-05T08:00:00.000Z"}
    follow = {"$type": "app.bsky.graph.follow", "subject": fx.LEA, "createdAt": "2025-03-05T08:01:00.000Z"}
    repost = {"$type": "app.bsky.feed.repost", "subject": {"uri": MAIRIE_POST, "cid": "x"}}
    first = fx.firehose_event(fx.ORG, 77, "2025-03-05T08:00:01.000Z", [
        ("create", "app.bsky.feed.post/3lac1aaaaaa2a", post), ("delete", "app.bsky.feed.post/3lab4hhhhhh2h", None)])
    second = fx.firehose_event(fx.ORG, 78, "2025-03-05T08:01:01.000Z", [
        ("create", "app.bsky.graph.follow/3lac1bbbbbb2b", follow),
        ("create", "app.bsky.feed.post/3lac1cccccc2c", None)])
    third = fx.firehose_event(fx.ORG, 79, "2025-03-05T08:02:03.500Z", [
        ("create", "app.bsky.feed.repost/3lac1dddddd2d", repost)])
    folder = tmp_path / "events"
    folder.mkdir()
    _event_file(folder / "commit_77.json", [first])
    _event_file(folder / "stream.jsonl", [second, third], lines=True)
    report = load(store, folder).files[0]
    assert report.formats == {"bluesky": 2}
    assert report.skipped == {"record block missing from the event": 1}
    assert report.notes == ["not posts: app.bsky.graph.follow: 1, delete operations, not applied: 1"]
    assert report.examples[0].record == "seq 78 app.bsky.feed.post/3lac1cccccc2c"
    post_row, repost_row = rows(store, order="kind")
    assert _fields(post_row, "post_id", "account", "text", "created_at", "source_member", "source_record") == (
        f"at://{fx.ORG}/app.bsky.feed.post/3lac1aaaaaa2a", fx.ORG, "Nouvel arrivage de vélos",
        "2025-03-05T08:00:00Z", "commit_77.json", "seq 77 app.bsky.feed.post/3lac1aaaaaa2a")
    assert _fields(repost_row, "kind", "repost_of_id", "created_at", "source_member") == (
        "repost", MAIRIE_POST, "2025-03-05T08:02:03Z", "stream.jsonl")


def test_bluesky_detection(tmp_path: Path, export: Path) -> None:
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "other.json").write_text('{"blocks": [1, 2], "did": "x"}')
    (mixed / "other.jsonl").write_text('{"did": "did:plc:x", "text": "hello"}\n')
    (mixed / "fake.car").write_bytes(b"\x0aNOT A CAR AT ALL")
    shutil.copy(export / CAR_NAME, mixed / CAR_NAME)
    shutil.copy(JETSTREAM, mixed / "jetstream.jsonl")
    with open_source(mixed) as source:
        found = sorted(m.name for m in source.members if IMPORTER.detect(m))
    assert found == ["jetstream.jsonl", CAR_NAME]


def test_bluesky_truncated_car_names_member_and_leaves_store(store: Store, export: Path) -> None:
    load(store, export)
    car = export / CAR_NAME
    car.write_bytes(car.read_bytes()[:700])
    with pytest.raises(InputError) as caught:
        load(store, export)
    assert f"member {CAR_NAME}" in str(caught.value)
    assert "not a readable CAR file" in str(caught.value)
    assert "the export may be truncated" in str(caught.value)
    assert caught.value.record == _block_at(car.read_bytes(), 700)
    assert count(store, "SELECT count(*) FROM posts") == 8


def _block_at(data: bytes, cut: int) -> str:
    """``block <n> (byte <offset>)``: the block of a CAR (the header is section 0) holding byte ``cut``."""
    offset, number = 0, 0
    while True:
        length, shift, at = 0, 0, offset
        while True:
            length |= (data[at] & 0x7F) << shift
            at, shift = at + 1, shift + 7
            if not data[at - 1] & 0x80:
                break
        if at + length > cut:
            return f"block {number} (byte {offset})"
        offset, number = at + length, number + 1


def test_bluesky_damaged_car_block_is_named(store: Store, tmp_path: Path) -> None:
    """A block that is not DAG-CBOR (a flipped byte in paul_staging.repo.car broke a string's UTF-8)
    is named by its CID and place; libipld's whole-file decoder named neither."""
    text = "Grande braderie samedi au Port !"
    car = tmp_path / CAR_NAME
    data = fx.repo(fx.ORG, {"app.bsky.feed.post/3lab2aaaaaa2a": fx._post(text, "2025-03-01T09:00:00Z")})
    record = fx.libipld.encode_dag_cbor(fx._post(text, "2025-03-01T09:00:00Z"))
    at = data.index(record) + record.index(b"braderie") + 3
    car.write_bytes(data[:at] + b"\xdf" + data[at + 1:])
    with pytest.raises(InputError, match="not valid DAG-CBOR") as caught:
        load(store, car)
    offset = data.index(fx.cid(record) + record) - len(fx.varint(len(fx.cid(record) + record)))
    assert caught.value.record == f"{fx.libipld.encode_cid(fx.cid(record))} (byte {offset})"


def test_bluesky_car_in_zip_and_gzipped(store: Store, tmp_path: Path) -> None:
    data = fx.repo(fx.ORG, fx.records())
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr(f"bluesky/{CAR_NAME}", data)
    assert load(store, tmp_path / "export.zip").files[0].formats == {"bluesky": 8}
    store.con.execute("DELETE FROM posts")
    (tmp_path / f"{CAR_NAME}.gz").write_bytes(gzip.compress(data))
    assert load(store, tmp_path / f"{CAR_NAME}.gz").files[0].formats == {"bluesky": 8}


def test_bluesky_car_is_read_without_holding_its_blocks(tmp_path: Path) -> None:
    """A repository's records are read one by one from the file: decoded whole, a CAR of 190 MB
    (200,000 posts, 400,000 likes) took 1.1 GB; here the peak stays well under the file's size."""
    likes = {f"app.bsky.feed.like/3l{n:011d}": {
        "$type": "app.bsky.feed.like", "createdAt": "2025-03-02T07:01:00.000Z",
        "subject": {"uri": f"at://{fx.LEA}/app.bsky.feed.post/3l{n:011d}", "cid": "bafyreilea"}}
        for n in range(20_000)}
    car = tmp_path / CAR_NAME
    car.write_bytes(fx.repo(fx.ORG, {**likes, **fx.records()}))
    with open_source(car) as source:
        ctx = ReadContext(source)
        tracemalloc.start()
        try:
            lines = bluesky._car_lines(source.members[0], ctx, {})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert sum(1 for _ in lines.open()) == 20_012
    assert peak < car.stat().st_size / 3


def test_bluesky_car_without_commit_root_is_refused(store: Store, tmp_path: Path) -> None:
    record = fx.libipld.encode_dag_cbor({"$type": "app.bsky.feed.post", "text": "x"})
    odd = tmp_path / "odd.car"
    odd.write_bytes(fx.car(fx.cid(record), {fx.cid(record): record}))
    with pytest.raises(InputError, match="not a repository commit"):
        load(store, odd)


def test_bluesky_truncated_firehose_event_is_named(store: Store, tmp_path: Path) -> None:
    event = fx.firehose_event(fx.ORG, 5, "2025-03-05T08:00:01.000Z", [])
    broken = _event_file(tmp_path / "commit_5.json", [event])
    broken.write_text(broken.read_text()[:-40])
    with pytest.raises(InputError, match="not valid JSON"):
        load(store, broken)


@needs_samples
def test_bluesky_real_repository_export(store: Store) -> None:
    report = load(store, REAL_CAR).files[0]
    assert report.formats == {"bluesky": 24}
    assert report.skipped == {}
    assert report.notes == ["not posts: app.bsky.actor.profile: 1, app.bsky.feed.like: 2, "
                            "app.bsky.graph.follow: 3, blue.linkat.board: 1, com.atproto.lexicon.record: 1, "
                            "com.atproto.lexicon.schema: 5, net.bnewbold.demo.mushroom: 1"]
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds == {"original": 20, "reply": 2, "quote": 1, "repost": 1}
    assert count(store, f"SELECT count(*) FROM posts WHERE account = 'bnewbold.robocracy.org' "
                        f"AND account_id = '{BNEWBOLD}'") == 24
    replies = store.con.execute(
        "SELECT post_id, in_reply_to_id, in_reply_to_account, conversation_id FROM posts "
        "WHERE kind = 'reply' ORDER BY post_id").fetchall()
    post = f"at://{BNEWBOLD}/app.bsky.feed.post/"
    assert replies == [
        (post + "3kyozfaqkgc23", "at://did:plc:oio4hkxaop4ao4wz2pp3f4cr/app.bsky.feed.post/3ktbrpnp5x227",
         "did:plc:oio4hkxaop4ao4wz2pp3f4cr", post + "3ktbqfmhvak26"),
        (post + "3lj2ex7vyjc2h", "at://did:plc:box3ql3jyrlb7ptzh2tnn2aw/app.bsky.feed.post/3lizyzajiks23",
         "did:plc:box3ql3jyrlb7ptzh2tnn2aw", "at://did:plc:box3ql3jyrlb7ptzh2tnn2aw/app.bsky.feed.post/3lizyzajiks23"),
    ]
    quote = rows(store, "kind = 'quote'")[0]
    assert _fields(quote, "text", "quote_of_id", "mentions") == (
        "what about this @bnewbold.net", post + "3kly7jzzyuk2v", ["bnewbold.net"])
    assert count(store, "SELECT count(*) FROM posts WHERE media_count > 0") == 4
    owner = store.con.execute("SELECT account, display_name FROM accounts WHERE is_owner").fetchall()
    assert owner == [("bnewbold.robocracy.org", "now roaming free")]


@needs_samples
def test_bluesky_real_firehose_events(store: Store, tmp_path: Path) -> None:
    for name in ("firehose_commit_4621317030.json", "firehose_commit_4621332152.json"):
        shutil.copy(REAL / name, tmp_path / name)
    report = load(store, tmp_path).files[0]
    assert report.notes == ["not posts: app.bsky.graph.follow: 42"]
    (repost,) = rows(store)
    assert _fields(repost, "post_id", "kind", "account", "repost_of_id", "created_at", "source_record") == (
        "at://did:plc:6hy5p6rm3zlcdephqssc2p76/app.bsky.feed.repost/3lhhvdkcby3e2", "repost",
        "did:plc:6hy5p6rm3zlcdephqssc2p76",
        "at://did:plc:5f2sochvzpkc6poetem54n6t/app.bsky.feed.post/3lhhv5laqtur2", "2025-02-06T01:00:46Z",
        "seq 4621317030 app.bsky.feed.repost/3lhhvdkcby3e2")


def test_bluesky_looping_car_tree_is_refused(store: Store, tmp_path: Path) -> None:
    loop = fx.cid(b"any bytes: libipld does not check block hashes")
    node = fx.libipld.encode_dag_cbor({"e": [], "l": loop})
    commit = fx.libipld.encode_dag_cbor({"did": fx.ORG, "version": 3, "data": loop, "rev": "x", "sig": b"\x00"})
    crafted = tmp_path / "crafted.car"
    crafted.write_bytes(fx.car(fx.cid(commit), {fx.cid(commit): commit, loop: node}))
    with pytest.raises(InputError, match="reaches the same node twice"):
        load(store, crafted)


def test_bluesky_car_dag_is_refused_after_one_visit_of_each_node(store: Store, tmp_path: Path) -> None:
    """61 levels, each node pointing to the next through both `l` and an entry's `t`: 2^60 paths."""
    record = fx.libipld.encode_dag_cbor({"$type": "app.bsky.feed.like", "createdAt": "2025-01-01T00:00:00Z"})
    blocks, below = {fx.cid(record): record}, None
    for level in range(61):
        entry = {"p": 0, "k": f"app.bsky.feed.like/{level:03d}".encode(), "v": fx.cid(record), "t": below}
        node = fx.libipld.encode_dag_cbor({"l": below, "e": [entry]})
        below = fx.cid(node)
        blocks[below] = node
    commit = fx.libipld.encode_dag_cbor({"did": fx.ORG, "version": 3, "data": below, "rev": "x", "sig": b"\x00"})
    crafted = tmp_path / "dag.car"
    crafted.write_bytes(fx.car(fx.cid(commit), {fx.cid(commit): commit, **blocks}))
    started = time.monotonic()
    with pytest.raises(InputError, match="reaches the same node twice") as caught:
        load(store, crafted)
    assert time.monotonic() - started < 5
    leaf = list(blocks)[1]  # down the `l` links first, then the leaf's parent's `t` reaches it again
    assert caught.value.record == fx.libipld.encode_cid(leaf)
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_bluesky_car_record_nested_too_deeply_is_a_counted_skip(store: Store, tmp_path: Path) -> None:
    records = fx.records()
    deep: list[Any] = []
    for _ in range(300):
        deep = [deep]
    records["app.bsky.feed.post/3lzzzzzzzzz2z"] = {"$type": "app.bsky.feed.post", "text": "deep",
                                                    "createdAt": "2025-01-01T00:00:00Z", "deep": deep}
    crafted = tmp_path / "deep.car"
    crafted.write_bytes(fx.repo(fx.ORG, records))
    report = load(store, crafted).files[0]
    assert report.skipped["record nested too deeply to be a real record"] == 1
    assert count(store, "SELECT count(*) FROM posts WHERE text = 'deep'") == 0


def _post_line(number: int, did: str, text: str) -> str:
    record = {"$type": "app.bsky.feed.post", "text": text, "langs": ["fr"], "facets": [],
              "createdAt": f"2025-03-01T10:{number // 60 % 60:02d}:{number % 60:02d}.000Z"}
    return json.dumps({"did": did, "time_us": 1740823200000000 + number, "kind": "commit",
                       "commit": {"operation": "create", "collection": "app.bsky.feed.post",
                                  "rkey": f"3lz{number:010d}", "record": record}}, separators=(",", ":"))


def _big_stream(path: Path, lines: int, repeat: bool) -> Path:
    """A Jetstream file of ~40 MB (read by both of DuckDB's threads): post n on line n, an unreadable line
    in the middle, the handle of the first author at the very end, and (``repeat``) line 2's post again."""
    padding = " chantier participatif" * 25
    rows = [_post_line(n, f"did:plc:author{n % 7}", f"message {n}{padding}") for n in range(1, lines + 1)]
    rows[lines // 2 - 1] = '{"did":"did:plc:author1","time_us":17'
    if repeat:
        rows[-2] = _post_line(2, "did:plc:author2", "the same post, seen again later")
    rows.append(json.dumps({"did": "did:plc:author1", "time_us": 1740823299000000, "kind": "identity",
                            "identity": {"did": "did:plc:author1", "handle": "Atelier.Example"}}))
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.parametrize("repeat", [False, True])
def test_bluesky_jetstream_big_file_keeps_order_first_post_and_bad_line_number(store: Store, tmp_path: Path,
                                                                               repeat: bool) -> None:
    lines = 60_000
    stream = _big_stream(tmp_path / "stream.jsonl", lines, repeat)
    with open_source(stream) as source:  # a repeated post: shaped here, in order; else read by the store
        first = next(IMPORTER.read(source.members, ReadContext(source)))
        assert isinstance(first, pa.RecordBatch if repeat else SqlQuery)
    result = load(store, stream)
    report = result.files[0]
    assert report.skipped == {"line is not a readable JSON event": 1}
    assert [(e.member, e.record) for e in report.examples] == [("stream.jsonl", f"line {lines // 2}")]
    assert report.notes == ["not posts: identity events: 1"]
    posts = lines - 1 - repeat
    assert count(store, "SELECT count(*) FROM posts") == posts
    assert result.merge.duplicates_in_input == repeat
    second = rows(store, "post_id LIKE '%3lz0000000002'")[0]
    assert (second["text"].split(" chantier")[0], second["source_record"]) == ("message 2", "1740823200000002")
    first = rows(store, "post_id LIKE '%3lz0000000001'")[0]
    assert (first["account"], first["account_id"], first["permalink"]) == (
        "atelier.example", "did:plc:author1", "https://bsky.app/profile/atelier.example/post/3lz0000000001")
    if repeat:  # shaped here and streamed: the rows are stored in the order of the lines
        order = [int(r) for (r,) in store.con.execute("SELECT source_record FROM posts ORDER BY rowid").fetchall()]
        assert order == sorted(order) and len(order) == posts


def _utf16_slice(text: str, fragment: str) -> dict[str, int]:
    """A legacy entity's range for ``fragment``: UTF-16 code units, as the 2023 ``textSlice`` counts them."""
    start = len(text[: text.index(fragment)].encode("utf-16-le")) // 2
    return {"start": start, "end": start + len(fragment.encode("utf-16-le")) // 2}


def test_bluesky_car_legacy_entities_give_mentions_and_links(store: Store, tmp_path: Path) -> None:
    """Posts written before facets (early 2023: paul_staging.repo.car in indigo's test data) carry
    ``entities``: mentions (the DID as value) and links, their offsets in UTF-16 units."""
    text = "🎉🎉 Merci @Lea.example ! Programme : ressourcerie.example/agenda"
    legacy = fx._post(text, "2023-03-14T19:28:01.150Z", entities=[
        {"type": "mention", "index": _utf16_slice(text, "@Lea.example"), "value": fx.LEA},
        {"type": "link", "index": _utf16_slice(text, "ressourcerie.example/agenda"),
         "value": "https://ressourcerie.example/agenda"}])
    off = fx._post("Salut @mairie !", "2023-03-14T19:30:00Z", entities=[
        {"type": "mention", "index": {"start": 0, "end": 5}, "value": fx.MAIRIE}])
    both = fx._post("Voir ressourcerie.example", "2023-04-20T10:00:00Z", entities=[
        {"type": "link", "index": {"start": 5, "end": 25}, "value": "https://ressourcerie.example/old"}],
        facets=[{"index": fx.span("Voir ressourcerie.example", "ressourcerie.example"),
                 "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://ressourcerie.example"}]}])
    car = tmp_path / CAR_NAME
    car.write_bytes(fx.repo(fx.ORG, {"app.bsky.feed.post/3jqa1": legacy, "app.bsky.feed.post/3jqa2": off,
                                     "app.bsky.feed.post/3jqa3": both}))
    load(store, car)
    by_rkey = _by_rkey(store)
    assert _fields(by_rkey["3jqa1"], "mentions", "urls") == (["lea.example"], ["https://ressourcerie.example/agenda"])
    assert _fields(by_rkey["3jqa2"], "mentions", "urls") == ([fx.MAIRIE], [])  # the range is not an @handle
    assert _fields(by_rkey["3jqa3"], "mentions", "urls") == ([], ["https://ressourcerie.example"])  # facets win


def test_bluesky_gallery_embed_counts_its_images(store: Store, tmp_path: Path) -> None:
    """``app.bsky.embed.gallery`` (June 2026, up to 20 items, alone or as a quote's media): one image
    per ``#image`` item; an item of a variant not known yet is not counted."""
    def item(n: int, kind: str = "app.bsky.embed.gallery#image") -> dict[str, Any]:
        return {"$type": kind, **fx._image(n)}

    gallery = {"$type": "app.bsky.embed.gallery",
               "items": [item(1), item(2), item(3), item(4, "app.bsky.embed.gallery#hologram")]}
    quote = {"$type": "app.bsky.embed.recordWithMedia",
             "media": {"$type": "app.bsky.embed.gallery", "items": [item(5)]},
             "record": {"$type": "app.bsky.embed.record", "record": {"uri": MAIRIE_POST, "cid": "x"}}}
    car = tmp_path / CAR_NAME
    car.write_bytes(fx.repo(fx.ORG, {
        "app.bsky.feed.post/3mgal1": fx._post("Les ateliers de la semaine", "2026-06-10T08:00:00Z", embed=gallery),
        "app.bsky.feed.post/3mgal2": fx._post("Avec la mairie", "2026-06-10T09:00:00Z", embed=quote)}))
    load(store, car)
    by_rkey = _by_rkey(store)
    assert _fields(by_rkey["3mgal1"], "kind", "media_count", "media_kinds") == ("original", 3, ["image"] * 3)
    assert _fields(by_rkey["3mgal2"], "kind", "media_count", "media_kinds", "quote_of_id") == (
        "quote", 1, ["image"], MAIRIE_POST)


def test_bluesky_car_tree_links_that_are_not_cids_are_named(store: Store, tmp_path: Path) -> None:
    """Found by flipping bytes of jetstream's repo.car: a link that is not a CID crashed on its name."""
    commit = fx.libipld.encode_dag_cbor({"did": fx.ORG, "version": 3, "data": 5, "rev": "x", "sig": b"\x00"})
    crafted = tmp_path / "crafted.car"
    crafted.write_bytes(fx.car(fx.cid(commit), {fx.cid(commit): commit}))
    with pytest.raises(InputError, match="malformed \\(a link that is not a CID: 5\\)"):
        load(store, crafted)
    node = fx.libipld.encode_dag_cbor({"e": [], "l": b"\x00\x01"})
    commit = fx.libipld.encode_dag_cbor({"did": fx.ORG, "version": 3, "data": fx.cid(node), "rev": "x", "sig": b"\x00"})
    crafted.write_bytes(fx.car(fx.cid(commit), {fx.cid(commit): commit, fx.cid(node): node}))
    report = load(store, crafted).files[0]
    assert report.skipped == {"tree node missing from the CAR (partial export)": 1}
    assert report.examples[0].record == "(not a CID: b'\\x00\\x01')"
