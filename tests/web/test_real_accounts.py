"""The pages for accounts shaped like real exports the workspace was tried with: a Chinese-speaking
Mastodon account's own archive (no incoming posts, so requests are unknown), an account that only
reposts, and a peer whose data run over other years. The archives are written here, by hand, in
Mastodon's export layout (``actor.json``, ``outbox.json`` of ``Create``/``Announce`` activities)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

import parlons

from .conftest import World

ZH = "@lanyu@o3o.example"
REPOSTS = "@boost@m.example"
PEER = "@autre@m.example"


def _note(actor: str, year: int, i: int, text: str, lang: str) -> dict[str, Any]:
    when = f"{year}-03-{1 + i % 27:02d}T0{i % 9}:15:00Z"
    public = ["https://www.w3.org/ns/activitystreams#Public"]
    return {"id": f"{actor}/statuses/{year}{i:04d}/activity", "type": "Create", "actor": actor, "published": when,
            "to": public, "cc": [f"{actor}/followers"],
            "object": {"id": f"{actor}/statuses/{year}{i:04d}", "type": "Note", "inReplyTo": None, "published": when,
                       "url": actor.replace("/users/", "/@") + f"/{year}{i:04d}", "attributedTo": actor,
                       "to": public, "cc": [f"{actor}/followers"], "content": text, "contentMap": {lang: text},
                       "attachment": [], "tag": []}}


def _announce(actor: str, year: int, i: int) -> dict[str, Any]:
    return {"id": f"{actor}/statuses/{year}9{i:03d}/activity", "type": "Announce", "actor": actor,
            "published": f"{year}-04-{1 + i % 27:02d}T10:00:00Z", "to": [f"{actor}/followers"],
            "cc": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": f"https://other.example/users/someone/statuses/{i}"}


def _archive(path: Path, account: str, items: list[dict[str, Any]]) -> Path:
    user, server = account.strip("@").split("@")
    actor = f"https://{server}/users/{user}"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("actor.json", json.dumps({"id": actor, "type": "Person", "preferredUsername": user}))
        archive.writestr("outbox.json", json.dumps({"id": f"{actor}/outbox", "type": "OrderedCollection",
                                                    "totalItems": len(items), "orderedItems": items}))
    return path


def _actor(account: str) -> str:
    user, server = account.strip("@").split("@")
    return f"https://{server}/users/{user}"


@pytest.fixture(scope="module")
def real_exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("real")
    zh, boost, peer = _actor(ZH), _actor(REPOSTS), _actor(PEER)
    notes = [_note(zh, 2021, i, f"<p>第{i}次见沙尘暴，这种天气还要出门做检测</p>", "zh") for i in range(30)]
    notes += [_note(zh, 2021, 30 + i, f"<p>{i}次去kd失去兴趣</p>", "mr") for i in range(3)]
    notes.append(_note(zh, 2021, 40, "<p>看 <script>alert(1)</script><img src=x onerror=alert(2)></p>", "zh"))
    exports = [_archive(folder / "zh.zip", ZH, notes),
               _archive(folder / "boost.zip", REPOSTS, [_announce(boost, 2022, i) for i in range(25)]),
               _archive(folder / "peer.zip", PEER,
                        [_note(peer, 2019, i, f"<p>Bonjour à tous, voici la lettre {i}</p>", "fr") for i in range(20)])]
    return exports


def _store(path: Path, exports: list[Path]) -> Path:
    with parlons.Store(path) as store:
        parlons.import_paths(store, exports)
    return path


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory, real_exports: list[Path]) -> Path:
    return _store(tmp_path_factory.mktemp("store") / "parlons.duckdb", real_exports)


def _workspace(world: World, store: Path, account: str, peers: str = "") -> int:
    import shutil

    from parlons.web.stores import store_path
    from parlons.web.workspaces.services import create_workspace

    ws = create_workspace(world.consultant, name="Real", account=account, peers=peers)
    shutil.copyfile(store, store_path(ws.pk))
    return int(ws.pk)


def _page(client: Client, world: World, path: str, lang: str = "en") -> str:
    client.force_login(world.consultant)
    client.cookies["django_language"] = lang
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return str(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "level", "basis"), [
    ("en", "Maturity level 1 or 2 of 5 (uncertain)", "The peers' data do not overlap with this account's: "
     "each account is audited over its own data ("),
    ("fr", "Niveau de maturité 1 ou 2 sur 5 (incertain)", "ne recouvrent pas celles de ce compte")])
def test_the_verdict_says_uncertain_in_words_and_that_peers_were_audited_over_other_weeks(
        world: World, client: Client, real_store: Path, lang: str, level: str, basis: str) -> None:
    """A real Chinese-speaking Mastodon archive (2021-2022) compared with a peer whose posts are of 2019: the
    page said "Maturity level uncertain of 5" (the French page had the English word) and "Period: Mar 1, 2021 –
    Mar 27, 2021" above a peers' table whose peer figures are of other years, as if compared over those weeks."""
    ws = _workspace(world, real_store, ZH, PEER)
    page = _page(client, world, f"/w/{ws}/", lang)
    assert level in page and "uncertain of 5" not in page and "uncertain sur 5" not in page
    assert basis in page
    family = _page(client, world, f"/w/{ws}/audit/conversation/", lang)
    assert basis in family
    alone = _page(client, world, f"/w/{_workspace(world, real_store, ZH)}/", lang)
    assert 'id="period-basis"' not in alone, "no peers: nothing to warn about"


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_an_own_archive_says_requests_are_unknown_never_that_none_is_unanswered(
        world: World, client: Client, real_store: Path, lang: str) -> None:
    """A real Mastodon archive holds only its owner's posts. The inbox said "0 matching requests · 0 unanswered
    in the audit · No request here." (as if every request had been answered), the responsiveness page showed an
    empty table and a button to that inbox, and a peer's unknown figures were a bare dash."""
    ws = _workspace(world, real_store, ZH, PEER)
    reason = "only the account's own archive was imported" if lang == "en" else "seule l’archive du compte"
    inbox = _page(client, world, f"/w/{ws}/inbox/", lang)
    assert 'id="requests-unknown"' in inbox and reason in inbox.replace("&#39;", "'")
    assert ('>Unknown: only' if lang == "en" else '>Inconnu : seule') in inbox  # French puts a space before ':'
    assert "No request here." not in inbox and "Aucune demande ici." not in inbox
    assert "unanswered in the audit" not in inbox and "sans réponse dans l’audit" not in inbox
    page = _page(client, world, f"/w/{ws}/audit/responsiveness/", lang)
    assert "<table" not in page.split('class="thread"')[0], "no figure at all: no empty table"
    assert f'href="/w/{ws}/inbox/"' not in page.split("<main", 1)[1]
    verdict = _page(client, world, f"/w/{ws}/", lang)
    cells = verdict.split('data-metric="responsiveness.answered_share"', 1)[1].split("</tr>", 1)[0]
    assert cells.count(">unknown<" if lang == "en" else ">inconnu<") == 2, cells


