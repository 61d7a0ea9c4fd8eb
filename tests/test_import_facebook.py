"""The Facebook "Download Your Information" importer (JSON posts, group posts, comments, profile)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.errors import InputError
from parlons.importers._base import ImportOptions
from parlons.importers._common import Owner
from parlons.importers.facebook import IMPORTER, _shared_from, _target
from parlons.sources import open_source
from parlons.store import Store

from .conftest import FIXTURES, count, load, rows, zip_folder

EXPORT = FIXTURES / "facebook"
POSTS = "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
COMMENTS = "your_facebook_activity/comments_and_reactions/comments.json"
ME = "Théâtre du Pélican"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _mangled(value: str) -> str:
    """A string escaped the way Meta writes it (UTF-8 bytes as latin-1 code points)."""
    return value.encode("utf-8").decode("latin-1")


def test_facebook_whole_rows(store: Store) -> None:
    report = load(store, EXPORT, now=NOW)
    file = report.files[0]
    assert file.formats == {"facebook": 11}
    assert file.skipped == {"record without a timestamp": 1, "record is not a JSON object": 1}
    assert [(s.member, s.record) for s in file.examples] == [(POSTS, "5"), (POSTS, "6")]
    assert file.known == [
        "personal_information/profile_information/profile_information.json",
        "your_facebook_activity/comments_and_reactions/likes_and_reactions_1.json",
        "your_facebook_activity/pages/pages_you've_liked.json",
        "your_facebook_activity/posts/media/Photos_x2Kq/431207_1021_n.jpg",
    ]
    assert file.unknown == ["notes.txt"]
    status = rows(store, order="created_at")[0]
    assert status == {
        "platform": "facebook", "post_id": "fbx:ee038221b6725047bbcf45ed", "account": ME,
        "account_id": None, "account_name": ME, "created_at": "2024-03-01T18:00:00Z",
        "text": "Ce soir, répétition publique à 19 h ! Entrée libre 🎭 #théâtre #Lyon",
        "html": None, "title": f"{ME} updated their status.", "lang": None, "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None, "quote_of_id": None,
        "mentions": [], "hashtags": ["théâtre", "Lyon"], "urls": [], "media_count": 0, "media_kinds": [],
        "source": None, "like_count": None, "repost_count": None, "reply_count": None, "quote_count": None,
        "permalink": None, "source_file": str(EXPORT), "source_member": POSTS, "source_record": "0",
        "importer": "facebook", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_facebook_posts_media_links_shares(store: Store) -> None:
    load(store, EXPORT)
    got = [(r["kind"], r["text"], r["mentions"], r["urls"], r["media_count"], r["media_kinds"],
            r["repost_of_account"], r["source_member"].rsplit("/", 1)[1])
           for r in rows(store, "post_id NOT IN (SELECT post_id FROM posts WHERE kind = 'reply')", "created_at")]
    assert got == [
        ("original", "Ce soir, répétition publique à 19 h ! Entrée libre 🎭 #théâtre #Lyon", [], [], 0, [], None,
         "your_posts__check_ins__photos_and_videos_1.json"),
        ("original", "Les décors sont prêts. Merci à toute l'équipe !", ["Léa Martin", "Compagnie Zéphyr"], [], 2,
         ["image", "video"], None, "your_posts__check_ins__photos_and_videos_1.json"),
        ("original", "Découvrez la nouvelle saison : https://pelican.example/saison-2024", [],
         ["https://pelican.example/saison-2024"], 0, [], None, "your_posts__check_ins__photos_and_videos_1.json"),
        ("repost", "", [], [], 0, [], "Compagnie Zéphyr", "your_posts__check_ins__photos_and_videos_1.json"),
        ("quote", "Bravo aux équipes du festival !", [], [], 0, [], None,
         "your_posts__check_ins__photos_and_videos_1.json"),
        ("original", "Qui vient monter les décors samedi matin ?", [], [], 0, [], None,
         "group_posts_and_comments.json"),
    ]


def test_facebook_comments_are_replies_to_the_named_account(store: Store) -> None:
    load(store, EXPORT)
    got = [(r["created_at"], r["text"], r["in_reply_to_account"], r["in_reply_to_id"], r["urls"], r["media_kinds"],
            r["source_record"])
           for r in rows(store, "kind = 'reply'", "created_at")]
    assert got == [
        ("2024-03-02T18:00:00Z", "Merci Jeanne, à très vite au théâtre !", "Jeanne Dupré", None, [], [], "0"),
        ("2024-03-03T18:00:00Z", "Oui, les billets sont en vente ici : https://pelican.example/billets",
         "Marc O'Neil", None, ["https://pelican.example/billets"], [], "1"),
        ("2024-03-04T18:00:00Z", "Horaires : 19 h – 22 h.", ME, None, [], [], "2"),
        ("2024-03-05T18:00:00Z", "", "Sam", None, [], ["image"], "3"),
        ("2024-03-06T18:00:00Z", "Rendez-vous à 9 h devant l'entrée des artistes.", None, None, [], [], "4"),
    ]
    assert {r["source_member"] for r in rows(store, "kind = 'reply'")} == {COMMENTS}


def test_facebook_every_string_is_repaired(store: Store) -> None:
    load(store, EXPORT)
    broken = count(store, "SELECT count(*) FROM posts WHERE regexp_matches(text || coalesce(title, '') || account "
                          "|| coalesce(in_reply_to_account, '') || coalesce(repost_of_account, '') "
                          "|| array_to_string(mentions, ' '), '[\u0080-\u009fÃ]')")
    assert broken == 0
    assert count(store, "SELECT count(*) FROM posts WHERE text LIKE '%🎭%'") == 1


def test_facebook_owner_from_profile_information(store: Store) -> None:
    load(store, EXPORT)
    owner = store.con.execute("SELECT account, display_name, url, strftime(created_at, '%Y-%m-%d'), is_owner "
                              "FROM accounts").fetchall()
    assert owner == [(ME, ME, "https://www.facebook.com/theatredupelican", "2010-01-01", True)]


def test_facebook_ids_follow_the_documented_recipe(store: Store) -> None:
    load(store, EXPORT)
    text = "Les décors sont prêts. Merci à toute l'équipe !"
    key = "\x1f".join([ME, "post", "1709380800", text, "431207_1021_n.jpg"])
    expected = "fbx:" + hashlib.sha256(key.encode()).hexdigest()[:24]
    assert [r["text"] for r in rows(store, f"post_id = '{expected}'")] == [text]


def test_facebook_zip_gives_same_rows_as_folder(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(EXPORT, tmp_path / "facebook-theatredupelican-2024.zip", "facebook-theatredupelican/")
    report = load(store, archive)
    assert report.files[0].formats == {"facebook": 11}
    with Store(tmp_path / "other.duckdb") as other:
        load(other, EXPORT)
        assert [r["post_id"] for r in rows(store)] == [r["post_id"] for r in rows(other)]


def test_facebook_reimport_and_newer_overlapping_export_add_nothing_twice(store: Store, tmp_path: Path) -> None:
    load(store, EXPORT)
    again = load(store, EXPORT)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 11)
    newer = tmp_path / "newer"
    shutil.copytree(EXPORT, newer)
    posts_file = newer / POSTS
    items = json.loads(posts_file.read_text())
    items.insert(0, {"timestamp": 1712000000, "data": [{"post": _mangled("Nouvelle saison dévoilée !")}],
                     "title": _mangled(f"{ME} updated their status.")})
    posts_file.write_text(json.dumps(items, indent=2))
    third = load(store, newer)
    assert (third.merge.inserted, third.merge.already_stored) == (1, 11)
    assert count(store, "SELECT count(*) FROM posts") == 12


def test_facebook_without_profile_needs_account(store: Store, tmp_path: Path) -> None:
    lonely = tmp_path / "your_posts_1.json"
    shutil.copy(EXPORT / POSTS, lonely)
    with pytest.raises(InputError, match=r"profile_information\.json \(`profile_v2`\) is missing"):
        load(store, lonely)
    report = load(store, lonely, options=ImportOptions(account="Théâtre du Pélican"))
    assert report.files[0].notes == ["facebook: owner taken from --account: Théâtre du Pélican"]
    assert count(store, f"SELECT count(*) FROM posts WHERE account = '{ME}'") == 5


def test_facebook_truncated_json_names_the_member_and_leaves_store_untouched(store: Store, tmp_path: Path) -> None:
    load(store, EXPORT)
    broken = tmp_path / "export"
    shutil.copytree(EXPORT, broken)
    comments = broken / COMMENTS
    comments.write_text(comments.read_text()[:500])
    with pytest.raises(InputError) as caught:
        load(store, broken)
    assert caught.value.member == COMMENTS
    assert "not valid JSON" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 11


def test_facebook_detection_is_by_content(tmp_path: Path) -> None:
    (tmp_path / "any_name.json").write_text('[\n  {\n    "timestamp": 1709316000,\n    "data": []\n  }\n]')
    (tmp_path / "your_posts_2.json").write_text("[]")
    (tmp_path / "comments.json").write_text('{"comments_v2": []}')
    (tmp_path / "reactions.json").write_text('[{"timestamp": 1, "data": [{"reaction": {"reaction": "LIKE"}}]}]')
    (tmp_path / "other.json").write_text('[{"title": "x"}]')
    with open_source(tmp_path) as source:
        found = {m.name: IMPORTER.detect(m) for m in source.members}
    assert found == {"any_name.json": True, "comments.json": True, "other.json": False,
                     "reactions.json": False, "your_posts_2.json": True}


@pytest.mark.parametrize(("title", "target"), [
    ("Théâtre du Pélican commented on Jeanne Dupré's post.", "Jeanne Dupré"),
    ("Théâtre du Pélican replied to Marc O'Neil's comment.", "Marc O'Neil"),
    ("Théâtre du Pélican commented on Ville de Lyon's live video.", "Ville de Lyon"),
    ("Théâtre du Pélican commented on his own photo.", ME),
    ("Théâtre du Pélican commented on a post.", None),
    ("Théâtre du Pélican a commenté la publication de Jeanne Dupré.", "Jeanne Dupré"),
    ("Théâtre du Pélican a répondu au commentaire d'Anne Roux.", "Anne Roux"),
    ("Théâtre du Pélican a commenté sa propre publication.", ME),
    (None, None),
])
def test_facebook_comment_target_from_title(title: str | None, target: str | None) -> None:
    assert _target(title, Owner(ME)) == target


def test_facebook_shared_from_title() -> None:
    assert _shared_from("Théâtre du Pélican shared Compagnie Zéphyr's post.") == "Compagnie Zéphyr"
    assert _shared_from("Théâtre du Pélican a partagé la publication de Compagnie Zéphyr.") == "Compagnie Zéphyr"
    assert _shared_from("Théâtre du Pélican shared a link.") is None
    assert _shared_from("Théâtre du Pélican shared a post to Léa Martin's timeline.") is None


def test_facebook_unusable_profile_leaves_the_owner_to_account(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    profile = folder / "personal_information" / "profile_information" / "profile_information.json"
    profile.write_text(json.dumps({"profile_v2": {"name": {"full_name": ""}}}))
    # a Threads profile file of the same name, shallower, is never the Facebook owner
    (folder / "threads").mkdir()
    (folder / "threads" / "profile_information.json").write_text(json.dumps({"profile_v2": {"name": {
        "full_name": "Quelqu'un d'autre"}}}))
    with pytest.raises(InputError, match=r"has no `name\.full_name`; give --account instead"):
        load(store, folder)
    report = load(store, folder, options=ImportOptions(account="Théâtre du Pélican"))
    assert report.files[0].notes == ["facebook: owner taken from --account: Théâtre du Pélican"]
    assert store.con.execute("SELECT DISTINCT account FROM posts").fetchall() == [(ME,)]


def _posts_file(tmp_path: Path, items: list[dict[str, object]]) -> Path:
    """A lone posts file, written as Meta writes it (every string mangled), imported with --account."""
    def mangle(value: object) -> object:
        if isinstance(value, str):
            return _mangled(value)
        if isinstance(value, list):
            return [mangle(v) for v in value]
        if isinstance(value, dict):
            return {k: mangle(v) for k, v in value.items()}
        return value
    path = tmp_path / "your_posts_1.json"
    path.write_text(json.dumps(mangle(items), indent=2))
    return path


def test_facebook_a_post_shared_without_its_authors_name_is_a_repost(store: Store, tmp_path: Path) -> None:
    # Real exports (2010-2020, in English, Spanish, Vietnamese) title most shares "X shared a post." with no
    # text and no attachment: the author of the shared post is not named. They were empty originals.
    who = "Fero Mrkvička"
    path = _posts_file(tmp_path, [
        {"timestamp": 1289847917, "attachments": [], "data": [{"update_timestamp": 1289847917}],
         "title": f"{who} shared a post."},
        {"timestamp": 1289847918, "data": [{"update_timestamp": 1289847918}], "title": f"{who} shared a photo."},
        {"timestamp": 1289847919, "data": [{"post": "Pozrite sa!"}, {"update_timestamp": 1289847919}],
         "title": f"{who} shared a post."},
        {"timestamp": 1502692666, "attachments": [{"data": [{"text": "12 Years Ago"},
                                                             {"text": "Marta added a new photo."}]}],
         "data": [{"post": "Spomienky"}, {"update_timestamp": 1502692666}], "title": f"{who} shared a memory."},
        {"timestamp": 1371686325, "data": [], "title": f"{who} ha compartido una publicación."},
        {"timestamp": 1371686326, "data": [], "title": f"{who} đã chia sẻ một bài viết."},
        {"timestamp": 1371686327, "data": [], "title": f"{who} a partagé une vidéo."},
        {"timestamp": 1371686328, "attachments": [{"data": [{"external_context": {"url": "https://news.example/a"}}]}],
         "data": [], "title": f"{who} shared a link."},
        {"timestamp": 1371686329, "data": [{"post": "Dobrý deň"}], "title": f"{who} updated her status."},
    ])
    load(store, path, options=ImportOptions(account=who))
    got = [(r["kind"], r["text"], r["repost_of_account"]) for r in rows(store, order="created_at")]
    assert got == [
        ("repost", "", None), ("repost", "", None), ("quote", "Pozrite sa!", None),
        ("repost", "", None), ("repost", "", None), ("repost", "", None), ("original", "", None),
        ("original", "Dobrý deň", None), ("quote", "Spomienky", None),
    ]


def test_facebook_tags_written_in_the_text_become_names_and_mentions(store: Store, tmp_path: Path) -> None:
    # Exports of 2012-2019 write a tagged person inside the text as @[<id>:2048:<name>] (five of nine real
    # exports): the markup and the numeric id were kept in the text and nobody was mentioned.
    raw = "@[100002376886222:2048:Rodrigo Álvarez] @[1561444388:2048:Ana Pérez], mirad esto"
    path = _posts_file(tmp_path, [
        {"timestamp": 1344507432, "data": [{"post": raw}], "tags": [{"name": "Luis Vivo"}],
         "title": "Lucas Vivo ha actualizado su estado."},
    ])
    comments = tmp_path / "comments.json"
    comments.write_text(json.dumps({"comments_v2": [{"timestamp": 1344507500, "data": [{"comment": {
        "timestamp": 1344507500, "comment": _mangled("Gracias @[1561444388:2048:Ana Pérez]!"),
        "author": "Lucas Vivo"}}], "title": "Lucas Vivo commented on Ana P\u00c3\u00a9rez's post."}]}))
    load(store, path, comments, options=ImportOptions(account="Lucas Vivo"))
    got = [(r["kind"], r["text"], r["mentions"]) for r in rows(store, order="created_at")]
    assert got == [
        ("original", "Rodrigo Álvarez Ana Pérez, mirad esto", ["Luis Vivo", "Rodrigo Álvarez", "Ana Pérez"]),
        ("reply", "Gracias Ana Pérez!", ["Ana Pérez"]),
    ]
    # the id is made from the text as written, so that a store filled before keeps its ids
    key = "\x1f".join(["Lucas Vivo", "post", "1344507432", raw, ""])
    assert rows(store, "kind = 'original'")[0]["post_id"] == "fbx:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def test_facebook_a_link_written_url_encoded_is_decoded(store: Store, tmp_path: Path) -> None:
    # a real export of 2008-2013 writes some shared links as http%3A%2F%2F...: they were dropped
    path = _posts_file(tmp_path, [
        {"timestamp": 1205000000, "attachments": [{"data": [{"external_context": {
            "url": "http%3A%2F%2Fwww.news.example%2F2008%2F03%2F09%2Fstory-98487%2F"}}]}],
         "data": [], "title": "Lucas Vivo ha compartido un enlace."},
    ])
    load(store, path, options=ImportOptions(account="Lucas Vivo"))
    assert [r["urls"] for r in rows(store)] == [["http://www.news.example/2008/03/09/story-98487/"]]


def test_facebook_a_post_written_on_someone_elses_timeline_mentions_them(store: Store, tmp_path: Path) -> None:
    # "X wrote on Y's timeline." is a message to Y on Y's page (427 posts of one real export, 22 more
    # without a name): it was an original addressed to nobody, so the audit counted it as broadcast.
    path = _posts_file(tmp_path, [
        {"timestamp": 1400000001, "data": [{"post": "Joyeux anniversaire !"}],
         "title": "Lucas Vivo wrote on Ana Pérez's timeline."},
        {"timestamp": 1400000002, "data": [], "title": "Lucas Vivo added 3 new photos to Club Ciclista's timeline.",
         "attachments": [{"data": [{"media": {"uri": f"photos/{n}.jpg"}}]} for n in range(3)]},
        {"timestamp": 1400000003, "data": [{"post": "Bravo"}], "title": "Lucas Vivo a écrit sur le journal d’Élise."},
        {"timestamp": 1400000004, "data": [{"post": "¡Felicidades!"}],
         "title": "Lucas Vivo ha escrito en la biografía de \u200eRodrigo Álvarez\u200e."},
        {"timestamp": 1400000005, "data": [{"post": "Hola"}], "title": "Lucas Vivo wrote on a timeline."},
        {"timestamp": 1400000006, "data": [{"post": "Nuevo logo"}],
         "title": "Lucas Vivo added a new photo to Lucas Vivo's timeline."},
    ])
    load(store, path, options=ImportOptions(account="Lucas Vivo"))
    assert [(r["kind"], r["mentions"]) for r in rows(store, order="created_at")] == [
        ("original", ["Ana Pérez"]), ("original", ["Club Ciclista"]), ("original", ["Élise"]),
        ("original", ["Rodrigo Álvarez"]), ("original", []), ("original", []),
    ]
