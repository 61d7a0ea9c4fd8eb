"""The X/Twitter account archive importer (tweets.js / tweet.js, multi-part, account.js)."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from parlons.errors import InputError
from parlons.sources import Member
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows, zip_folder

ARCHIVE = FIXTURES / "x_archive"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_x_archive_whole_rows(store: Store) -> None:
    report = load(store, ARCHIVE, now=NOW)
    assert report.files[0].formats == {"x-archive": 4}
    assert report.files[0].known == ["data/account.js", "data/manifest.js", "data/profile.js"]
    assert report.files[0].unknown == ["data/notes.txt"]
    first, reply, repost, quote = rows(store)
    assert first == {
        "platform": "x", "post_id": "1700000000000000001", "account": "MairieDeBrest",
        "account_id": "900000000000000001", "account_name": "Mairie de Brest",
        "created_at": "2023-09-11T08:30:00Z",
        "text": "Le marché de Noël ouvre à #Brest samedi ! Tout le programme & les horaires : "
                "https://t.co/abc",
        "html": None, "title": None, "lang": "fr", "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None,
        "quote_of_id": None, "mentions": [], "hashtags": ["Brest"],
        "urls": ["https://brest.example/agenda"], "media_count": 0, "media_kinds": [],
        "source": "Twitter Web App", "like_count": 12, "repost_count": 3, "reply_count": None,
        "quote_count": None, "permalink": "https://x.com/MairieDeBrest/status/1700000000000000001",
        "source_file": str(ARCHIVE), "source_member": "data/tweets-part1.js",
        "source_record": "1700000000000000001", "importer": "x-archive",
        "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }
    assert (reply["kind"], reply["in_reply_to_id"], reply["in_reply_to_account"],
            reply["in_reply_to_account_id"], reply["mentions"], reply["source"]) == (
        "reply", "1700000000000000099", "jeanne_b", "55", ["jeanne_b"], "TweetDeck")
    assert (repost["kind"], repost["repost_of_account"], repost["text"], repost["source"],
            repost["source_member"]) == (
        "repost", "ouest_info", "RT @ouest_info: Travaux rue de Siam <cette semaine> https://t.co/x",
        "IFTTT", "data/tweets-part2.js")
    assert (repost["like_count"], repost["repost_count"]) == (None, None)
    assert (quote["kind"], quote["quote_of_id"], quote["lang"], quote["media_count"],
            quote["media_kinds"]) == ("quote", "1699999999999999999", None, 2, ["image", "video"])


def test_x_archive_owner_from_account_js(store: Store) -> None:
    load(store, ARCHIVE)
    owner = store.con.execute(
        "SELECT account, account_id, display_name, is_owner, strftime(created_at, '%Y-%m-%d') "
        "FROM accounts WHERE is_owner").fetchall()
    assert owner == [("MairieDeBrest", "900000000000000001", "Mairie de Brest", True, "2012-03-01")]


def test_x_archive_zip_gives_same_rows_as_folder(store: Store, tmp_path: Path) -> None:
    archive = zip_folder(ARCHIVE, tmp_path / "twitter-2023.zip")
    load(store, archive)
    assert count(store, "SELECT count(*) FROM posts") == 4
    assert count(store, "SELECT count(DISTINCT source_member) FROM posts") == 2


def test_x_archive_reimport_adds_nothing(store: Store) -> None:
    load(store, ARCHIVE)
    again = load(store, ARCHIVE)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 4)
    assert count(store, "SELECT count(*) FROM posts") == 4


def test_x_archive_without_account_js_needs_account(store: Store, tmp_path: Path) -> None:
    lonely = tmp_path / "tweets.js"
    shutil.copy(ARCHIVE / "data" / "tweets-part1.js", lonely)
    with pytest.raises(InputError, match=r"account\.js is missing"):
        load(store, lonely)
    from parlons.importers._base import ImportOptions

    load(store, lonely, options=ImportOptions(account="@MairieDeBrest"))
    assert count(store, "SELECT count(*) FROM posts WHERE account = 'MairieDeBrest'") == 2


def test_x_archive_wrong_wrapper_is_named(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "tweets.js"
    bad.write_text("window.YTD.likes.part0 = []")
    with pytest.raises(InputError, match="known but holds no posts"):
        load(store, bad)
    with pytest.raises(InputError, match=r"expected the JavaScript wrapper"):
        load(store, bad, forced="x-archive")


def test_x_archive_truncated_json_leaves_store_untouched(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE)
    broken = tmp_path / "archive"
    shutil.copytree(ARCHIVE, broken)
    part = broken / "data" / "tweets-part2.js"
    part.write_text(part.read_text()[:700])
    with pytest.raises(InputError) as caught:
        load(store, broken)
    assert "member data/tweets-part" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 4


def test_x_archive_malformed_json_names_its_member_not_the_copy_read(store: Store, tmp_path: Path) -> None:
    """DuckDB reads a copy of each part without its JavaScript prefix: its failure names the part."""
    broken = tmp_path / "archive"
    shutil.copytree(ARCHIVE, broken)
    part = broken / "data" / "tweets-part2.js"
    part.write_text(part.read_text().replace('"full_text"', 'full_text"', 1))
    with pytest.raises(InputError) as caught:
        load(store, broken)
    message = str(caught.value)
    assert message.startswith(f"file {broken}, member data/tweets-part2.js: cannot be read as x-archive: ")
    assert 'Malformed JSON in file "data/tweets-part2.js"' in message  # DuckDB's words, the copy's path replaced
    assert "parlons-run-" not in message and ".json" not in message
    assert count(store, "SELECT count(*) FROM posts") == 0


@needs_samples
def test_x_archive_real_organization_sample(store: Store) -> None:
    load(store, SAMPLES / "twitter_archive_rtiatmla" / "data")
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds == {"original": 44, "reply": 14, "repost": 12}
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'reply' "
                        "AND in_reply_to_account = 'RTIatMLA'") == 14
    sources = dict(store.con.execute("SELECT source, count(*) FROM posts GROUP BY 1").fetchall())
    assert sources == {"TweetDeck": 41, "Twitter Web App": 27, "TweetMySlides": 2}
    reply = rows(store, "post_id = '1393189978138550275'")[0]
    assert (reply["in_reply_to_id"], reply["created_at"], reply["hashtags"], reply["urls"]) == (
        "1393189976771158021", "2021-05-14T13:02:29Z", ["mlanet21"], ["https://cdmcd.co/bYKaJq"])


def test_x_archive_array_ending_with_a_semicolon(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE, now=NOW)
    expected = [{k: v for k, v in r.items() if k != "source_file"} for r in rows(store)]
    ended = tmp_path / "archive"
    shutil.copytree(ARCHIVE, ended)
    for name in ("tweets-part1.js", "tweets-part2.js", "account.js"):
        path = ended / "data" / name
        path.write_text(path.read_text().rstrip() + ";\n")
    with Store(tmp_path / "other.duckdb") as other:
        load(other, ended, now=NOW)
        assert [{k: v for k, v in r.items() if k != "source_file"} for r in rows(other)] == expected


def test_x_archive_truncated_array_is_named_without_scratch_files(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "archive"
    shutil.copytree(ARCHIVE, broken)
    part = broken / "data" / "tweets-part2.js"
    part.write_text(part.read_text().rstrip().rstrip("]"))
    with pytest.raises(InputError) as caught:
        load(store, broken)
    assert str(caught.value) == (f"file {broken}, member data/tweets-part2.js: the JavaScript array does not "
                                 "end with `]` (nor `];`): the file is truncated")


def _tweet(tweet_id: str, text: str, urls: list[str]) -> dict[str, Any]:
    return {"tweet": {"id_str": tweet_id, "created_at": "Tue Sep 12 08:30:00 +0000 2023", "full_text": text,
                      "lang": "fr", "entities": {"user_mentions": [], "hashtags": [],
                                                  "urls": [{"expanded_url": u} for u in urls]}}}


def test_x_archive_a_link_to_a_status_photo_is_neither_a_link_nor_a_quote(store: Store, tmp_path: Path) -> None:
    """A real archive lists the link to a tweet's own photo among its URLs: the tweet was taken as a quote of
    itself. A status's photo or video is not a link of the post (as for the other X importers), nor a quote; a
    status itself, another's, is."""
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    part = folder / "data" / "tweets-part1.js"
    prefix, _, array = part.read_text().partition("= ")
    added = [
        _tweet("1700000000000000201", "Cinéma https://t.co/a https://t.co/b",
               ["https://ray.example/x", "https://twitter.com/MairieDeBrest/status/1700000000000000201/photo/1"]),
        _tweet("1700000000000000202", "Regardez https://t.co/c",
               ["https://twitter.com/voisine/status/1699999999999999990/photo/1"]),
        _tweet("1700000000000000203", "Bien dit https://t.co/d",
               ["https://x.com/voisine/status/1699999999999999991"]),
        _tweet("1700000000000000204", "Mon fil https://t.co/e",
               ["https://x.com/MairieDeBrest/status/1700000000000000204"]),
    ]
    part.write_text(prefix + "= " + json.dumps([*json.loads(array), *added]))
    load(store, folder)
    found = {r["post_id"]: (r["kind"], r["quote_of_id"], r["urls"])
             for r in rows(store, "post_id > '17000000000000002'")}
    assert found == {
        "1700000000000000201": ("original", None, ["https://ray.example/x"]),
        "1700000000000000202": ("original", None, []),
        "1700000000000000203": ("quote", "1699999999999999991", ["https://x.com/voisine/status/1699999999999999991"]),
        "1700000000000000204": ("original", None, ["https://x.com/MairieDeBrest/status/1700000000000000204"]),
    }


