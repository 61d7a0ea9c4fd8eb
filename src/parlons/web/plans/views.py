from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from ..audits.services import AuditChoice, NoAudit, audit_data
from ..dialogue.services import thread_context
from ..i18n import N_, _, current_language
from ..workspaces.access import Access, require, signed_in
from .models import PlanVersion
from .services import MAX_BYTES, PlanInvalid, add_version, check, diff, edit_objective, kpi_progress, latest, starter


@require("view")
def plan(request: HttpRequest, access: Access) -> HttpResponse:
    current = latest(access.workspace)
    context: dict[str, Any] = {"access": access, "current": current,
               "versions": PlanVersion.objects.filter(workspace=access.workspace).select_related("author")[:50]}
    if current is not None:
        try:
            context["data"], context["findings"] = check(current.text, current_language())
        except PlanInvalid as exc:
            context["problem"] = str(exc)
        context["kpis"] = kpi_progress(context.get("data") or {}, _audits(access))
        for objective in (context.get("data") or {}).get("objectives") or []:
            context.setdefault("threads", {})[str(objective.get("id"))] = thread_context(
                request, access, f"plan:{objective.get('id')}")
    return render(request, "plans/plan.html", context)


SEVERITIES = (N_("error"), N_("warning"))
"""The severities of ``plan check`` findings, as the page names them."""


def _audits(access: Access) -> list[dict[str, Any]] | None:
    """The audit of the workspace's default choice, when there is one."""
    try:
        return audit_data(access.workspace, AuditChoice(peers=tuple(access.workspace.names("peers"))))
    except NoAudit:
        return None


@require("edit_plan")
@require_POST
def start(request: HttpRequest, access: Access) -> HttpResponse:
    if latest(access.workspace) is None:
        add_version(access.workspace, signed_in(request), starter(access.workspace, current_language()), "first plan")
    return redirect("plans:plan", ws=access.workspace.pk)


@require("edit_plan")
@require_POST
def upload(request: HttpRequest, access: Access) -> HttpResponse:
    file = request.FILES.get("plan")
    if file is None or (file.size or 0) > MAX_BYTES:
        messages.error(request, _("Choose a plan file (YAML) of at most 512 KB."))
        return redirect("plans:plan", ws=access.workspace.pk)
    try:
        text = file.read().decode("utf-8")
        add_version(access.workspace, signed_in(request), text, "uploaded " + (file.name or "")[:200])
    except UnicodeDecodeError:
        messages.error(request, _("The plan file is not UTF-8 text."))
    except PlanInvalid as exc:
        messages.error(request, _("The plan was not saved: %(problem)s") % {"problem": str(exc)})
    return redirect("plans:plan", ws=access.workspace.pk)


@require("edit_plan")
@require_POST
def objective(request: HttpRequest, access: Access) -> HttpResponse:
    current = latest(access.workspace)
    new_text = str(request.POST.get("text", "")).strip()[:1000]
    if current is None or not new_text:
        messages.error(request, _("The objective was not saved."))
        return redirect("plans:plan", ws=access.workspace.pk)
    objective_id = str(request.POST.get("objective", ""))
    try:
        add_version(access.workspace, signed_in(request), edit_objective(current.text, objective_id, new_text),
                    f"objective {objective_id[:100]}")
    except PlanInvalid as exc:
        messages.error(request, _("The plan was not saved: %(problem)s") % {"problem": str(exc)})
    else:
        messages.success(request, _("Objective saved."))
    return redirect("plans:plan", ws=access.workspace.pk)


@require("view")
def download(request: HttpRequest, access: Access, number: int) -> HttpResponse:
    version = get_object_or_404(PlanVersion, workspace=access.workspace, number=number)
    response = HttpResponse(version.text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="plan-v{version.number}.yaml"'
    return response


@require("view")
def version_diff(request: HttpRequest, access: Access, number: int) -> HttpResponse:
    version = get_object_or_404(PlanVersion, workspace=access.workspace, number=number)
    previous = PlanVersion.objects.filter(workspace=access.workspace, number__lt=number).order_by("-number").first()
    return render(request, "plans/diff.html", {"access": access, "version": version, "previous": previous,
                                               "lines": diff(previous, version)})
