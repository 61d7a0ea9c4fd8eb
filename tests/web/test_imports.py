"""Uploads and the background import: the real queue and worker, one transaction, the CLI's errors."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import parlons

from .conftest import World, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(client: Client, ws: int, files: list[tuple[str, bytes]]) -> Any:
    return client.post(f"/w/{ws}/imports/", {"files": [SimpleUploadedFile(n, b) for n, b in files]})


def test_upload_is_imported_by_the_worker_and_invalidates_the_audit(world: World, client: Client,
                                                                    demo_exports: list[Path], demo_store: Path) -> None:
    from parlons.web.audits.models import AuditResult
    from parlons.web.imports.models import ImportJob
    from parlons.web.stores import store_path
    from parlons.web.workspaces.services import create_workspace

    client.force_login(world.consultant)
    ws = create_workspace(world.consultant, name="Fresh", account="MediasKerbrat")
    response = _upload(client, ws.pk, [(p.name, p.read_bytes()) for p in demo_exports])
    job = ImportJob.objects.get(workspace=ws)
    assert (response.status_code, response["Location"]) == (302, f"/w/{ws.pk}/imports/{job.pk}/")
    assert job.status == "queued"
    assert "queued" in client.get(response["Location"]).content.decode()
    client.get(f"/w/{ws.pk}/")  # an audit before the import: nothing imported yet
    run_worker()
    job.refresh_from_db()
    with parlons.Store(demo_store, read_only=True) as expected:
        posts = expected.con.execute("SELECT count(*) FROM posts").fetchone()[0]
    assert (job.status, job.inserted, job.error) == ("done", posts, "")
    assert [f["name"] for f in job.report["files"]] == [p.name for p in demo_exports]
    ws.refresh_from_db()
    assert ws.generation == 1
    assert AuditResult.objects.filter(workspace=ws).values_list("generation", flat=True).get() == 1, "warmed"
    page = client.get(f"/w/{ws.pk}/").content.decode()
    assert "Maturity level" in page or "Niveau de maturité" in page
    assert not any(Path(f["path"]).exists() for f in job.files), "uploads are removed once imported"
    with parlons.Store(store_path(ws.pk), read_only=True) as store:
        assert store.con.execute("SELECT count(*) FROM posts").fetchone()[0] == posts


def test_a_bad_file_fails_the_job_with_the_cli_message_and_imports_nothing(world: World, client: Client,
                                                                             demo_exports: list[Path]) -> None:
    from parlons.web.imports.models import ImportJob
    from parlons.web.stores import store_path

    client.force_login(world.consultant)
    before = _count(store_path(world.a.pk))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("data/tweets.js", "window.YTD.tweets.part0 = [ {not json")
    good = demo_exports[0]
    _upload(client, world.a.pk, [(good.name, good.read_bytes()), ("twitter-broken.zip", broken.getvalue())])
    run_worker()
    job = ImportJob.objects.get(workspace=world.a)
    assert job.status == "failed"
    assert "twitter-broken.zip" in job.error and "tweets.js" in job.error
    assert _count(store_path(world.a.pk)) == before
    page = client.get(f"/w/{world.a.pk}/imports/{job.pk}/").content.decode()
    assert "twitter-broken.zip" in page


def test_a_failed_import_names_the_file_as_uploaded_never_the_servers_folders(world: World, client: Client,
                                                                            settings: Any) -> None:
    """A real truncated Mastodon zip and a photo uploaded by mistake: the error named
    ``/srv/…/uploads/<workspace>/<random>/truncated-masto.zip``, the server's folders."""
    from parlons.web.imports.models import ImportJob

    client.force_login(world.consultant)
    _upload(client, world.a.pk, [("truncated-masto.zip", b"PK\x03\x04" + b"\x00" * 64)])
    run_worker()
    job = ImportJob.objects.get(workspace=world.a)
    assert job.status == "failed"
    assert job.error.startswith("file truncated-masto.zip: "), job.error
    page = client.get(f"/w/{world.a.pk}/imports/{job.pk}/").content.decode()
    assert "file truncated-masto.zip: " in page
    assert str(settings.DATA_DIR) not in page and "uploads" not in page


def _count(path: Path) -> int:
    with parlons.Store(path, read_only=True) as store:
        return int(store.con.execute("SELECT count(*) FROM posts").fetchone()[0])


def test_uploads_over_the_limit_are_refused_and_not_kept(world: World, client: Client, settings: Any,
                                                         data_dir: Path) -> None:
    from parlons.web.imports.models import ImportJob

    settings.PARLONS_UPLOAD_MAX_BYTES = 1000
    client.force_login(world.consultant)
    response = _upload(client, world.a.pk, [("big.csv", b"x" * 5000)])
    assert response.status_code == 413
    assert ImportJob.objects.filter(workspace=world.a).count() == 0
    assert not (data_dir / "uploads").exists() or list((data_dir / "uploads").rglob("*.csv")) == []


def test_uploaded_names_are_chosen_by_the_server() -> None:
    from parlons.web.imports.uploads import safe_name

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\twitter-2024.zip") == "twitter-2024.zip"
    assert safe_name("<script>.html") == "script_.html"
    assert safe_name("...") == "upload"


def test_an_import_report_reads_back_in_the_order_it_was_written(world: World, client: Client) -> None:
    """The job page lists each file's counts in the importer's order; PostgreSQL's jsonb would sort them."""
    from parlons.web.imports.models import ImportJob

    read = {"posts": 12, "accounts": 3, "requests_to_the_account": 4, "id": 1}
    job = ImportJob.objects.create(workspace=world.a, created_by=world.consultant, status="done",
                                   report={"files": [{"name": "tweets.js", "read": read, "skipped": {}}]})
    job.refresh_from_db()
    assert list(job.report["files"][0]["read"]) == ["posts", "accounts", "requests_to_the_account", "id"]
    client.force_login(world.consultant)
    page = client.get(f"/w/{world.a.pk}/imports/{job.pk}/").content.decode()
    assert page.index("posts: 12") < page.index("accounts: 3") < page.index("requests_to_the_account: 4")