def _compact_archive(folder: Path, bom: bytes = b"", tail: str = "\n") -> Path:
    """The fixture archive with its tweets on one line each, the array right after ``[``."""
    shutil.copytree(ARCHIVE, folder)
    for part in ("tweets-part1.js", "tweets-part2.js"):
        path = folder / "data" / part
        prefix, _, array = path.read_text().partition("= ")
        items = json.loads(array)
        path.write_bytes(bom + (prefix + "= [" + ",\n".join(json.dumps(i) for i in items) + "]" + tail).encode())
    return folder


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
@pytest.mark.parametrize("zipped", [False, True])
def test_x_archive_compact_array_with_or_without_bom(store: Store, tmp_path: Path, bom: bytes,
                                                     zipped: bool) -> None:
    load(store, ARCHIVE, now=NOW)
    expected = [(r["post_id"], r["text"], r["source_member"]) for r in rows(store)]
    folder = _compact_archive(tmp_path / "archive", bom)
    with Store(tmp_path / "other.duckdb") as other:
        load(other, zip_folder(folder, tmp_path / "a.zip") if zipped else folder, now=NOW)
        assert [(r["post_id"], r["text"], r["source_member"]) for r in rows(other)] == expected


def test_x_archive_long_blank_tail_is_read_and_a_cut_one_is_named(store: Store, tmp_path: Path) -> None:
    folder = _compact_archive(tmp_path / "archive", tail=" \n" * 70_000 + ";\n\n")
    load(store, folder)
    assert count(store, "SELECT count(*) FROM posts") == 4
    part = folder / "data" / "tweets-part2.js"
    text = part.read_text()
    part.write_text(text[:text.rindex("]")] + "\n" * 70_000)
    with pytest.raises(InputError) as caught:
        load(store, folder)
    assert str(caught.value).endswith("member data/tweets-part2.js: the JavaScript array does not end with `]` "
                                      "(nor `];`): the file is truncated")


