"""Mentions lead to their thread, and the header counts the new ones until they are marked read."""

from __future__ import annotations

from django.test import Client

from .conftest import World


def test_each_mention_links_to_its_thread_and_the_header_counts_the_new_ones(world: World, client: Client) -> None:
    client.force_login(world.editor)
    ws = world.a.pk
    for target in ("maturity", "voice", "request:1859191161220074125", "plan:o1"):
        client.post(f"/w/{ws}/comments/", {"target": target, "body": f"@alice about {target}"})
    client.force_login(world.consultant)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for link in (f"/w/{ws}/#thread-maturity", f"/w/{ws}/audit/voice/#thread-voice",
                 f"/w/{ws}/inbox/request/?id=1859191161220074125", f"/w/{ws}/plan/#objective-o1"):
        assert f'<a href="{link}">Open the thread</a>' in page, link
    assert page.count('<strong class="new">new</strong>') == 4
    assert '<span class="count" aria-label="4 new">4</span>' in page
    assert "4 nouvelles" in client.get("/w/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    client.post("/notifications/")
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="count"' not in page and 'class="new"' not in page and page.count("Open the thread") == 4
    client.force_login(world.viewer)  # not mentioned: no count
    assert 'class="count"' not in client.get("/w/").content.decode()
