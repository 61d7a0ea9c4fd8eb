"""Collection in the workspace: sources to collect, runs in the background, their progress."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..i18n import _
from ..workspaces.access import Access, require, signed_in
from .forms import CollectSourceForm
from .models import CollectRun, CollectSource
from .tasks import collect_posts

__all__ = ["remove_source", "run_source", "run_status", "sources"]

ACTIVE = (CollectRun.Status.QUEUED, CollectRun.Status.RUNNING)


@require("collect")
@require_http_methods(["GET", "POST"])
def sources(request: HttpRequest, access: Access) -> HttpResponse:
    """The workspace's sources and recent runs; POST adds a source and runs it at once."""
    form = CollectSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        source, _created = CollectSource.objects.update_or_create(
            workspace=access.workspace, platform=data["platform"], target=data["target"], server=data["server"],
            defaults={"max_requests": data["max_requests"]}, create_defaults={
                "max_requests": data["max_requests"], "created_by": signed_in(request)})
        return _start(request, access, source)
    found = CollectSource.objects.filter(workspace=access.workspace)
    runs = CollectRun.objects.filter(workspace=access.workspace).select_related("source")[:20]
    latest = {r.source_id: r for r in reversed(runs)}
    return render(request, "imports/collect.html", {"access": access, "form": form, "sources": found,
                                                    "runs": runs, "latest": latest},
                  status=400 if form.errors else 200)


@require("collect")
@require_POST
def run_source(request: HttpRequest, access: Access, source: int) -> HttpResponse:
    """Collect the source again: what is new since its cursor."""
    return _start(request, access, get_object_or_404(CollectSource, pk=source, workspace=access.workspace))


@require("collect")
@require_POST
def remove_source(request: HttpRequest, access: Access, source: int) -> HttpResponse:
    """Stop collecting a source (the posts already collected stay in the store)."""
    found = get_object_or_404(CollectSource, pk=source, workspace=access.workspace)
    if found.runs.filter(status__in=ACTIVE).exists():
        messages.error(request, _("This source is being collected: remove it once the run has ended."))
    else:
        found.delete()
    return redirect("imports:collect", ws=access.workspace.pk)


@require("view")
def run_status(request: HttpRequest, access: Access, run: int) -> HttpResponse:
    found = get_object_or_404(CollectRun.objects.select_related("source"), pk=run, workspace=access.workspace)
    return render(request, "imports/collect_run.html", {"access": access, "run": found})


def _start(request: HttpRequest, access: Access, source: CollectSource) -> HttpResponse:
    active = source.runs.filter(status__in=ACTIVE).first()
    if active is not None:
        messages.info(request, _("This source is already being collected."))
        return redirect("imports:collect-run", ws=access.workspace.pk, run=active.pk)
    run = _queue(access, request, source)
    return redirect("imports:collect-run", ws=access.workspace.pk, run=run.pk)


@transaction.atomic
def _queue(access: Access, request: HttpRequest, source: CollectSource) -> CollectRun:
    run = CollectRun.objects.create(workspace=access.workspace, source=source, created_by=signed_in(request))
    transaction.on_commit(lambda: collect_posts.enqueue(run.pk))
    return run