def test_x_archive_without_kernel_copy_reads_the_same(store: Store, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> int:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    load(store, ARCHIVE, now=NOW)
    first = rows(store)[0]
    assert (first["post_id"], first["text"][:20], first["source_member"]) == (
        "1700000000000000001", "Le marché de Noël ou", "data/tweets-part1.js")
    assert count(store, "SELECT count(*) FROM posts") == 4


def test_x_archive_parts_take_turns_in_one_scratch_copy(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from parlons.importers import x_archive

    copies: list[tuple[Path, int, int]] = []
    strip = x_archive.strip_js_wrapper

    def noted(member: Member, pattern: re.Pattern[str], what: str, target: Path | None = None) -> Path:
        path = strip(member, pattern, what, target)
        copies.append((path, path.stat().st_ino, path.stat().st_size))
        return path

    monkeypatch.setattr(x_archive, "strip_js_wrapper", noted)
    monkeypatch.setattr(x_archive, "PARTS_AT_ONCE", 1)  # one part a query, as on one core
    report = load(store, ARCHIVE, now=NOW)
    assert report.files[0].formats == {"x-archive": 4}
    assert len(copies) == 2 and copies[0][0] != copies[1][0]  # each part's copy has a name of its own
    assert copies[0][1] == copies[1][1]  # but the second is written over the first's file
    assert copies[0][2] > copies[1][2]  # and cut to its own, shorter, length: every row read once
    assert count(store, "SELECT count(DISTINCT post_id) FROM posts") == 4


# --- Long posts: their whole text is in note-tweet.js -------------------------------------------------------

LONG = ("Le conseil municipal se réunit jeudi à 18 h. À l'ordre du jour : le budget participatif, "
        "les travaux de la rue de Siam (voir https://t.co/AAAA) et la nouvelle médiathèque. Vos questions sont "
        "les bienvenues : répondez ici ou écrivez-nous, nous lirons chacune d'elles en séance. Le compte rendu "
        "sera publié vendredi, avec la vidéo complète de la séance et les documents présentés.")


def _note(note_id: str, created: str, text: str, **core: list[dict[str, str]]) -> dict[str, object]:
    return {"noteTweet": {"noteTweetId": note_id, "createdAt": created, "updatedAt": created,
                          "lifecycle": {"name": "Active"},
                          "core": {"text": text, "urls": core.get("urls", []), "mentions": core.get("mentions", []),
                                   "hashtags": core.get("hashtags", []), "cashtags": [], "styletags": []}}}


def _long_posts_archive(folder: Path) -> Path:
    """The fixture archive with long posts cut short in tweets.js and whole in note-tweet.js, as X writes them
    (the note's id is not the post's; the same link has another t.co code in each)."""
    shutil.copytree(ARCHIVE, folder)
    cut = LONG[:250].replace("https://t.co/AAAA", "https://t.co/BBBB")
    added = [
        _tweet("1700000000000000301", f"{cut}… https://t.co/self", ["https://x.com/i/web/status/1700000000000000301"]),
        {"tweet": {**_tweet("1700000000000000302", f"@jeanne_b {cut[:200]}… https://t.co/self2",
                            [])["tweet"],
                   "created_at": "Tue Sep 12 09:00:00 +0000 2023", "in_reply_to_status_id_str": "1700000000000000099",
                   "entities": {"user_mentions": [{"screen_name": "jeanne_b"}], "hashtags": [], "urls": []}}},
        {"tweet": {**_tweet("1700000000000000303", "Un autre message de la même seconde", [])["tweet"],
                   "created_at": "Tue Sep 12 09:00:00 +0000 2023"}},
    ]
    part = folder / "data" / "tweets-part1.js"
    prefix, _, array = part.read_text().partition("= ")
    part.write_text(prefix + "= " + json.dumps([*json.loads(array), *added]))
    notes = [
        _note("1700000000000000900", "2023-09-12T08:30:00.000Z", LONG,
              urls=[{"expandedUrl": "https://brest.example/siam", "shortUrl": "https://t.co/AAAA"}],
              hashtags=[{"text": "Brest"}]),
        _note("1700000000000000901", "2023-09-12T09:00:00.000Z", LONG, mentions=[{"screenName": "ouest_info"}]),
        _note("1700000000000000902", "2023-09-13T10:00:00.000Z", "Une note sans message : rien ne lui répond."),
    ]
    (folder / "data" / "note-tweet.js").write_text("window.YTD.note_tweet.part0 = " + json.dumps(notes, indent=2))
    return folder


@pytest.mark.parametrize("zipped", [False, True])
def test_x_archive_long_posts_take_their_whole_text_from_note_tweet_js(store: Store, tmp_path: Path,
                                                                       zipped: bool) -> None:
    folder = _long_posts_archive(tmp_path / "archive")
    source = zip_folder(folder, tmp_path / "a.zip") if zipped else folder
    report = load(store, source)
    assert report.files[0].formats == {"x-archive": 7}
    assert "data/note-tweet.js" in report.files[0].known
    assert report.files[0].notes == ["data/note-tweet.js: 2 of 3 long posts given their whole text; the other 1 "
                                     "match no post this import wrote (stored before, or not exactly one)"]
    found = {r["post_id"]: (r["text"], r["mentions"], r["hashtags"], r["urls"])
             for r in rows(store, "post_id > '17000000000000003'")}
    assert found == {
        "1700000000000000301": (LONG, [], ["Brest"], ["https://x.com/i/web/status/1700000000000000301",
                                                      "https://brest.example/siam"]),
        "1700000000000000302": (f"@jeanne_b {LONG}", ["jeanne_b", "ouest_info"], [], []),
        "1700000000000000303": ("Un autre message de la même seconde", [], [], []),
    }
    again = load(store, source)
    assert again.merge.inserted == 0
    assert again.files[0].notes == ["data/note-tweet.js: 0 of 3 long posts given their whole text; the other 3 "
                                    "match no post this import wrote (stored before, or not exactly one)"]
    assert rows(store, "post_id = '1700000000000000301'")[0]["text"] == LONG


def test_x_archive_unreadable_note_tweet_js_is_named(store: Store, tmp_path: Path) -> None:
    folder = _long_posts_archive(tmp_path / "archive")
    (folder / "data" / "note-tweet.js").write_text('window.YTD.note_tweet.part0 = [{"noteTweet": {"core": 3}}]')
    expected = r"member data/note-tweet\.js: the long posts' file is not the expected JSON"
    with pytest.raises(InputError, match=expected) as caught:
        load(store, folder)
    assert "note-tweet-0.json" not in str(caught.value)  # the scratch copy DuckDB read is named as the member
    assert count(store, "SELECT count(*) FROM posts") == 0


@pytest.mark.parametrize("held", [1, 0], ids=["one community post", "empty"])
def test_x_archive_reads_the_posts_of_communities_from_community_tweet_js(store: Store, tmp_path: Path,
                                                                         held: int) -> None:
    """Posts written in X Communities are in ``community-tweet.js``, not in ``tweets.js`` (a real archive of 2026:
    three, which were reported as "known, not posts")."""
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    posts = [_tweet("1700000000000000401", "Réunion du collectif samedi", [])][:held]
    (folder / "data" / "community-tweet.js").write_text("window.YTD.community_tweet.part0 = " + json.dumps(posts))
    report = load(store, folder)
    assert report.files[0].formats == {"x-archive": 4 + held}
    assert "data/community-tweet.js" not in report.files[0].known
    assert [r["text"] for r in rows(store, "post_id = '1700000000000000401'")] == ["Réunion du collectif samedi"][:held]


def test_x_archive_without_account_js_takes_its_owner_from_manifest_js(store: Store, tmp_path: Path) -> None:
    """Archives shared without ``account.js`` (it holds the e-mail address) often keep ``manifest.js``, whose
    ``userInfo`` names the owner; ``--account`` still wins, and a manifest that names nobody asks for it."""
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    (folder / "data" / "account.js").unlink()
    (folder / "data" / "manifest.js").write_text(
        'window.__THAR_CONFIG = {"userInfo": {"accountId": "900000000000000001", "userName": "MairieDeBrest", '
        '"displayName": "Mairie de Brest"}, "archiveInfo": {"isPartialArchive": false}}')
    report = load(store, folder)
    assert report.files[0].notes == ["account.js is missing; owner taken from data/manifest.js: MairieDeBrest"]
    assert store.con.execute("SELECT DISTINCT account, account_id, account_name FROM posts").fetchall() == [
        ("MairieDeBrest", "900000000000000001", "Mairie de Brest")]
    assert store.con.execute("SELECT account, is_owner FROM accounts").fetchall() == [("MairieDeBrest", True)]
    from parlons.importers._base import ImportOptions

    with Store(tmp_path / "given.duckdb") as given:
        load(given, folder, options=ImportOptions(account="@brest_officiel"))
        assert given.con.execute("SELECT DISTINCT account FROM posts").fetchall() == [("brest_officiel",)]
    (folder / "data" / "manifest.js").write_text('window.__THAR_CONFIG = {"archiveInfo": {}}')
    with Store(tmp_path / "nobody.duckdb") as nobody, pytest.raises(InputError, match=r"account\.js is missing"):
        load(nobody, folder)
