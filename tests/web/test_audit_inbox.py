"""The inbox in pages: a large audit lists thousands of unanswered requests; a page shows a hundred."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.test import Client

from .conftest import World


def _page(client: Client, url: str) -> tuple[list[str], dict[str, str], str]:
    """The requests listed (their ids, from the links to their threads), the page links, the count line."""
    page = lxml.html.fromstring(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content)
    ids = [parse_qs(urlsplit(a.get("href")).query)["id"][0]
           for a in page.cssselect("ul.inbox li.request p.meta a") if "/inbox/request/" in a.get("href")]
    links = {a.get("rel"): a.get("href") for a in page.cssselect("nav.pages a")}
    return ids, links, page.cssselect("main p.muted")[0].text_content()


def test_the_inbox_shows_one_page_at_a_time_and_keeps_its_filters(world: World, client: Client,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from parlons.web.audits import views
    from parlons.web.audits.services import AuditChoice, audit_data

    everything = [str(u["id"]) for u in audit_data(world.a, AuditChoice(peers=tuple(world.a.names("peers"))))[0]
                  ["responsiveness"]["unanswered_requests"]]
    assert len(everything) > 6
    monkeypatch.setattr(views, "PER_PAGE", 3)
    pages = -(-len(everything) // 3)
    client.force_login(world.editor)
    url = f"/w/{world.a.pk}/inbox/"
    first, links, count = _page(client, url)
    assert first == everything[:3] and links == {"next": "?page=2"}
    assert f"{len(everything)} matching requests · page 1 of {pages}" in count
    second, links, _count = _page(client, url + "?page=2")
    assert second == everything[3:6] and set(links) == {"prev", "next"}
    last, links, _count = _page(client, url + "?page=999")
    assert last == everything[(pages - 1) * 3:] and links == {"prev": f"?page={pages - 1}"}
    assert _page(client, url + "?page=abc")[0] == everything[:3]
    for request_id in everything[:4]:
        client.post(f"{url}mark/", {"request": request_id, "status": "seen"})
    marked, links, count = _page(client, url + "?status=seen&page=2")
    assert marked == everything[3:4] and links == {"prev": "?status=seen&page=1"}
    assert "4 matching requests · page 2 of 2" in count
    rows = list(csv.reader(io.StringIO(client.get(f"/w/{world.a.pk}/inbox.csv").content.decode())))
    assert [r[0] for r in rows[1:]] == everything  # the export holds them all


def test_why_a_post_asks_is_said_in_the_readers_language(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    french = client.get(f"/w/{world.a.pk}/inbox/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(f"/w/{world.a.pk}/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    import re

    rules = set(re.findall(r"Why it asks: ([^<]+)</p>", english))
    said = {r.replace("\xa0", " ") for r in re.findall(r"Pourquoi c’est une demande : ([^<]+)</p>", french)}
    assert "question mark" in rules and "point d’interrogation" in said, (rules, said)
    words = {r.split(": ", 1)[1] for r in rules if r.startswith("request: ")}
    assert words and {r.split(" : ", 1)[1] for r in said if r.startswith("demande : ")} == words, (rules, said)
