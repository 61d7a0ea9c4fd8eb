"""The Mastodon account archive importer (outbox.json streamed, actor.json for the owner)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from parlons.errors import InputError
from parlons.importers._base import ImportOptions
from parlons.importers.mastodon import IMPORTER
from parlons.sources import open_source
from parlons.store import Store

from .conftest import FIXTURES, count, load, rows, zip_folder

ARCHIVE = FIXTURES / "mastodon"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
STATUS = "https://piaille.example/users/mediatheque/statuses/11100000000000000"
OWNER = "@mediatheque@piaille.example"


def test_mastodon_first_status_whole_row(store: Store) -> None:
    load(store, ARCHIVE, now=NOW)
    first = rows(store)[0]
    assert first == {
        "platform": "mastodon", "post_id": STATUS + "1", "account": OWNER,
        "account_id": "https://piaille.example/users/mediatheque",
        "account_name": "Médiathèque de Quimper", "created_at": "2024-03-05T09:15:00Z",
        "text": "Atelier #BD samedi à 14 h & goûter offert !\n\n"
                "Inscriptions : https://mediatheque-quimper.example/ateliers?id=3&src=masto",
        "html": json.loads((ARCHIVE / "outbox.json").read_text())["orderedItems"][0]["object"]["content"],
        "title": None, "lang": "fr", "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": "tag:piaille.example,2024-03-05:objectId=5001:objectType=Conversation",
        "repost_of_id": None, "repost_of_account": None, "quote_of_id": None,
        "mentions": [], "hashtags": ["BD"],
        "urls": ["https://mediatheque-quimper.example/ateliers?id=3&src=masto"],
        "media_count": 1, "media_kinds": ["image"], "source": None,
        "like_count": None, "repost_count": None, "reply_count": None, "quote_count": None,
        "permalink": "https://piaille.example/@mediatheque/111000000000000001",
        "source_file": str(ARCHIVE), "source_member": "outbox.json", "source_record": "0",
        "importer": "mastodon-archive", "importer_version": "0.1.0",
        "imported_at": "2026-01-02T03:04:05Z",
    }


def _fields(row: dict[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(row[n] for n in names)


def test_mastodon_replies_boost_and_quote(store: Store) -> None:
    load(store, ARCHIVE)
    by_id = {r["post_id"].removeprefix(STATUS): r for r in rows(store)}
    assert sorted(by_id) == ["1", "2", "4", "5", "6", "7"]
    reply = ("kind", "in_reply_to_id", "in_reply_to_account", "mentions", "text")
    assert _fields(by_id["2"], *reply) == (
        "reply", "https://mastodon.example/users/lea_k/statuses/110999999999999999",
        "@lea_k@mastodon.example", ["@lea_k@mastodon.example"],
        "@lea_k Oui, l'atelier est ouvert dès 8 ans. Bonne journée !")
    assert _fields(by_id["5"], *reply) == (
        "reply", STATUS + "1", OWNER, ["@voisine@piaille.example"], "Plus que 3 places !\nMerci @voisine")
    assert _fields(by_id["6"], "in_reply_to_account", "mentions", "media_count", "media_kinds", "lang") == (
        "@cine_club@akkoma.example", ["@cine_club@akkoma.example", "@camille@blog.example"],
        2, ["video", "audio"], "en")
    assert _fields(by_id["4"], "kind", "text", "repost_of_id", "repost_of_account", "created_at",
                   "html", "permalink", "media_count") == (
        "repost", "", "https://toot.example/users/asso_velo/statuses/110888888888888888",
        "@asso_velo@toot.example", "2024-03-07T08:00:00Z", None, None, None)
    assert _fields(by_id["7"], "kind", "quote_of_id", "text") == (
        "quote", "https://toot.example/users/asso_velo/statuses/110888888888888888",
        "À lire avant la bourse aux vélos <b>")


def test_mastodon_report_direct_messages_and_companions(store: Store) -> None:
    report = load(store, ARCHIVE).files[0]
    assert report.formats == {"mastodon-archive": 6}
    assert report.skipped == {"direct message, not public": 1}
    assert report.known == ["actor.json", "avatar.png", "bookmarks.json", "likes.json",
                            "media_attachments/files/111/222/333/original/affiche.jpg"]
    assert report.unknown == []
    assert count(store, f"SELECT count(*) FROM posts WHERE post_id = '{STATUS}3'") == 0


def test_mastodon_owner_from_actor_json(store: Store) -> None:
    load(store, ARCHIVE)
    owner = store.con.execute(
        "SELECT account, account_id, display_name, description, url, is_owner, "
        "strftime(created_at, '%Y-%m-%d') FROM accounts WHERE is_owner").fetchall()
    assert owner == [(OWNER, "https://piaille.example/users/mediatheque", "Médiathèque de Quimper",
                      "Le compte officiel de la médiathèque. Horaires & agenda : mediatheque-quimper.example",
                      "https://piaille.example/@mediatheque", True, "2022-11-07")]


def test_mastodon_zip_gives_same_rows_and_reimport_adds_nothing(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(ARCHIVE, tmp_path / "archive-20240310.zip")
    load(store, archive)
    assert count(store, "SELECT count(*) FROM posts") == 6
    again = load(store, ARCHIVE)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 6)


def test_mastodon_likes_and_bookmarks_are_not_outboxes() -> None:
    with open_source(ARCHIVE) as source:
        detected = [m.name for m in source.members if IMPORTER.detect(m)]
    assert detected == ["outbox.json"]


def test_mastodon_without_actor_json_uses_activity_actor(store: Store, tmp_path: Path) -> None:
    lonely = tmp_path / "outbox.json"
    shutil.copy(ARCHIVE / "outbox.json", lonely)
    report = load(store, lonely).files[0]
    assert "actor.json is missing" in report.notes[0]
    assert count(store, f"SELECT count(*) FROM posts WHERE account = '{OWNER}'") == 6


def test_mastodon_without_actor_json_takes_account_option(store: Store, tmp_path: Path) -> None:
    lonely = tmp_path / "outbox.json"
    shutil.copy(ARCHIVE / "outbox.json", lonely)
    load(store, lonely, options=ImportOptions(account="mediatheque@Quimper.example"))
    assert count(store, "SELECT count(*) FROM posts WHERE account = '@mediatheque@quimper.example'") == 6


def test_mastodon_bad_records_are_counted_skips(store: Store, tmp_path: Path) -> None:
    outbox = json.loads((ARCHIVE / "outbox.json").read_text())
    outbox["orderedItems"][1:1] = [
        {"id": "https://piaille.example/x/activity", "type": "Create", "object": "https://piaille.example/x"},
        {"id": "https://piaille.example/y/activity", "type": "Announce"},
        {"type": "Like", "object": "https://mastodon.example/users/lea_k/statuses/1"},
        {"id": "https://piaille.example/z/activity", "type": "Create", "to": [],
         "object": {"id": "https://piaille.example/z", "type": "Note", "content": "<p>sans date</p>",
                    "to": ["https://www.w3.org/ns/activitystreams#Public"]}},
    ]
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    (folder / "outbox.json").write_text(json.dumps(outbox))
    report = load(store, folder).files[0]
    assert report.skipped == {
        "direct message, not public": 1, "Create activity without an embedded status": 1,
        "boost without the boosted status's URL": 1, "activity of type 'Like' is not a post": 1,
        "missing created_at": 1}
    assert report.formats == {"mastodon-archive": 6}


def test_mastodon_truncated_outbox_names_member_and_leaves_store(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE)
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    text = (folder / "outbox.json").read_text()
    (folder / "outbox.json").write_text(text[: len(text) // 2])
    with pytest.raises(InputError) as caught:
        load(store, folder)
    message = str(caught.value)
    assert "member outbox.json" in message and "truncated" in message
    assert count(store, "SELECT count(*) FROM posts") == 6


def test_mastodon_bad_actor_json_is_named(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    (folder / "actor.json").write_text('{"type": "Person"}')
    with pytest.raises(InputError, match=r"member actor\.json.*preferredUsername"):
        load(store, folder)
