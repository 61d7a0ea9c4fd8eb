"""The Mastodon account archive importer (outbox.json cut into JSON lines for DuckDB, actor.json for the owner)."""

from __future__ import annotations

import html
import json
import random
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pytest

from parlons.errors import InputError
from parlons.importers import mastodon
from parlons.importers._base import ImportOptions
from parlons.importers.mastodon import IMPORTER
from parlons.normalize import html_to_text
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
    folder = _archive_copy(tmp_path)
    (folder / "outbox.json").write_text(json.dumps(outbox))
    report = load(store, folder).files[0]
    assert report.skipped == {
        "direct message, not public": 1, "Create activity without an embedded status": 1,
        "boost without the boosted status's URL": 1, "activity of type 'Like' is not a post": 1,
        "missing created_at": 1}
    assert report.formats == {"mastodon-archive": 6}


def test_mastodon_truncated_outbox_names_member_and_leaves_store(store: Store, tmp_path: Path) -> None:
    load(store, ARCHIVE)
    folder = _archive_copy(tmp_path)
    text = (folder / "outbox.json").read_text()
    (folder / "outbox.json").write_text(text[: len(text) // 2])
    with pytest.raises(InputError) as caught:
        load(store, folder)
    message = str(caught.value)
    assert "member outbox.json" in message and "truncated" in message
    assert count(store, "SELECT count(*) FROM posts") == 6


def test_mastodon_bad_actor_json_is_named(store: Store, tmp_path: Path) -> None:
    folder = _archive_copy(tmp_path)
    (folder / "actor.json").write_text('{"type": "Person"}')
    with pytest.raises(InputError, match=r"member actor\.json.*preferredUsername"):
        load(store, folder)


# --- The fast path: the outbox as Mastodon writes it (one line of compact JSON) -----------------

def _compact(folder: Path, items: list[Any]) -> None:
    """Rewrite ``folder``'s outbox as Mastodon writes it: compact, ``orderedItems`` last."""
    outbox = json.loads((folder / "outbox.json").read_text())
    outbox["orderedItems"] = items
    (folder / "outbox.json").write_bytes(orjson.dumps(outbox))


def _fixture_items() -> list[Any]:
    return list(json.loads((ARCHIVE / "outbox.json").read_text())["orderedItems"])


def _archive_copy(tmp_path: Path) -> Path:
    """A copy of the fixture archive, to edit."""
    folder = tmp_path / "archive"
    shutil.copytree(ARCHIVE, folder)
    return folder


def _without_source_file(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "source_file"} for row in found]


def test_mastodon_compact_outbox_is_cut_without_parsing(store: Store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    load(store, ARCHIVE, now=NOW)
    folder = _archive_copy(tmp_path)
    _compact(folder, _fixture_items())
    monkeypatch.setattr(mastodon, "_rewrite_items", None)  # the ijson path must not be needed
    with Store(tmp_path / "compact.duckdb") as other:
        report = load(other, folder, now=NOW).files[0]
        assert _without_source_file(rows(other)) == _without_source_file(rows(store))
    assert report.skipped == {"direct message, not public": 1}


def test_mastodon_compact_outbox_with_unexpected_items_resumes_with_ijson(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    items = _fixture_items()
    like = {"type": "Like", "object": "https://mastodon.example/users/lea_k/statuses/1"}
    items[4:4] = [like, "https://piaille.example/not-an-activity"]
    folder = _archive_copy(tmp_path)
    _compact(folder, items)
    monkeypatch.setattr(mastodon, "ROWS_PER_BATCH", 2)  # rows are staged before the faulty line
    report = load(store, folder).files[0]
    assert report.skipped == {"direct message, not public": 1, "activity of type 'Like' is not a post": 1,
                              "activity of type None is not a post": 1}
    records = store.con.execute("SELECT source_record FROM posts ORDER BY source_record::INT").fetchall()
    assert [r for (r,) in records] == ["0", "1", "3", "6", "7", "8"]


def test_mastodon_compact_outbox_truncated_after_a_closing_bracket(store: Store, tmp_path: Path) -> None:
    folder = _archive_copy(tmp_path)
    _compact(folder, _fixture_items())
    text = (folder / "outbox.json").read_bytes()
    cut = text.index(b"}]}") + 3  # ends like a whole outbox, but inside an activity
    (folder / "outbox.json").write_bytes(text[:cut])
    with pytest.raises(InputError, match=r"(?s)member outbox\.json.*truncated"):
        load(store, folder)
    assert count(store, "SELECT count(*) FROM posts") == 0


def _key_twice(folder: Path, indent: bool) -> None:
    """Rewrite ``folder``'s outbox with ``orderedItems`` twice, empty then full, as a real archive exported in
    July 2024 holds it (1,586 activities after ``"orderedItems":[],``: parlons imported none of them)."""
    outbox = json.loads((folder / "outbox.json").read_text())
    outbox["orderedItems"] = []
    text = json.dumps(outbox, indent=2 if indent else None, separators=None if indent else (",", ":"))
    empty = '"orderedItems": []' if indent else '"orderedItems":[]'
    assert text.count(empty) == 1
    items = json.dumps(_fixture_items(), indent=2 if indent else None, separators=None if indent else (",", ":"))
    (folder / "outbox.json").write_text(text.replace(empty, f"{empty},{chr(10) if indent else ''}"
                                                            f'"orderedItems":{items}'))


@pytest.mark.parametrize("indent", [False, True], ids=["compact, cut", "indented, ijson"])
def test_mastodon_outbox_with_its_items_key_twice_reads_the_full_array(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: bool) -> None:
    load(store, ARCHIVE, now=NOW)
    folder = _archive_copy(tmp_path)
    _key_twice(folder, indent)
    renamed = folder / "outbox-2024.json"  # detected by its content, not its name
    (folder / "outbox.json").rename(renamed)
    (folder / "actor.json").rename(tmp_path / "actor.json")
    if not indent:
        monkeypatch.setattr(mastodon, "_rewrite_items", None)  # the cut reads the second array itself
    with Store(tmp_path / "twice.duckdb") as other:
        report = load(other, folder, now=NOW, options=ImportOptions(account=OWNER)).files[0]
        assert report.formats == {"mastodon-archive": 6}
        assert report.skipped == {"direct message, not public": 1}
        found = [{k: v for k, v in row.items() if k not in ("source_file", "source_member")} for row in rows(other)]
        expected = [{k: v for k, v in row.items() if k not in ("source_file", "source_member")} for row in rows(store)]
        assert [row["post_id"] for row in found] == [row["post_id"] for row in expected]
        assert [row["text"] for row in found] == [row["text"] for row in expected]
        assert [row["source_record"] for row in found] == [row["source_record"] for row in expected]


def test_mastodon_empty_outbox(store: Store, tmp_path: Path) -> None:
    folder = _archive_copy(tmp_path)
    _compact(folder, [])
    assert load(store, folder).files[0].formats == {"mastodon-archive": 0}


# --- HTML to text in SQL agrees with normalize.html_to_text -------------------------------------

WORDS = ("l'atelier", "médiathèque", "vélo", "C'est", "aujourd'hui", "\"gratuit\"", "5 < 6", "a > b", "R&D",
         "😀", "œuvre", "Noël", "hello", "it's", "«citation»", "2024", "#BD", "@voisine")
ODD = ("&nbsp;", "&#8217;", "&#x1F600;", "&#150;", "&apos;", "&amp;lt;", "&#38;", "&#0;", "&#xD800;",
       "&#1114112;", "<BR>", "<br/>", "<br>", "\n", "\r\n", "<br /><br /><br />", "<!-- note -->",
       "<strong>gras</strong>", "<em>x</em>", "<p></p>", "&#160;", " ", "<script>alert(1)</script>",
       "<span class=\"invisible\">x</span>", "&amp;#39;")


def _escaped(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def _anchor(rng: random.Random, i: int) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return ('<span class="h-card" translate="no"><a href="https://mastodon.example/@lea_k" '
                'class="u-url mention">@<span>lea_k</span></a></span>')
    if kind == 1:
        return '<a href="https://piaille.example/tags/velo" class="mention hashtag" rel="tag">#<span>Vélo</span></a>'
    return (f'<a href="https://site.example/p/{i}?a=1&amp;b=2" target="_blank" rel="nofollow noopener noreferrer" '
            f'translate="no"><span class="invisible">https://</span><span class="ellipsis">site.example/p/'
            f'</span><span class="invisible">{i}?a=1&amp;b=2</span></a>')


def _paragraph(rng: random.Random, i: int) -> str:
    parts = []
    for _ in range(rng.randint(1, 10)):
        pick = rng.random()
        if pick < 0.15:
            parts.append(_anchor(rng, i))
        elif pick < 0.22:
            parts.append("<br />")
        elif pick < 0.3:
            parts.append(rng.choice(ODD))
        else:
            parts.append(_escaped(rng.choice(WORDS)))
    return (" " if rng.random() < 0.9 else "").join(parts)


def _mastodon_html(rng: random.Random, i: int) -> str:
    paragraphs = [_paragraph(rng, i) for _ in range(rng.choice((1, 1, 2, 3)))]
    layout = i % 7
    if layout == 1:
        return "<p>" + "</p>\n<p>".join(paragraphs) + "</p>"
    if layout == 2:
        return " " + "<br>".join(paragraphs) + "\n"
    if layout == 3:
        return "<div>" + "</div><div>".join(paragraphs) + "</div>"
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _sql_texts(htmls: list[str | None]) -> list[str]:
    con = duckdb.connect()
    con.register("samples", pa.table({"n": list(range(len(htmls))), "content": htmls}))
    found = con.execute(f"WITH {mastodon.html_text_sql('samples')} SELECT body FROM texts ORDER BY n").fetchall()
    return [body for (body,) in found]


def test_mastodon_html_to_text_in_sql_agrees_with_normalize() -> None:
    rng = random.Random(5)
    fixtures = [item["object"]["content"] for item in _fixture_items() if isinstance(item["object"], dict)]
    htmls: list[str | None] = [*fixtures, *(_mastodon_html(rng, i) for i in range(400)), None, "", "plain"]
    assert _sql_texts(htmls) == [html_to_text(h) for h in htmls]


def test_mastodon_html_to_text_in_sql_known_differences() -> None:
    """Named references other than Mastodon's are left as written; a `>` inside an attribute ends
    the tag (Mastodon escapes it)."""
    htmls: list[str | None] = ["<p>caf&eacute;</p>", '<p><a title="a>b" href="x">lien</a></p>']
    assert _sql_texts(htmls) == ["caf&eacute;", 'b" href="x">lien']
    assert [html_to_text(h) for h in htmls] == ["café", "lien"]


# --- Hostile nesting: bounded before DuckDB or ijson sees the activity ---------------------------

DEEP_TAG = b"[" * 100_000 + b"]" * 100_000


def _deep_outbox(folder: Path, *, indented: bool) -> None:
    """The fixture's outbox with 100,000 nested ``[`` in the third status's ``tag``."""
    items = _fixture_items()
    items[2]["object"]["tag"] = "DEEP"
    outbox = json.loads((ARCHIVE / "outbox.json").read_text())
    outbox["orderedItems"] = items
    text = json.dumps(outbox, indent=1 if indented else None, separators=None if indented else (",", ":"))
    (folder / "outbox.json").write_bytes(text.encode().replace(b'"DEEP"', DEEP_TAG))


@pytest.mark.parametrize("indented", [False, True], ids=["compact, cut for DuckDB", "indented, read by ijson"])
def test_mastodon_deeply_nested_tag_is_refused_in_seconds(store: Store, tmp_path: Path, indented: bool) -> None:
    folder = _archive_copy(tmp_path)
    _deep_outbox(folder, indented=indented)
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        load(store, folder)
    assert time.monotonic() - started < 5
    assert str(caught.value) == (
        f"file {folder}, member outbox.json, record 2: activity 2 of orderedItems nests arrays and objects "
        "deeper than 64 levels; no Mastodon archive does, so the file is refused")
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_mastodon_nesting_at_the_limit_is_read(store: Store, tmp_path: Path) -> None:
    folder = _archive_copy(tmp_path)
    items = _fixture_items()
    items[0]["object"]["attachment"][0]["deep"] = json.loads("[" * 58 + "]" * 58)  # 64 levels in all
    _compact(folder, items)
    load(store, folder)
    assert count(store, "SELECT count(*) FROM posts") == 6


# --- Newer URI form (Mastodon 4.4+): actors named by a number --------------------------------

NEWER = FIXTURES / "mastodon_ap"
NEWER_OWNER = "@bibliotheque@social.example"
NEWER_REPLIES = [
    ("2", "reply", NEWER_OWNER),  # a thread of the owner's own
    ("3", "reply", NEWER_OWNER),  # the owner's own thread, mentioning someone else
    ("4", "reply", "@lea@autre.example"),  # a newer-form parent: its actor is a mention's href
    ("5", "reply", "@paul@mastodon.example"),  # a classic-form parent names its author
]


def _replies(store: Store) -> list[tuple[str, str, str]]:
    found = store.con.execute("SELECT right(post_id, 1), kind, in_reply_to_account FROM posts "
                              "WHERE kind = 'reply' ORDER BY post_id").fetchall()
    return [(a, b, c) for a, b, c in found]


def test_mastodon_newer_uri_form_resolves_replied_to_accounts(store: Store) -> None:
    load(store, NEWER)
    assert _replies(store) == NEWER_REPLIES
    owners = store.con.execute("SELECT account, account_id, is_owner FROM accounts").fetchall()
    assert owners == [(NEWER_OWNER, "https://social.example/ap/users/116840387061670746", True)]
    boost = rows(store, "kind = 'repost'")[0]
    # the boosted URI names its author by a number; the archive's mentions of that actor name it
    assert (boost["account"], boost["repost_of_account"]) == (NEWER_OWNER, "@lea@autre.example")


def test_mastodon_newer_uri_boosts_of_the_owner_or_of_an_unknown_actor(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(NEWER, folder)
    outbox = json.loads((folder / "outbox.json").read_text(encoding="utf-8"))
    boost = outbox["orderedItems"][-1]
    own, unknown = json.loads(json.dumps(boost)), json.loads(json.dumps(boost))
    own["id"] = boost["id"].replace("116840400000000006", "116840400000000007")
    own["object"] = "https://social.example/ap/users/116840387061670746/statuses/1168404000000000001"
    unknown["id"] = boost["id"].replace("116840400000000006", "116840400000000008")
    unknown["object"] = "https://ailleurs.example/ap/users/3300000000000001/statuses/99"
    outbox["orderedItems"] += [own, unknown]
    (folder / "outbox.json").write_text(json.dumps(outbox), encoding="utf-8")
    load(store, folder)
    assert [(r["post_id"][-2:], r["repost_of_account"]) for r in rows(store, "kind = 'repost'", "post_id")] == [
        ("06", "@lea@autre.example"), ("07", NEWER_OWNER), ("08", None)]  # nothing in the archive names 3300…


def test_mastodon_newer_uri_form_without_actor_json_takes_owner_from_status_urls(
        store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(NEWER / "outbox.json", folder / "outbox.json")
    report = load(store, folder).files[0]
    assert report.notes == [f"actor.json is missing beside outbox.json; owner {NEWER_OWNER} taken from the "
                            "statuses' URLs"]
    assert store.con.execute("SELECT DISTINCT account, account_id FROM posts").fetchall() == [
        (NEWER_OWNER, "https://social.example/ap/users/116840387061670746")]
    assert _replies(store) == NEWER_REPLIES


def test_mastodon_deep_nesting_where_nothing_is_read_is_no_danger(store: Store, tmp_path: Path) -> None:
    """A compact outbox goes to DuckDB unmeasured: its reader must stay quick on hostile nesting it skips."""
    folder = _archive_copy(tmp_path)
    items = _fixture_items()
    items[1]["object"]["unknownExtension"] = "DEEP"
    _compact(folder, items)
    outbox = folder / "outbox.json"
    outbox.write_bytes(outbox.read_bytes().replace(b'"DEEP"', b"[" * 1_000_000 + b"]" * 1_000_000))
    started = time.monotonic()
    load(store, folder)
    assert time.monotonic() - started < 5
    assert count(store, "SELECT count(*) FROM posts") == 6


# --- A large outbox: cut in parts, read by DuckDB on every core, each activity keeps its number --

BIG = 6000
"""Activities of the large outbox: about 12 MB, which DuckDB reads with two threads (a 4 MB file
takes one), and many chunks of the cut (:data:`mastodon.CHUNK`, 1 MB)."""
DIRECT = (1234, 4321)
MENTIONED = "https://nouveau.example/ap/users/4400000000000001"


def _big_items() -> list[Any]:
    """Statuses and boosts numbered by their place (post id ``.../statuses/<2000000 + i>``)."""
    create, boost = _fixture_items()[0], _fixture_items()[3]
    items: list[Any] = []
    for i in range(BIG):
        uri = f"https://piaille.example/users/mediatheque/statuses/{2_000_000 + i}"
        if i % 7 == 3:
            items.append({**boost, "id": uri + "/activity", "object": f"https://toot.example/users/asso_velo/statuses/{i}"})
            continue
        status = {**create["object"], "id": uri, "url": f"https://piaille.example/@mediatheque/{2_000_000 + i}"}
        if i in DIRECT:
            status = {**status, "to": ["https://mastodon.example/users/lea_k"], "cc": []}
        items.append({**create, "id": uri + "/activity", "object": status})
    return items


def _numbers_follow_places(store: Store) -> list[str]:
    """The posts whose number is not their place in the outbox (none when all is well)."""
    found = store.con.execute("SELECT post_id, source_record FROM posts").fetchall()
    return [post for post, record in found if not post.endswith(f"/statuses/{2_000_000 + int(record)}")]


@pytest.mark.parametrize(("part", "first", "cut"), [(mastodon.PART, mastodon.FIRST_PART, 1), (1 << 20, 1 << 20, 7),
                                                    (mastodon.PART, 1 << 20, 2)])
def test_mastodon_large_outbox_keeps_each_activity_number(store: Store, tmp_path: Path, part: int, first: int,
                                                         cut: int, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _archive_copy(tmp_path)
    _compact(folder, _big_items())
    assert (folder / "outbox.json").stat().st_size > 10 << 20
    monkeypatch.setattr(mastodon, "PART", part)  # one part, twelve, or a small one and the rest
    monkeypatch.setattr(mastodon, "FIRST_PART", first)
    parts: list[tuple[Path, int]] = []
    close = mastodon._PartWriter.close
    monkeypatch.setattr(mastodon._PartWriter, "close", lambda self: _noted(close(self), parts))
    monkeypatch.setattr(mastodon, "_rewrite_items", None)  # the ijson path must not be needed
    report = load(store, folder).files[0]
    assert report.formats == {"mastodon-archive": BIG - len(DIRECT)}
    assert report.skipped == {"direct message, not public": len(DIRECT)}
    assert [e.record for e in report.examples] == [str(i) for i in DIRECT]
    assert count(store, "SELECT count(DISTINCT source_record) FROM posts") == BIG - len(DIRECT)
    assert _numbers_follow_places(store) == []
    boosts = store.con.execute("SELECT count(*), min(repost_of_account), max(repost_of_account) FROM posts "
                               "WHERE kind = 'repost'").fetchall()
    assert boosts == [(len(range(3, BIG, 7)), "@asso_velo@toot.example", "@asso_velo@toot.example")]
    assert len(parts) == cut  # parts of at least 1 MB: the cut writes up to 2 MB at a time
    assert len({path for path, _ in parts}) == cut  # each part has a name of its own
    assert len({inode for _, inode in parts}) == min(cut, 2)  # and the file of the part before the one before
    assert not any(path.exists() for path, _ in parts)  # the scratch folder is removed


def _noted(part: mastodon.Part | None, parts: list[tuple[Path, int]]) -> mastodon.Part | None:
    """The part just cut, its path and its file (inode) noted."""
    if part is not None:
        parts.append((part.path, part.path.stat().st_ino))
    return part


def test_mastodon_bad_item_in_the_middle_of_a_large_outbox(store: Store, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    items = _big_items()
    items[3000] = {"type": "Like", "object": "https://mastodon.example/users/lea_k/statuses/1"}
    folder = _archive_copy(tmp_path)
    _compact(folder, items)
    monkeypatch.setattr(mastodon, "PART", 1 << 20)
    monkeypatch.setattr(mastodon, "ROWS_PER_BATCH", 500)  # rows are staged before the faulty line
    rewritten = []
    rewrite = mastodon._rewrite_items
    monkeypatch.setattr(mastodon, "_rewrite_items", lambda *args: rewritten.append(rewrite(*args)))
    report = load(store, folder).files[0]
    assert len(rewritten) == 1  # DuckDB refused the line of the Like and its neighbour: ijson took over
    assert report.skipped == {"direct message, not public": len(DIRECT), "activity of type 'Like' is not a post": 1}
    assert [e.record for e in report.examples] == ["1234", "3000", "4321"]
    assert report.formats == {"mastodon-archive": BIG - len(DIRECT) - 1}
    assert count(store, "SELECT count(DISTINCT source_record) FROM posts") == BIG - len(DIRECT) - 1
    assert _numbers_follow_places(store) == []


def test_mastodon_newer_uri_boost_in_a_later_part_looks_in_every_part(store: Store, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    items = _big_items()
    mention = {"type": "Mention", "href": MENTIONED, "name": "@zoe@nouveau.example"}
    items[11]["object"] = {**items[11]["object"], "tag": [mention]}
    boost = items[4498]  # 4498 % 7 == 4: a status; make it a boost of the newer form
    items[4498] = {**_fixture_items()[3], "id": boost["id"], "object": MENTIONED + "/statuses/77"}
    folder = _archive_copy(tmp_path)
    _compact(folder, items)
    monkeypatch.setattr(mastodon, "PART", 1 << 20)  # the mention is in the first part, the boost in the ninth
    load(store, folder)
    found = store.con.execute("SELECT kind, repost_of_account, source_record FROM posts "
                              f"WHERE post_id = '{boost['id'].removesuffix('/activity')}'").fetchall()
    assert found == [("repost", "@zoe@nouveau.example", "4498")]
    assert _numbers_follow_places(store) == []


def test_mastodon_cut_across_small_chunks_gives_the_same_rows(store: Store, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    load(store, ARCHIVE, now=NOW)
    folder = _archive_copy(tmp_path)
    _compact(folder, _fixture_items())
    monkeypatch.setattr(mastodon, "CHUNK", 1000)  # a cut or a boost's URL across each chunk's end
    monkeypatch.setattr(mastodon, "PART", 3000)
    monkeypatch.setattr(mastodon, "_rewrite_items", None)
    with Store(tmp_path / "chunks.duckdb") as other:
        load(other, folder, now=NOW)
        assert _without_source_file(rows(other)) == _without_source_file(rows(store))


def test_mastodon_activity_longer_than_the_cut_buffer(store: Store, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    items = _fixture_items()
    words = "vélo " * 700_000  # 3.5 MB of text: the cut's buffer (2 MB) grows for it
    items[1] = {**items[1], "object": {**items[1]["object"], "content": f"<p>{words}</p>"}}
    folder = _archive_copy(tmp_path)
    _compact(folder, items)
    monkeypatch.setattr(mastodon, "_rewrite_items", None)
    load(store, folder)
    found = store.con.execute("SELECT length(text), source_record FROM posts WHERE post_id = ?",
                              [items[1]["object"]["id"]]).fetchall()
    assert found == [(len(words.strip()), "1")]
    assert count(store, "SELECT count(*) FROM posts") == 6


PLEROMA = "https://pleroma.example"
PLEROMA_OWNER = f"{PLEROMA}/users/lecafe"
PUBLIC_AS = "https://www.w3.org/ns/activitystreams#Public"


def _pleroma_create(n: int, content: str, **status: Any) -> dict[str, Any]:
    """A Create as Pleroma and Akkoma back it up: ``/objects/<uuid>`` ids, the activity's keys in order."""
    note = {"actor": PLEROMA_OWNER, "attachment": [], "attributedTo": PLEROMA_OWNER,
            "cc": [f"{PLEROMA_OWNER}/followers"], "content": content, "context": f"{PLEROMA}/contexts/c{n}",
            "id": f"{PLEROMA}/objects/0000000{n}-aaaa-4bbb-8ccc-dddddddddddd", "inReplyTo": None,
            "published": f"2023-05-0{n}T18:30:00.000000Z", "sensitive": False,
            "source": {"content": "plain", "mediaType": "text/plain"}, "summary": "", "tag": [],
            "to": [PUBLIC_AS], "type": "Note", **status}
    return {"actor": PLEROMA_OWNER, "cc": note["cc"], "context": note["context"], "directMessage": False,
            "id": f"{PLEROMA}/activities/1000000{n}-aaaa-4bbb-8ccc-dddddddddddd", "object": note,
            "published": note["published"], "to": note["to"], "type": "Create"}


def _pleroma_collection(name: str, items: list[Any]) -> str:
    """A collection file as Pleroma's backup writes it: a header, one item a line, ``totalItems`` last."""
    lines = ",\n".join(json.dumps(i, ensure_ascii=False, separators=(",", ":"), sort_keys=True) for i in items)
    return ('{\n  "@context": "https://www.w3.org/ns/activitystreams",\n'
            f'  "id": "{name}.json",\n  "type": "OrderedCollection",\n  "orderedItems": [\n\n'
            f'{lines}\n],\n  "totalItems": {len(items)}}}')


@pytest.mark.parametrize("chunk", [mastodon.CHUNK, 300])
def test_pleroma_and_akkoma_backups_are_read_whole(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   chunk: int) -> None:
    """A Pleroma or Akkoma backup is a Mastodon archive laid out otherwise, with two more companions.

    ``outbox.json`` has one activity a line, keys in alphabetical order (``type`` last) and
    ``totalItems`` after the items; statuses are ``/objects/<uuid>``; ``followers.json`` and
    ``following.json`` sit beside ``likes.json`` and ``bookmarks.json``. The cut reads that layout too
    (ijson is not needed), whole chunks or small ones (a cut or the end across a chunk's end).
    """
    monkeypatch.setattr(mastodon, "_rewrite_items", None)
    monkeypatch.setattr(mastodon, "CHUNK", chunk)
    mention = {"href": "https://mastodon.example/users/ana", "name": "@ana@mastodon.example", "type": "Mention"}
    emoji = {"icon": {"type": "Image", "url": f"{PLEROMA}/emoji/cafe.png"}, "id": f"{PLEROMA}/emoji/cafe.png",
             "name": ":cafe:", "type": "Emoji", "updated": "1970-01-01T00:00:00Z"}
    quoted = f"{PLEROMA}/objects/00000009-aaaa-4bbb-8ccc-dddddddddddd"
    direct = _pleroma_create(5, "<p>entre nous</p>", to=["https://mastodon.example/users/ana"], cc=[])
    direct.update(to=["https://mastodon.example/users/ana"], cc=[], directMessage=True)
    items = [
        _pleroma_create(1, "<p>Ouvert dès 8 h :cafe: <a href=\"https://cafe.example/carte\">cafe.example/carte</a></p>",
                        tag=[emoji]),
        _pleroma_create(2, '<p><span class="h-card"><a class="u-url mention" href="https://mastodon.example/@ana">'
                           "@<span>ana</span></a></span> Oui, sans réservation.</p>",
                        inReplyTo="https://mastodon.example/users/ana/statuses/110000000000000001", tag=[mention]),
        _pleroma_create(3, "<p>À relire</p>", quoteUrl=quoted, quoteUri=quoted, _misskey_quote=quoted),
        {"actor": PLEROMA_OWNER, "cc": [f"{PLEROMA_OWNER}/followers"], "context": f"{PLEROMA}/contexts/c4",
         "id": f"{PLEROMA}/activities/10000004-aaaa-4bbb-8ccc-dddddddddddd",
         "object": "https://mastodon.example/users/ana/statuses/110000000000000002",
         "published": "2023-05-04T18:30:00.000000Z", "to": [PUBLIC_AS], "type": "Announce"},
        direct,
    ]
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "outbox.json").write_text(_pleroma_collection("outbox", items), encoding="utf-8")
    for name in ("likes", "bookmarks", "followers", "following"):
        (folder / f"{name}.json").write_text(_pleroma_collection(name, ["https://mastodon.example/users/ana"]))
    (folder / "actor.json").write_text(json.dumps({
        "id": PLEROMA_OWNER, "type": "Person", "preferredUsername": "lecafe", "name": "Le Café",
        "url": f"{PLEROMA}/users/lecafe", "likes": "likes.json", "bookmarks": "bookmarks.json"}))

    report = load(store, zip_folder(folder, tmp_path / "backup.zip")).files[0]
    assert report.formats == {"mastodon-archive": 4}
    assert report.skipped == {"direct message, not public": 1}
    assert report.known == ["actor.json", "bookmarks.json", "followers.json", "following.json", "likes.json"]
    assert report.unknown == []
    got = {r["source_record"]: _fields(r, "post_id", "account", "kind", "text", "in_reply_to_account",
                                        "repost_of_account", "quote_of_id", "urls", "created_at") for r in rows(store)}
    assert got == {
        "0": (items[0]["object"]["id"], "@lecafe@pleroma.example", "original",
              "Ouvert dès 8 h :cafe: cafe.example/carte", None, None, None, ["https://cafe.example/carte"],
              "2023-05-01T18:30:00Z"),
        "1": (items[1]["object"]["id"], "@lecafe@pleroma.example", "reply", "@ana Oui, sans réservation.",
              "@ana@mastodon.example", None, None, [], "2023-05-02T18:30:00Z"),
        "2": (items[2]["object"]["id"], "@lecafe@pleroma.example", "quote", "À relire", None, None, quoted, [],
              "2023-05-03T18:30:00Z"),
        "3": (items[3]["id"], "@lecafe@pleroma.example", "repost", "", None, "@ana@mastodon.example", None, [],
              "2023-05-04T18:30:00Z"),
    }


def test_mastodon_quote_fallback_paragraph_is_neither_text_nor_a_link(store: Store, tmp_path: Path) -> None:
    """Mastodon 4.4+ opens a quote post's HTML with ``<p class="quote-inline">RE: <a href=…>…</a></p>`` for
    servers that do not show quotes (Mastodon.py's recorded statuses hold it): the text began "RE: https://…"
    and the quoted post was counted as one of the post's links. It is the post's quote_of_id only."""
    archive = tmp_path / "archive"
    shutil.copytree(ARCHIVE, archive)
    outbox = json.loads((archive / "outbox.json").read_text())
    quoted = "https://toot.example/@asso_velo/110888888888888888"
    fallback = (f'<p class="quote-inline">RE: <a href="{quoted}" target="_blank" rel="nofollow noopener" '
                'translate="no"><span class="invisible">https://</span><span class="ellipsis">toot.example/@asso_vel'
                '</span><span class="invisible">o/110888888888888888</span></a></p>')
    status = outbox["orderedItems"][6]["object"]
    status["content"] = fallback + '<p>À lire <a href="https://velo.example/bourse">velo.example/bourse</a></p>'
    (archive / "outbox.json").write_text(json.dumps(outbox))
    load(store, archive)
    row = next(r for r in rows(store) if r["post_id"].endswith("7"))
    assert _fields(row, "kind", "text", "urls", "quote_of_id") == (
        "quote", "À lire velo.example/bourse", ["https://velo.example/bourse"],
        "https://toot.example/users/asso_velo/statuses/110888888888888888")
    assert row["html"] == status["content"]
