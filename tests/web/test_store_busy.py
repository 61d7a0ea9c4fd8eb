"""While an import or a collection holds the store (DuckDB keeps its write lock for the whole run, in
the worker's process), a page that needs the store says so in the reader's language, with the run's
progress link, instead of failing; pages read from the cache are served as usual."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from .conftest import World

HOLD = """
import sys
import parlons
store = parlons.Store(sys.argv[1])  # read-write: the lock an import holds
print("holding", flush=True)
sys.stdin.read()
store.close()
"""


@pytest.fixture
def held(world: World) -> Iterator[Path]:
    """Workspace A's store opened for writing by another process (as the import worker opens it)."""
    from parlons.web.stores import store_path

    path = store_path(world.a.pk)
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        yield path
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(30)


def _running_import(world: World) -> Any:
    from parlons.web.imports.models import ImportJob

    return ImportJob.objects.create(workspace=world.a, created_by=world.consultant, status="running",
                                    posts_read=1234, files=[{"name": "x.zip"}])


def test_a_page_whose_audit_is_not_cached_waits_for_the_import(world: World, client: Client, held: Path) -> None:
    job = _running_import(world)
    client.force_login(world.viewer)
    url = f"/w/{world.a.pk}/audit/voice/?chosen=1&since=2024-01-01"
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 503 and english["Retry-After"] == "5"
    page = english.content.decode()
    assert "<h1>An import is running</h1>" in page
    assert "The figures will be ready when it ends." in page
    assert f'href="/w/{world.a.pk}/imports/{job.pk}/"' in page and "1,234 posts read so far" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<h1>Un import est en cours</h1>" in french
    assert "Les chiffres seront prêts quand il sera fini." in french
    assert client.get(f"/w/{world.a.pk}/imports/{job.pk}/").status_code == 200  # the link works for a viewer


def test_the_report_download_and_the_plan_pages_wait_too(world: World, client: Client, held: Path) -> None:
    from parlons.web.imports.models import CollectRun, CollectSource

    source = CollectSource.objects.create(workspace=world.a, platform="feed", target="https://a.example/feed/")
    run = CollectRun.objects.create(workspace=world.a, source=source, status="running", fetched=20)
    client.force_login(world.consultant)
    for url in (f"/w/{world.a.pk}/report.pdf", f"/w/{world.a.pk}/plan/kpis/", f"/w/{world.a.pk}/"):
        answer = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert answer.status_code == 503, url
        page = answer.content.decode()
        assert "<h1>A collection is running</h1>" in page, url
        assert f'href="/w/{world.a.pk}/collect/runs/{run.pk}/"' in page


def test_a_store_held_by_someone_the_workspace_does_not_know_still_gives_a_clear_page(
        world: World, client: Client, held: Path) -> None:
    client.force_login(world.viewer)
    answer = client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 503
    assert "Les chiffres seront prêts quand il sera fini." in answer.content.decode()
    assert "duckdb" not in answer.content.decode().lower()  # no path, no DuckDB message


def test_cached_pages_are_served_while_the_store_is_held(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    before = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en")
    assert before.status_code == 200
    from parlons.web.stores import store_path

    process = subprocess.Popen([sys.executable, "-c", HOLD, str(store_path(world.a.pk))], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "holding"
        _running_import(world)
        for url in (f"/w/{world.a.pk}/audit/responsiveness/", f"/w/{world.a.pk}/", f"/w/{world.a.pk}/inbox/",
                    f"/w/{world.a.pk}/plan/"):
            assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200, url
    finally:
        assert process.stdin is not None
        process.stdin.close()
        process.wait(30)


def test_a_store_that_cannot_be_read_is_named_without_its_path(world: World, client: Client,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    from parlons.web.stores import store_path

    store_path(world.a.pk).write_bytes(b"not a DuckDB file at all" * 100)
    client.force_login(world.viewer)
    answer = client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    page = answer.content.decode()
    assert answer.status_code == 200 and "<h1>Pas encore d’audit</h1>" in page
    assert "travail ne peuvent pas être lues (le journal du serveur dit pourquoi)" in page
    assert str(store_path(world.a.pk)) not in page and str(store_path(world.a.pk)) in caplog.text


def test_no_account_chosen_is_said_in_french(world: World, client: Client) -> None:
    world.a.account = ""
    world.a.save()
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "aucun compte choisi" in page and "no account chosen" not in page
