"""Running one collection: ``parlons collect`` for one source, into the workspace's store.

A run is claimed with a conditional UPDATE (queued → running), as an import is. The collectors
commit each batch of posts together with the account's cursor, so a run that fails keeps every
batch before the failure and the next run resumes from the cursor, adding only what is new; a
first run that fails before anything was collected leaves no store behind. Every run that added
posts increments the workspace's generation (the audit cache key) and audits the default choice
again, as an import does.

The server fetches addresses its users typed, so it connects only to public addresses
(``reach="public"``); ``PARLONS_COLLECT_ALLOW_LOOPBACK`` (the tests' settings only) adds loopback.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

import parlons

from ..stores import store_path
from ..workspaces.models import Workspace
from .models import CollectRun, CollectSource
from .services import warm

__all__ = ["reach", "run_collect"]

log = logging.getLogger(__name__)
Status = CollectRun.Status


def reach() -> str:
    """Which addresses the collectors may connect to."""
    return "public+loopback" if getattr(settings, "PARLONS_COLLECT_ALLOW_LOOPBACK", False) else "public"


def run_collect(run_id: int) -> str:
    """Run the collection if it is still queued; return its final status."""
    if CollectRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=timezone.now()) != 1:
        return str(CollectRun.objects.values_list("status", flat=True).get(pk=run_id))
    run = CollectRun.objects.select_related("source").get(pk=run_id)
    progress = _Progress(run.pk)
    try:
        reports = _collect(run.source, progress)
    except parlons.ParlonsError as exc:
        _finish(run, Status.FAILED, progress.last, error=str(exc))
    except Exception:
        log.exception("collection run %s failed", run_id)
        _finish(run, Status.FAILED, progress.last,
                error="internal error: the collection stopped; what was committed before is kept")
    else:
        _finish(run, Status.DONE, reports)
    return str(run.status)


def _collect(source: CollectSource, progress: _Progress) -> list[dict[str, Any]]:
    store = parlons.Store(store_path(source.workspace_id))
    try:
        reports = _call(store, source, progress)
    except BaseException:
        _close(store)
        raise
    store.close()
    return [asdict(r) for r in reports]


def _call(store: Any, source: CollectSource, progress: _Progress) -> list[Any]:
    common: dict[str, Any] = {"max_requests": source.max_requests, "progress": progress, "reach": reach()}
    if source.platform == CollectSource.Platform.MASTODON:
        return [parlons.collect_mastodon(store, source.target, instance=source.server or None, **common)]
    if source.platform == CollectSource.Platform.BLUESKY:
        return [parlons.collect_bluesky(store, source.target, service=source.server or None, **common)]
    return list(parlons.collect_feeds(store, [source.target], **common))


def _close(store: Any) -> None:
    """After a failure: keep every committed batch, but leave no empty store behind a first run."""
    if store.created and store.con.execute("SELECT count(*) FROM posts").fetchall()[0][0] == 0:
        store.discard()
    else:
        store.close()


class _Progress:
    """Keeps the collectors' report so far and writes its counts to the run, at most once a second."""

    def __init__(self, run_id: int) -> None:
        self.run_id, self.last_write = run_id, 0.0
        self.last: list[dict[str, Any]] = []

    def __call__(self, report: Any) -> None:
        self.last = [asdict(report)]
        now = time.monotonic()
        if now - self.last_write >= 1.0:
            self.last_write = now
            CollectRun.objects.filter(pk=self.run_id).update(**_counts(self.last))


def _counts(reports: list[dict[str, Any]]) -> dict[str, int]:
    return {key: sum(int(r[key]) for r in reports) for key in ("requests", "fetched", "inserted", "already_stored")}


def _finish(run: CollectRun, status: str, reports: list[dict[str, Any]], *, error: str = "") -> None:
    with transaction.atomic():
        run.status, run.error, run.finished_at, run.report = status, error, timezone.now(), reports
        for key, value in _counts(reports).items():
            setattr(run, key, value)
        run.save()
        if run.inserted:
            Workspace.objects.filter(pk=run.workspace_id).update(generation=F("generation") + 1)
    if run.inserted:
        warm(run.workspace_id)
