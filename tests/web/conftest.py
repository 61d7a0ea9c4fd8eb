"""Shared fixtures of the workspace's tests: the demo's exports and store (built once per session),
three actors in workspace A (consultant, client editor, client viewer) and an outsider who is the
consultant of workspace B, with B holding one object of every kind."""

from __future__ import annotations

import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

import parlons
from parlons.demo import ORG_BLOG, ORG_MASTODON, ORG_X, PEER1_X, PEER2_X

PASSWORD = "correct horse battery 42"


@pytest.fixture(scope="session")
def django_db_keepdb(request: pytest.FixtureRequest) -> bool:
    """With PostgreSQL (``PARLONS_TEST_DATABASE_URL``) the tests use that database as it is: the role CI
    and developers have may not create databases."""
    import os

    return bool(os.environ.get("PARLONS_TEST_DATABASE_URL")) or bool(request.config.getvalue("reuse_db"))


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return parlons.build_demo(tmp_path_factory.mktemp("demo"), lang="fr", scale=0.1)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, demo_exports: list[Path]) -> Path:
    path = tmp_path_factory.mktemp("store") / "parlons.duckdb"
    with parlons.Store(path) as store:
        parlons.import_paths(store, demo_exports)
    return path


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test has its own data folder (stores, uploads)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)


def run_worker() -> None:
    """The real database worker, once, until the queue is empty (as ``db_worker --batch``)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, startup_delay=False, interval=0.1, verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


@dataclass
class World:
    a: Any
    b: Any
    consultant: User
    editor: User
    viewer: User
    outsider: User
    b_objects: dict[str, Any]


def _user(name: str) -> User:
    return User.objects.create_user(name, f"{name}@example.org", PASSWORD)


def _workspace(owner: User, name: str, store: Path | None) -> Any:
    from parlons.web.stores import store_path
    from parlons.web.workspaces.services import create_workspace

    ws = create_workspace(owner, name=name, account=ORG_X, together=f"@{ORG_MASTODON}, {ORG_BLOG}",
                          peers=f"{PEER1_X}, {PEER2_X}")
    if store is not None:
        shutil.copyfile(store, store_path(ws.pk))
    return ws


@pytest.fixture
def world(db: None, demo_store: Path) -> World:
    from parlons.web.audits.models import RequestMark
    from parlons.web.dialogue.models import Comment, Review
    from parlons.web.imports.models import CollectRun, CollectSource, ImportJob
    from parlons.web.plans.models import PlanVersion
    from parlons.web.workspaces.models import Invitation, Membership, Role

    consultant, editor, viewer, outsider = (_user(n) for n in ("alice", "bob", "carol", "mallory"))
    a = _workspace(consultant, "Kerbrat", demo_store)
    Membership.objects.create(workspace=a, user=editor, role=Role.CLIENT_EDITOR)
    Membership.objects.create(workspace=a, user=viewer, role=Role.CLIENT_VIEWER)
    b = _workspace(outsider, "Other org", demo_store)
    first_request = "1859191161220074125"
    source = CollectSource.objects.create(workspace=b, platform="feed", target="https://b.example/feed/")
    objects = {
        "membership": Membership.objects.get(workspace=b, user=outsider),
        "job": ImportJob.objects.create(workspace=b, created_by=outsider, status="done"),
        "plan": PlanVersion.objects.create(workspace=b, number=1, author=outsider,
                                           text="version: 1\nlang: en\nname: B\norganization:\n  name: B\n"),
        "comment": Comment.objects.create(workspace=b, target="maturity", author=outsider, body="secret of B"),
        "mark": RequestMark.objects.create(workspace=b, request_id=first_request, status="seen"),
        "review": Review.objects.create(workspace=b, finding="maturity", verdict="accepted", by=outsider),
        "invitation": Invitation.issue(workspace=b, email="x@example.org", role="client_viewer",
                                       created_by=outsider)[0],
        "source": source,
        "run": CollectRun.objects.create(workspace=b, source=source, status="done"),
    }
    return World(a, b, consultant, editor, viewer, outsider, objects)


@pytest.fixture
def signed_in(client: Any) -> Iterator[Any]:
    """``signed_in(user)`` signs the test client in as ``user``."""
    def sign(user: User) -> Any:
        client.force_login(user)
        return client
    yield sign
