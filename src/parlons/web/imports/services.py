"""Running one import job: the workspace's store, parlons' ``import_paths``, one transaction.

A job is claimed with a conditional UPDATE (queued → running), so two workers never run it twice.
After a successful import the worker audits the workspace's default choice (all its peers, the
whole period), so the first page after an import is read from the cache.
parlons imports all files in one DuckDB transaction: on any error nothing is written, the store is
left as it was, and the job records the error as the command line words it.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

import parlons

from ..stores import store_path
from ..workspaces.models import Workspace
from .models import ImportJob
from .uploads import remove_uploads

__all__ = ["run_job", "warm"]

log = logging.getLogger(__name__)
Status = ImportJob.Status


def run_job(job_id: int) -> str:
    """Run the job if it is still queued; return its final status."""
    if ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=timezone.now()) != 1:
        return str(ImportJob.objects.values_list("status", flat=True).get(pk=job_id))
    job = ImportJob.objects.select_related("workspace").get(pk=job_id)
    try:
        report = _import(job)
    except parlons.ParlonsError as exc:
        _finish(job, Status.FAILED, error=_as_uploaded(str(exc), job))
    except Exception:
        log.exception("import job %s failed", job_id)
        _finish(job, Status.FAILED, error="internal error: the import stopped; nothing was written")
    else:
        _finish(job, Status.DONE, report=report)
        warm(job.workspace_id)
    finally:
        remove_uploads(job.files)
    return str(job.status)


def _import(job: ImportJob) -> dict[str, Any]:
    store = parlons.Store(store_path(job.workspace_id))
    progress = _Progress(job.pk)
    try:
        result = parlons.import_paths(store, [f["path"] for f in job.files], progress=progress)
    except BaseException:
        store.discard()
        raise
    store.close()
    return _summary(result)


def _as_uploaded(message: str, job: ImportJob) -> str:
    """The error as ``parlons import`` words it, each file named as it was uploaded: never the server's
    folders (``uploads/<workspace>/<random>/``), which say nothing to the reader and should not be shown."""
    for record in job.files:
        message = message.replace(str(record["path"]), str(record["name"]))
    return message.replace(str(store_path(job.workspace_id)), "the workspace's store")


def warm(workspace_id: int) -> None:
    """Audit the new data for the workspace's default choice now, so the next page reads the cache."""
    from ..audits.services import AuditChoice, NoAudit, StoreBusy, audit_row

    workspace = Workspace.objects.get(pk=workspace_id)
    # no account chosen yet, or nothing to audit: the page says why; another run holds the store: its end warms
    with contextlib.suppress(NoAudit, StoreBusy):
        audit_row(workspace, AuditChoice(peers=tuple(workspace.names("peers"))), unread=("result", "requests"))


def _summary(result: Any) -> dict[str, Any]:
    merge = result.merge
    return {
        "files": [{"name": f.path.rsplit("/", 1)[-1], "read": f.formats, "skipped": f.skipped,
                   "unknown": f.unknown, "notes": f.notes} for f in result.files],
        "inserted": merge.inserted, "already_stored": merge.already_stored,
        "duplicates_in_input": merge.duplicates_in_input, "counts_updated": merge.counts_updated,
        "skipped": sum(sum(f.skipped.values()) for f in result.files),
    }


class _Progress:
    """Writes the posts read so far to the job row, at most once a second."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.read, self.last = job_id, 0, 0.0

    def __call__(self, name: str, n: int) -> None:
        self.read += n
        now = time.monotonic()
        if now - self.last >= 1.0:
            self.last = now
            ImportJob.objects.filter(pk=self.job_id).update(posts_read=self.read, current_file=name[-300:])


@transaction.atomic
def _finish(job: ImportJob, status: str, *, error: str = "", report: dict[str, Any] | None = None) -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    fields = ["status", "error", "finished_at"]
    if report is not None:
        job.report, job.inserted, job.skipped = report, report["inserted"], report["skipped"]
        job.posts_read = report["inserted"] + report["already_stored"] + report["duplicates_in_input"]
        fields += ["report", "inserted", "skipped", "posts_read"]
    job.save(update_fields=fields)
    if status == Status.DONE:
        Workspace.objects.filter(pk=job.workspace_id).update(generation=F("generation") + 1)
