"""A page that needs the store while an import or a collection holds it: a clear page, not an error.

DuckDB keeps a store's write lock for the whole import or collection run, so a page whose audit is
not cached yet (another period, the first audit after an import) or the report download cannot
open it until the run ends. :class:`StoreBusyMiddleware` turns :class:`~.services.StoreBusy`, from
any view, into a page in the reader's language that says so, links to the run's progress and
reloads itself (HTTP 503 with ``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ..imports.models import CollectRun, ImportJob
from ..workspaces.access import workspace_access
from .services import StoreBusy

__all__ = ["RETRY_SECONDS", "StoreBusyMiddleware", "progress_link"]

RETRY_SECONDS = 5


def progress_link(busy: StoreBusy) -> tuple[str, str]:
    """(kind, address) of the run that holds the store: ``import``, ``collect`` or ``unknown`` (no address)."""
    ws = busy.workspace.pk
    if isinstance(busy.job, ImportJob):
        return "import", reverse("imports:job", kwargs={"ws": ws, "job": busy.job.pk})
    if isinstance(busy.job, CollectRun):
        return "collect", reverse("imports:collect-run", kwargs={"ws": ws, "run": busy.job.pk})
    return "unknown", ""


class StoreBusyMiddleware:
    """Renders :class:`StoreBusy` as the *wait* page (the view already checked the reader's access)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StoreBusy):
            return None
        kind, link = progress_link(exception)
        context = {"access": workspace_access(request, exception.workspace.pk), "kind": kind, "link": link,
                   "job": exception.job, "retry": RETRY_SECONDS}
        response = render(request, "audits/busy.html", context, status=503)
        response["Retry-After"] = str(RETRY_SECONDS)
        return response