@pytest.mark.django_db
def test_a_peer_with_known_requests_keeps_its_figures_when_the_account_has_none(
        world: World, client: Client, real_exports: list[Path], demo_exports: list[Path], tmp_path: Path) -> None:
    """The rows of a family were the audited account's: an account whose requests are unknown hid its peer's."""
    from parlons.demo import PEER1_X

    ws = _workspace(world, _store(tmp_path / "mixed.duckdb", [*demo_exports, real_exports[0]]), ZH, PEER1_X)
    page = _page(client, world, f"/w/{ws}/audit/responsiveness/")
    row = page.split('data-metric="responsiveness.answered_share"', 1)[1].split("</tr>", 1)[0]
    assert ">unknown<" in row and "%" in row, row


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "names"), [("en", ["Posts in Chinese", "Posts in Marathi"]),
                                             ("fr", ["Messages en chinois", "Messages en marathi"])])
def test_the_voice_page_names_the_posts_languages(world: World, client: Client, real_store: Path, lang: str,
                                                  names: list[str]) -> None:
    """The real Chinese-speaking account's voice page listed "Posts in zh", "Posts in mr", "Posts in und"."""
    ws = _workspace(world, real_store, ZH)
    page = _page(client, world, f"/w/{ws}/audit/voice/", lang)
    for name in names:
        assert name in page
    assert ">Posts in zh<" not in page and ">Messages en zh<" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Can the imported files hold requests to the account?", "zh.zip", ">no<",
            "it holds only the account's own posts",
            "2 other files on the platform (45 posts) hold no post by the account"]),
    ("fr", ["Les fichiers importés peuvent-ils contenir les demandes adressées au compte", "zh.zip", ">non<"])])
def test_the_coverage_page_lists_the_files_and_whether_they_could_hold_requests(
        world: World, client: Client, real_store: Path, lang: str, words: list[str]) -> None:
    """The coverage page showed "Unrelated files unrelated_files 2" and "Unrelated files unrelated_posts 45" (the
    same label twice, told apart by raw keys) and none of what the report's coverage says: which file holds the
    account's posts, and that an own archive cannot hold the requests addressed to it."""
    ws = _workspace(world, real_store, ZH)
    page = _page(client, world, f"/w/{ws}/audit/coverage/", lang).replace("&#39;", "'")
    for word in words:
        assert word in page, word
    assert "unrelated_posts" not in page and "unrelated_files" not in page


@pytest.mark.django_db
def test_a_fresh_server_says_how_to_create_the_first_consultant(tmp_path: Path) -> None:
    """``parlons serve --data DIR`` on a new folder printed its address and nothing else: the sign-in page
    then refused every name, and neither the pages nor docs/workspace.md said how a first account is made."""
    from django.contrib.auth.models import User

    from parlons.web.server import first_sign_in

    lines = first_sign_in(tmp_path / "my data")
    assert f"PARLONS_DATA='{tmp_path / 'my data'}'" in lines[1] and "-m parlons.web createsuperuser" in lines[1]
    User.objects.create_user("marie", "marie@example.org", "a long password 42")
    assert first_sign_in(tmp_path) == []
