"""The workspace's navigation: every section the role may open, in the header of every workspace page;
each section's own pages below the title (the plan's interview, platform fit and indicators over time,
the audit's families), the current one marked."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .conftest import World


def _links(page: str, nav_class: str) -> list[tuple[str, bool]]:
    nav = page.split(f'class="{nav_class}"', 1)[1].split("</nav>", 1)[0]
    return [(label, bool(current)) for current, label in
            re.findall(r'<a href="[^"]*"( aria-current="page")?>([^<]+)</a>', nav)]


@pytest.mark.parametrize(("who", "sections"), [
    ("consultant", ["Verdict", "Inbox", "Plan", "Imports", "Collection", "People", "Settings"]),
    ("editor", ["Verdict", "Inbox", "Plan", "Collection", "People"]),
    ("viewer", ["Verdict", "Inbox", "Plan", "People"]),
])
def test_the_header_offers_the_sections_of_the_role(world: World, client: Client, who: str,
                                                    sections: list[str]) -> None:
    client.force_login(getattr(world, who))
    page = client.get(f"/w/{world.a.pk}/plan/fit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert [label for label, _current in _links(page, "sections")] == sections
    assert ("Plan", True) in _links(page, "sections")
    plan_pages = _links(page, "pages-nav")
    expected = ["Plan", "Plan interview", "Platform fit", "Indicators over time"]
    if who == "viewer":
        expected.remove("Plan interview")  # a viewer may not edit the plan
    assert [label for label, _current in plan_pages] == expected
    assert [label for label, current in plan_pages if current] == ["Platform fit"]


def test_the_audit_pages_link_every_family_and_keep_the_chosen_period(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/voice/?chosen=1&since=2024-03-01&peer=x",
                      HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    links = _links(page, "pages-nav")
    assert links[0] == ("Verdict", False) and len(links) == 8
    assert [label for label, current in links if current] == ["Ton"]
    assert f'href="/w/{world.a.pk}/audit/content/?chosen=1&amp;since=2024-03-01&amp;peer=x"' in page
    header = _links(page, "sections")
    assert header[0] == ("Verdict", True) and ("Boîte de réception", False) in header


def test_pages_outside_a_workspace_have_no_workspace_navigation(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    for url in ("/w/", "/definitions/", "/notifications/"):
        page = client.get(url).content.decode()
        assert 'class="sections"' not in page and 'class="pages-nav"' not in page, url


def test_the_workspace_list_gives_each_workspace_its_account_and_the_readers_role(world: World,
                                                                                  client: Client) -> None:
    client.force_login(world.viewer)
    page = client.get("/w/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f'href="/w/{world.a.pk}/"><strong>Kerbrat</strong>' in page
    assert f"{world.a.account} · client lecteur" in page
    assert "Other org" not in page  # not a member of B
