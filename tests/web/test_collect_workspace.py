"""Collection from the workspace: sources, runs on the real task queue and worker, the CLI's errors,
resuming from the cursor, the audit cache invalidated, and only public addresses reached outside tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

import parlons

from ..collect_server import Server, serve
from ..test_collect_feeds import routes as feed_routes
from ..test_collect_mastodon import ANSWER, BOOST, CONTEXTS, FIRST, ME, OWNER, mastodon_routes, status
from .conftest import World, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def _posts(ws: int) -> list[tuple[str, str]]:
    from parlons.web.stores import store_path

    with parlons.Store(store_path(ws), read_only=True) as store:
        return [(r[0], r[1]) for r in store.con.execute(
            "SELECT post_id, source_file FROM posts ORDER BY post_id").fetchall()]


def _fresh(world: World, account: str = OWNER) -> Any:
    from parlons.web.workspaces.models import Membership, Role
    from parlons.web.workspaces.services import create_workspace

    ws = create_workspace(world.consultant, name="Médiathèque", account=account)
    Membership.objects.create(workspace=ws, user=world.editor, role=Role.CLIENT_EDITOR)
    Membership.objects.create(workspace=ws, user=world.viewer, role=Role.CLIENT_VIEWER)
    return ws


def test_a_mastodon_account_is_collected_in_the_background_and_a_rerun_adds_only_what_is_new(
        world: World, client: Client, server: Server) -> None:
    from parlons.web.audits.models import AuditResult
    from parlons.web.imports.models import CollectRun

    statuses = [FIRST, ANSWER, BOOST]
    mastodon_routes(server, statuses, CONTEXTS)
    ws = _fresh(world)
    client.force_login(world.editor)
    added = client.post(f"/w/{ws.pk}/collect/", {"platform": "mastodon", "target": OWNER, "server": server.base})
    run = CollectRun.objects.get(workspace=ws)
    assert (added.status_code, added["Location"], run.status) == (302, f"/w/{ws.pk}/collect/runs/{run.pk}/", "queued")
    waiting = client.get(added["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in waiting and 'data-status="queued"' in waiting
    run_worker()
    run.refresh_from_db()
    # read as parlons collect counts it: a status seen on a page and in a thread is read twice, stored once
    assert (run.status, run.inserted, run.fetched, run.error) == ("done", 4, 7, "")
    assert [(r["account"], r["server"], r["inserted"]) for r in run.report] == [(OWNER, server.base, 4)]
    assert {source for _id, source in _posts(ws.pk)} == {server.base}
    ws.refresh_from_db()
    assert ws.generation == 1
    assert AuditResult.objects.filter(workspace=ws).values_list("generation", flat=True).get() == 1, "warmed"
    done = client.get(added["Location"]).content.decode()
    assert "refresh" not in done and 'data-status="done"' in done and "@mediatheque@piaille.example" in done

    server.requests.clear()
    source = run.source
    again = client.post(f"/w/{ws.pk}/collect/{source.pk}/run/")
    run_worker()
    second = CollectRun.objects.get(pk=int(again["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert (second.status, second.inserted, second.requests) == ("done", 0, 3)
    assert [r.query.get("min_id") for r in server.requests if r.path.endswith("/statuses")] == [[BOOST["id"]]]
    ws.refresh_from_db()
    assert ws.generation == 1, "nothing new: the cached audit stays valid"

    statuses.append(status("111000000000000009", ME, "2099-01-01T08:00:00.000Z", "<p>Nouveau !</p>"))
    client.post(f"/w/{ws.pk}/collect/{source.pk}/run/")
    run_worker()
    third = CollectRun.objects.filter(source=source).first()
    assert third is not None and (third.status, third.inserted) == ("done", 1)
    assert len(_posts(ws.pk)) == 5
    ws.refresh_from_db()
    assert ws.generation == 2
    assert CollectRun.objects.filter(workspace=ws).count() == 3 and source.runs.count() == 3


def test_an_unknown_account_fails_with_the_cli_sentence_and_leaves_no_store(world: World, client: Client,
                                                                            server: Server) -> None:
    from parlons.web.imports.models import CollectRun
    from parlons.web.stores import store_path

    mastodon_routes(server, [FIRST], CONTEXTS)
    ws = _fresh(world)
    client.force_login(world.consultant)
    response = client.post(f"/w/{ws.pk}/collect/", {"platform": "mastodon", "target": "@nobody@piaille.example",
                                                    "server": server.base, "max_requests": "50"})
    run_worker()
    run = CollectRun.objects.get(workspace=ws)
    expected = (f"there is no account @nobody@piaille.example on {server.base} (unknown, moved or deleted); "
                "check the spelling and the server")
    assert (run.status, run.error, run.source.max_requests) == ("failed", expected, 50)
    assert not store_path(ws.pk).exists()
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "there is no account @nobody@piaille.example" in page and 'role="alert"' in page
    ws.refresh_from_db()
    assert ws.generation == 0


def test_a_feed_is_collected_with_its_comment_feeds_and_its_url_as_provenance(world: World, client: Client,
                                                                             server: Server) -> None:
    feed_routes(server)
    ws = _fresh(world, account="jardins-partages-lyon.fr")
    client.force_login(world.consultant)
    client.post(f"/w/{ws.pk}/collect/", {"platform": "feed", "target": server.base + "/feed/"})
    run_worker()
    posts = _posts(ws.pk)
    assert (len(posts), {source for _id, source in posts}) == (4, {server.base + "/feed/"})
    listing = client.get(f"/w/{ws.pk}/collect/").content.decode()
    assert server.base + "/feed/" in listing and "4 nouveaux messages" in listing


def test_outside_tests_only_public_https_servers_are_reached(world: World, client: Client, server: Server,
                                                             settings: Any) -> None:
    from parlons.web.imports.models import CollectRun, CollectSource

    settings.PARLONS_COLLECT_ALLOW_LOOPBACK = False
    mastodon_routes(server, [FIRST], CONTEXTS)
    ws = _fresh(world)
    client.force_login(world.consultant)
    refused = client.post(f"/w/{ws.pk}/collect/", {"platform": "feed", "target": server.base + "/feed/"},
                          HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and "Give an address that starts with https://." in refused.content.decode()
    port = server.base.rsplit(":", 1)[1]
    for target in (f"https://127.0.0.1:{port}/feed/", f"https://localhost:{port}/feed/", "https://10.0.0.8/feed/",
                   "https://169.254.169.254/latest/meta-data/"):
        client.post(f"/w/{ws.pk}/collect/", {"platform": "feed", "target": target})
    run_worker()
    runs = CollectRun.objects.filter(workspace=ws).order_by("pk")
    assert [r.status for r in runs] == ["failed"] * 4
    assert all("private, loopback or reserved address: this server collects only from public servers" in r.error
               for r in runs), [r.error for r in runs]
    assert server.requests == [], "not one request reached the loopback server"
    assert CollectSource.objects.filter(workspace=ws).count() == 4


def test_sources_are_validated_run_once_at_a_time_and_removed_without_their_posts(world: World,
                                                                                  client: Client) -> None:
    from parlons.web.imports.models import CollectRun, CollectSource

    client.force_login(world.consultant)
    ws = world.a.pk
    bad = client.post(f"/w/{ws}/collect/", {"platform": "mastodon", "target": "not an account"},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "Give the Mastodon account as @name@server." in bad.content.decode()
    bad = client.post(f"/w/{ws}/collect/", {"platform": "bluesky", "target": "x", "max_requests": "0"},
                      HTTP_ACCEPT_LANGUAGE="fr")
    assert bad.status_code == 400 and CollectSource.objects.filter(workspace=world.a).count() == 0
    first = client.post(f"/w/{ws}/collect/", {"platform": "bluesky", "target": "mairie.bsky.social"})
    twice = client.post(f"/w/{ws}/collect/", {"platform": "bluesky", "target": "mairie.bsky.social",
                                              "max_requests": "30"})
    source = CollectSource.objects.get(workspace=world.a)
    assert first["Location"] == twice["Location"], "a queued run is not queued twice"
    assert source.max_requests == 30, "adding a source again changes its cap"
    client.post(f"/w/{ws}/collect/", {"platform": "feed", "target": "https://blog.example.org/feed/",
                                      "server": "https://ignored.example"})
    assert CollectSource.objects.get(workspace=world.a, platform="feed").server == ""
    assert client.post(f"/w/{ws}/collect/{source.pk}/run/")["Location"] == first["Location"]
    client.post(f"/w/{ws}/collect/{source.pk}/remove/")
    assert CollectSource.objects.filter(pk=source.pk).exists(), "not removed while a run is queued"
    CollectRun.objects.filter(source=source).update(status="done")
    client.post(f"/w/{ws}/collect/{source.pk}/remove/")
    assert not CollectSource.objects.filter(pk=source.pk).exists()
    assert CollectRun.objects.filter(source_id=source.pk).count() == 0


@pytest.mark.parametrize(("role", "listing", "adding", "run_page"), [
    ("consultant", 200, 302, 200), ("editor", 200, 302, 200), ("viewer", 403, 403, 200)])
def test_who_collects(world: World, client: Client, role: str, listing: int, adding: int, run_page: int) -> None:
    from parlons.web.imports.models import CollectRun, CollectSource

    source = CollectSource.objects.create(workspace=world.a, platform="feed", target="https://a.example/feed/")
    run = CollectRun.objects.create(workspace=world.a, source=source, status="done")
    client.force_login(getattr(world, role))
    ws = world.a.pk
    assert client.get(f"/w/{ws}/collect/").status_code == listing
    assert client.post(f"/w/{ws}/collect/", {"platform": "feed",
                                             "target": "https://b.example/feed/"}).status_code == adding
    assert client.post(f"/w/{ws}/collect/{source.pk}/run/").status_code == adding
    assert client.post(f"/w/{ws}/collect/{source.pk}/remove/").status_code == adding
    assert client.get(f"/w/{ws}/collect/runs/{run.pk}/").status_code == run_page
    assert (f'href="/w/{ws}/collect/"' in client.get(f"/w/{ws}/").content.decode()) == (listing == 200)


def test_a_run_stopped_by_its_cap_says_so_and_the_next_runs_go_on_from_the_cursor(world: World, client: Client,
                                                                                server: Server) -> None:
    from parlons.web.imports.models import CollectRun, CollectSource

    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    ws = _fresh(world)
    client.force_login(world.consultant)
    first = client.post(f"/w/{ws.pk}/collect/", {"platform": "mastodon", "target": OWNER, "server": server.base,
                                                  "max_requests": "4"})
    run_worker()
    run = CollectRun.objects.get(workspace=ws)
    assert (run.status, run.requests, run.report[0]["complete"]) == ("done", 4, False)
    assert run.report[0]["stopped"] == "reached the cap of 4 requests; run again to go on"
    page = client.get(first["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "stopped early: reached the cap of 4 requests; run again to go on" in page
    source = CollectSource.objects.get(workspace=ws)
    for _ in range(5):
        client.post(f"/w/{ws.pk}/collect/{source.pk}/run/")
        run_worker()
        if CollectRun.objects.filter(source=source).first().report[0]["complete"]:  # type: ignore[union-attr]
            break
    runs = list(CollectRun.objects.filter(source=source).order_by("pk"))
    assert len(runs) > 2 and all(r.status == "done" and r.requests <= 4 for r in runs)
    assert sum(r.inserted for r in runs) == len(_posts(ws.pk)) == 4, "every post once, over several capped runs"


def test_a_run_that_fails_midway_keeps_its_committed_batches_and_the_next_run_goes_on(
        world: World, client: Client, server: Server) -> None:
    from parlons.web.imports.models import CollectRun

    older = status("111000000000000000", ME, "2024-03-01T08:00:00.000Z", "<p>Plus ancien</p>")
    mastodon_routes(server, [FIRST, ANSWER, BOOST, older], CONTEXTS)
    path = f"/api/v1/accounts/{ME['id']}/statuses"
    pages, calls = server.routes[path], []

    def second_page_refused(request: Any) -> Any:
        calls.append(request)
        return (401, {}, b'{"error": "refused"}') if len(calls) == 2 else pages(request)
    server.route(path, second_page_refused)
    ws = _fresh(world)
    client.force_login(world.consultant)
    client.post(f"/w/{ws.pk}/collect/", {"platform": "mastodon", "target": OWNER, "server": server.base})
    run_worker()
    run = CollectRun.objects.get(workspace=ws)
    assert (run.status, run.error) == ("failed", f"{server.base} refused {server.base}{path}?limit=40&max_id="
                                                 "111000000000000005 without a token (401: refused): this server "
                                                 "does not show it to anyone")  # the workspace sends no token
    assert run.inserted == len(_posts(ws.pk)) == 4, "the first page and its threads stay"
    ws.refresh_from_db()
    assert ws.generation == 1, "what was added is audited"
    client.post(f"/w/{ws.pk}/collect/{run.source_id}/run/")
    run_worker()
    again = CollectRun.objects.filter(workspace=ws).first()
    assert again is not None and (again.status, again.inserted) == ("done", 1)
    assert len(_posts(ws.pk)) == 5
