"""The Instagram "Download Your Information" importer (posts, reels, stories, comments, owner, Threads)."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.audit import AuditSettings, run_audit
from parlons.errors import InputError, UsageError
from parlons.i18n import translator
from parlons.importers._base import ImportOptions
from parlons.importers.instagram import IMPORTER, mentions
from parlons.report.names import platform_name
from parlons.sources import open_source
from parlons.store import Store

from .conftest import FIXTURES, count, load, rows, zip_folder

EXPORT = FIXTURES / "instagram"
OLD_EXPORT = FIXTURES / "instagram_2022"
POSTS = "your_instagram_activity/media/posts_1.json"
COMMENTS = "your_instagram_activity/comments/post_comments_1.json"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_instagram_whole_rows(store: Store) -> None:
    report = load(store, EXPORT, now=NOW)
    file = report.files[0]
    assert file.formats == {"instagram": 7}
    assert file.skipped == {"record without a timestamp": 2}
    assert [(s.member, s.record) for s in file.examples] == [(COMMENTS, "2"), (POSTS, "2")]
    assert file.known == [
        "connections/followers_and_following/followers_1.json",
        "media/posts/202403/431297712_1803_n.jpg",
        "personal_information/personal_information/personal_information.json",
        "your_instagram_activity/likes/liked_posts.json",
    ]
    assert file.unknown == []
    first = rows(store, order="created_at")[0]
    assert first == {
        "platform": "instagram", "post_id": "igx:3994c9d33f887deddb5d9ce2", "account": "pelican.theatre",
        "account_id": None, "account_name": "Théâtre du Pélican", "created_at": "2024-03-02T12:00:00Z",
        "text": "Les décors sont prêts ✨ Merci @lea.martin et @Compagnie_Zephyr ! #théâtre #Lyon",
        "html": None, "title": None, "lang": None, "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None, "quote_of_id": None,
        "mentions": ["lea.martin", "compagnie_zephyr"], "hashtags": ["théâtre", "Lyon"], "urls": [],
        "media_count": 1, "media_kinds": ["image"], "source": "FB", "like_count": None, "repost_count": None,
        "reply_count": None, "quote_count": None, "permalink": None, "source_file": str(EXPORT),
        "source_member": POSTS, "source_record": "0", "importer": "instagram", "importer_version": "0.1.0",
        "imported_at": "2026-01-02T03:04:05Z",
    }


def test_instagram_posts_reels_stories_and_comments(store: Store) -> None:
    load(store, EXPORT)
    got = [(r["created_at"], r["kind"], r["text"], r["in_reply_to_account"], r["media_count"], r["media_kinds"],
            r["source_member"].rsplit("/", 1)[1]) for r in rows(store, order="created_at")]
    assert got == [
        ("2024-03-02T12:00:00Z", "original",
         "Les décors sont prêts ✨ Merci @lea.martin et @Compagnie_Zephyr ! #théâtre #Lyon", None, 1, ["image"],
         "posts_1.json"),
        ("2024-03-02T18:00:00Z", "reply", "Merci à vous ! 🙏", "jeanne.dupre", None, [], "post_comments_1.json"),
        ("2024-03-03T12:00:00Z", "original",
         "Première de « La Mouette » ce soir. Billets : https://pelican.example/billets", None, 2,
         ["image", "video"], "posts_1.json"),
        ("2024-03-03T18:00:00Z", "reply", "@marc_oneil les billets sont en ligne : https://pelican.example/billets",
         "pelican.theatre", None, [], "post_comments_1.json"),
        ("2024-03-04T12:00:00Z", "original", "Dans les coulisses 🎬", None, 1, ["video"], "reels.json"),
        ("2024-03-05T12:00:00Z", "original", "", None, 1, ["image"], "stories.json"),
        ("2024-03-05T18:00:00Z", "reply", "Quelle énergie !", "ville.de.lyon", None, [], "reels_comments.json"),
    ]
    carousel = rows(store, "media_count = 2")[0]
    assert carousel["urls"] == ["https://pelican.example/billets"]


def test_instagram_owner_from_personal_information(store: Store) -> None:
    load(store, EXPORT)
    owner = store.con.execute("SELECT account, display_name, url, is_owner FROM accounts").fetchall()
    assert owner == [("pelican.theatre", "Théâtre du Pélican", "https://www.instagram.com/pelican.theatre/", True)]


def test_instagram_older_content_layout(store: Store) -> None:
    report = load(store, OLD_EXPORT)
    assert report.files[0].formats == {"instagram": 2}
    got = [(r["kind"], r["text"], r["in_reply_to_account"], r["source_member"])
           for r in rows(store, order="created_at")]
    assert got == [
        ("original", "Soirée d’ouverture 🎉", None, "content/posts_1.json"),
        ("reply", "Merci, c’était une belle soirée !", "jeanne.dupre", "comments/post_comments.json"),
    ]


def test_instagram_ids_follow_the_documented_recipe(store: Store) -> None:
    load(store, OLD_EXPORT)
    key = "\x1f".join(["pelican.theatre", "media", "1652032800", "Soirée d’ouverture 🎉", "2781_n.jpg"])
    expected = "igx:" + hashlib.sha256(key.encode()).hexdigest()[:24]
    assert [r["text"] for r in rows(store, f"post_id = '{expected}'")] == ["Soirée d’ouverture 🎉"]


def test_instagram_newer_overlapping_export_adds_only_new_posts(store: Store, tmp_path: Path) -> None:
    load(store, EXPORT)
    newer = tmp_path / "newer"
    shutil.copytree(EXPORT, newer)
    posts_file = newer / POSTS
    items = json.loads(posts_file.read_text())
    items.insert(0, {"media": [{"uri": "media/posts/202404/440000001_n.jpg", "creation_timestamp": 1712000000,
                                "title": "Nouvelle saison"}]})
    posts_file.write_text(json.dumps(items, indent=2))
    again = load(store, zip_folder(newer, tmp_path / "instagram-pelican.theatre-2024-04.zip"))
    assert (again.merge.inserted, again.merge.already_stored) == (1, 7)


def test_instagram_without_personal_information_needs_account(store: Store, tmp_path: Path) -> None:
    lonely = tmp_path / "posts_1.json"
    shutil.copy(EXPORT / POSTS, lonely)
    with pytest.raises(InputError, match=r"personal_information\.json \(`profile_user`\) is missing"):
        load(store, lonely)
    load(store, lonely, options=ImportOptions(account="@Pelican.Theatre"))
    assert count(store, "SELECT count(*) FROM posts WHERE account = 'pelican.theatre'") == 2


def test_instagram_truncated_json_names_the_member(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "export"
    shutil.copytree(EXPORT, broken)
    reels = broken / "your_instagram_activity/media/reels.json"
    reels.write_text(reels.read_text()[:120])
    with pytest.raises(InputError) as caught:
        load(store, broken)
    assert caught.value.member == "your_instagram_activity/media/reels.json"
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_instagram_comment_labels_in_another_language(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(OLD_EXPORT, folder)
    (folder / "comments" / "post_comments.json").write_text(json.dumps({"comments_media_comments": [
        {"string_map_data": {"Komentarz": {"value": "Brawo!"}, "Właściciel": {"value": "teatr.nowy"},
                             "Czas": {"timestamp": 1652036400}}}]}))
    load(store, folder)
    got = [(r["text"], r["in_reply_to_account"], r["created_at"]) for r in rows(store, "kind = 'reply'")]
    assert got == [("Brawo!", "teatr.nowy", "2022-05-08T19:00:00Z")]


def test_instagram_detection_is_by_content(tmp_path: Path) -> None:
    (tmp_path / "renamed.json").write_text('[\n  {\n    "media": [\n      {"uri": "a.jpg"}\n    ]\n  }\n]')
    (tmp_path / "posts_2.json").write_text("[]")
    (tmp_path / "comments.json").write_text('[{"string_map_data": {"Comment": {"value": "x"}}}]')
    (tmp_path / "followers_1.json").write_text('[{"title": "", "string_list_data": []}]')
    (tmp_path / "stories.json").write_text('{"ig_stories": []}')
    with open_source(tmp_path) as source:
        found = {m.name: IMPORTER.detect(m) for m in source.members}
    assert found == {"comments.json": True, "followers_1.json": False, "posts_2.json": True,
                     "renamed.json": True, "stories.json": True}


def test_instagram_mentions_keep_dotted_handles() -> None:
    assert mentions("Merci @lea.martin. Et @Cafe_Lumiere, contact@pelican.example @lea.martin") == [
        "lea.martin", "cafe_lumiere"]


THREADS_PROFILE = {"text_post_app_profile": [{"string_map_data": {
    "Name": {"href": "", "value": "Th\u00c3\u00a9\u00c3\u00a2tre du P\u00c3\u00a9lican", "timestamp": 0},
    "Biography": {"href": "", "value": "Sur Threads aussi", "timestamp": 0}}}]}


def test_instagram_export_holding_threads_keeps_its_owner(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    (folder / "threads").mkdir()  # shallower than Instagram's own personal_information.json
    (folder / "threads" / "personal_information.json").write_text(json.dumps(THREADS_PROFILE))
    report = load(store, zip_folder(folder, tmp_path / "instagram-pelican.theatre-2024.zip"))
    assert report.files[0].formats == {"instagram": 7}
    assert "threads/personal_information.json" in report.files[0].known
    assert store.con.execute("SELECT account, is_owner FROM accounts").fetchall() == [("pelican.theatre", True)]
    assert count(store, "SELECT count(DISTINCT account) FROM posts") == 1


def test_instagram_threads_profile_alone_leaves_the_owner_to_account(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    shutil.rmtree(folder / "personal_information")
    (folder / "threads").mkdir()
    (folder / "threads" / "personal_information.json").write_text(json.dumps(THREADS_PROFILE))
    with pytest.raises(InputError, match=r"personal_information\.json \(`profile_user`\) is missing"):
        load(store, folder)
    report = load(store, folder, options=ImportOptions(account="pelican.theatre"))
    assert report.files[0].formats == {"instagram": 7}
    assert count(store, "SELECT count(*) FROM posts WHERE account = 'pelican.theatre'") == 7


def test_instagram_comments_as_string_list_data(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    comments = folder / "your_instagram_activity" / "comments"
    (comments / "reels_comments.json").unlink()
    (comments / "post_comments_1.json").write_text(json.dumps({"comments_media_comments": [
        {"title": "jeanne.dupre", "string_list_data": [
            {"value": "Merci \u00c3\u00a0 vous ! @lea.martin", "timestamp": 1709402400}]},
        {"title": "", "string_list_data": [{"value": "Bravo", "timestamp": 1709488800}]},
        {"title": "marc_oneil", "string_list_data": [{"value": "sans date"}]}]}, indent=2))
    report = load(store, folder)
    assert report.files[0].skipped == {"record without a timestamp": 2}
    assert [(s.member, s.record) for s in report.files[0].examples] == [
        ("your_instagram_activity/comments/post_comments_1.json", "2"),
        ("your_instagram_activity/media/posts_1.json", "2")]
    got = [(r["text"], r["in_reply_to_account"], r["created_at"], r["mentions"])
           for r in rows(store, "kind = 'reply'", order="created_at")]
    assert got == [("Merci à vous ! @lea.martin", "jeanne.dupre", "2024-03-02T18:00:00Z", ["lea.martin"]),
                   ("Bravo", None, "2024-03-03T18:00:00Z", [])]


def test_instagram_comment_time_on_the_comment_entry(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(OLD_EXPORT, folder)
    (folder / "comments" / "post_comments.json").write_text(json.dumps({"comments_media_comments": [
        {"string_map_data": {"Comment": {"value": "Superbe soirée", "timestamp": 1716949201},
                             "Media Owner": {"value": "teatr.nowy"}}}]}))
    load(store, folder)
    got = [(r["text"], r["in_reply_to_account"], r["created_at"]) for r in rows(store, "kind = 'reply'")]
    assert got == [("Superbe soirée", "teatr.nowy", "2024-05-29T02:20:01Z")]


# --- Threads inside an Instagram export --------------------------------------------------------

THREADS = FIXTURES / "instagram_threads" / "threads_and_replies.json"
THREADS_MEMBER = "your_instagram_activity/threads/threads_and_replies.json"


def _with_threads(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(EXPORT, folder)
    (folder / "your_instagram_activity" / "threads").mkdir()
    shutil.copy(THREADS, folder / THREADS_MEMBER)
    (folder / "threads").mkdir()
    (folder / "threads" / "personal_information.json").write_text(json.dumps(THREADS_PROFILE))
    return folder


def test_instagram_export_imports_its_threads_posts(store: Store, tmp_path: Path) -> None:
    report = load(store, zip_folder(_with_threads(tmp_path), tmp_path / "instagram-pelican.theatre-2024.zip"))
    file = report.files[0]
    assert file.formats == {"instagram": 10}  # 7 Instagram posts and comments, 3 Threads posts
    assert file.skipped == {"record without a timestamp": 3}
    assert (THREADS_MEMBER, "3") in [(s.member, s.record) for s in file.examples]
    assert THREADS_MEMBER not in file.known and "threads/personal_information.json" in file.known
    got = [(r["post_id"], r["account"], r["account_name"], r["created_at"], r["kind"], r["text"],
            r["in_reply_to_account"], r["mentions"], r["hashtags"], r["urls"], r["media_count"], r["media_kinds"],
            r["source"], r["permalink"], r["source_record"])
           for r in rows(store, "platform = 'threads'", order="created_at")]
    ids = [hashlib.sha256("\x1f".join(["pelican.theatre", "threads", stamp, text, first]).encode()).hexdigest()[:24]
           for stamp, text, first in [
               ("1717236000", "Ce soir au Pélican : lecture publique à 19 h, entrée libre. Vous venez ? #théâtre", ""),
               ("1717239600", "@Lea.Martin Oui, il reste des places ✨", ""),
               ("1717326000", "Les coulisses du spectacle https://pelican.example/coulisses", "coulisses_1.jpg")]]
    assert got == [
        (f"thx:{ids[0]}", "pelican.theatre", "Théâtre du Pélican", "2024-06-01T10:00:00Z", "original",
         "Ce soir au Pélican : lecture publique à 19 h, entrée libre. Vous venez ? #théâtre", None, [], ["théâtre"],
         [], 0, [], None, None, "0"),
        # a reply: the export does not say to whom
        (f"thx:{ids[1]}", "pelican.theatre", "Théâtre du Pélican", "2024-06-01T11:00:00Z", "reply",
         "@Lea.Martin Oui, il reste des places ✨", None, ["lea.martin"], [], [], 0, [], None, None, "1"),
        (f"thx:{ids[2]}", "pelican.theatre", "Théâtre du Pélican", "2024-06-02T11:00:00Z", "original",
         "Les coulisses du spectacle https://pelican.example/coulisses", None, [], [],
         ["https://pelican.example/coulisses"], 2, ["image", "video"], "IG", None, "2"),
    ]
    assert store.con.execute("SELECT platform, account, display_name, url, is_owner FROM accounts "
                             "ORDER BY platform").fetchall() == [
        ("instagram", "pelican.theatre", "Théâtre du Pélican", "https://www.instagram.com/pelican.theatre/", True),
        ("threads", "pelican.theatre", "Théâtre du Pélican", "https://www.threads.net/@pelican.theatre", True)]
    again = load(store, _with_threads(tmp_path / "again"))
    assert (again.merge.inserted, again.merge.already_stored) == (0, 10)


def test_threads_posts_are_audited_like_any_platform(store: Store, tmp_path: Path) -> None:
    load(store, _with_threads(tmp_path))
    with pytest.raises(UsageError, match=r"is on several platforms: instagram \(7 posts\), threads \(3 posts\)"):
        run_audit(store.con, ["pelican.theatre"])
    audit = run_audit(store.con, ["threads:Pelican.Theatre"], settings=AuditSettings(min_n=1))[0]
    assert (audit.account, audit.platform) == ("pelican.theatre", "threads")
    assert audit.conversation.posts == 3
    assert audit.conversation.replies_to_others_share.value == round(1 / 3, 4)
    assert audit.coverage.responsiveness.status == "unknown"  # the owner's own archive holds no requests
    assert [(s.importer, s.holds_requests) for s in audit.coverage.sources] == [("instagram", False)]
    assert platform_name(translator("fr"), "threads") == "Threads"
