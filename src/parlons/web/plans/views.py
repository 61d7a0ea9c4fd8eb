from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

import parlons

from ..audits.services import AuditChoice, NoAudit, audit_lean
from ..dialogue.services import thread_context
from ..i18n import N_, _, current_language
from ..workspaces.access import Access, require, signed_in
from .interview import KEYS, STEPS, Draft, answers_from_post, step_view
from .models import PlanVersion
from .progress import chart, progress, record
from .services import (
    MAX_BYTES,
    PlanInvalid,
    add_version,
    check,
    diff,
    document,
    edit_objective,
    kpi_progress,
    latest,
    starter,
)


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
        context["kpis"] = [_plan_kpi(k, current_language()) for k in
                           kpi_progress(context.get("data") or {}, _audits(access))]
        for objective in (context.get("data") or {}).get("objectives") or []:
            context.setdefault("threads", {})[str(objective.get("id"))] = thread_context(
                request, access, f"plan:{objective.get('id')}")
    return render(request, "plans/plan.html", context)


def _plan_kpi(kpi: dict[str, Any], lang: str) -> dict[str, Any]:
    """A KPI of the plan page as the indicators page words it: the figure's name, values in its unit, dates."""
    metric, figure = str(kpi["metric"]), kpi["figure"]
    op, _space, number = str(kpi["target"]).strip().partition(" ")
    try:
        goal = f"{SYMBOLS.get(op, op)} {parlons.format_kpi_value(metric, float(number), lang)}"
    except ValueError:
        goal = str(kpi["target"])
    base = kpi["baseline"]
    return {**kpi, "name": parlons.metric_label(metric, lang) if metric else "", "goal": goal,
            "base": parlons.format_kpi_value(metric, base, lang) if isinstance(base, int | float) else "",
            "now": parlons.format_kpi_value(metric, figure.get("value"), lang) if figure else "",
            "due": _day(kpi["deadline"], lang) if kpi["deadline"] else ""}


SEVERITIES = (N_("error"), N_("warning"))
"""The severities of ``plan check`` findings, as the page names them."""


def _audits(access: Access) -> list[dict[str, Any]] | None:
    """The audit of the workspace's default choice (its lean copy: every figure, no list), when there is one."""
    try:
        return audit_lean(access.workspace, AuditChoice(peers=tuple(access.workspace.names("peers"))))
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


def _draft(request: HttpRequest, access: Access, empty: bool = False) -> Draft:
    """The user's interview for the workspace; a new one starts from the current plan (as the
    terminal's resumes the file), unless the user asked for an empty plan."""
    draft = Draft.load(request, access.workspace)
    if not draft.started or empty:
        current = None if empty else latest(access.workspace)
        try:
            doc = document(current.text) if current is not None else None
        except PlanInvalid:
            doc = None
        draft.begin(current.number if current is not None and doc is not None else None, doc)
    return draft


@require("edit_plan")
def interview(request: HttpRequest, access: Access) -> HttpResponse:
    """The interview where it stopped (its first step for a new one)."""
    return redirect("plans:interview-step", ws=access.workspace.pk, step=_draft(request, access).resume())


@require("edit_plan")
@require_POST
def interview_restart(request: HttpRequest, access: Access) -> HttpResponse:
    """Start again: from the current plan, or from an empty one (``empty``)."""
    Draft.load(request, access.workspace).clear()
    _draft(request, access, empty=bool(request.POST.get("empty")))
    return redirect("plans:interview-step", ws=access.workspace.pk, step=KEYS[0])


@require("edit_plan")
def interview_step(request: HttpRequest, access: Access, step: str) -> HttpResponse:
    """One step: GET shows it with the answers kept; POST keeps the answers, then goes back, adds an
    item, or checks the step and goes on (the last step creates the plan's new version)."""
    if step not in STEPS:
        raise Http404("no such step")
    draft, lang = _draft(request, access), current_language()
    if request.method != "POST":
        return _step_page(request, access, draft, step)
    answers = answers_from_post(STEPS[step], request.POST)
    draft.answers[step] = answers
    draft.save()
    action, index = str(request.POST.get("action", "next")), KEYS.index(step)
    if action == "back":
        return redirect("plans:interview-step", ws=access.workspace.pk, step=KEYS[max(index - 1, 0)])
    if action == "add":
        answers["rows"].append({})
        draft.save()
        return redirect("plans:interview-step", ws=access.workspace.pk, step=step)
    problems = parlons.answer_interview_step(parlons.interview_draft(draft.answers, lang, step), step, answers, lang)
    if problems:
        return _step_page(request, access, draft, step, problems)
    draft.mark_done(step)
    draft.save()
    if index + 1 < len(KEYS):
        return redirect("plans:interview-step", ws=access.workspace.pk, step=KEYS[index + 1])
    return _finish(request, access, draft)


def _step_page(request: HttpRequest, access: Access, draft: Draft, step: str,
               problems: list[Any] | None = None) -> HttpResponse:
    lang = current_language()
    context = {"access": access, "view": step_view(draft, step, lang, problems), "done": draft.done,
               "steps": [(s.key, s.label(lang)) for s in parlons.INTERVIEW_STEPS], "has_problems": bool(problems),
               "based_on": draft.based_on, "has_plan": latest(access.workspace) is not None}
    return render(request, "plans/interview.html", context, status=400 if problems else 200)


def _finish(request: HttpRequest, access: Access, draft: Draft) -> HttpResponse:
    """The plan the answers make, as a new version; a step whose answers no longer hold is shown again."""
    current = latest(access.workspace) if draft.based_on is not None else None
    try:
        base = document(current.text) if current is not None else None
    except PlanInvalid:
        base = None
    text, problems = parlons.plan_from_interview(draft.answers, current_language(), base)
    if problems:
        return _step_page(request, access, draft, problems[0].step, [p for p in problems if p.step == problems[0].step])
    try:
        version = add_version(access.workspace, signed_in(request), text, "interview")
    except PlanInvalid as exc:
        messages.error(request, _("The plan was not saved: %(problem)s") % {"problem": str(exc)})
        return _step_page(request, access, draft, KEYS[-1])
    draft.clear()
    messages.success(request, _("The interview made version %(num)s of the plan.") % {"num": version.number})
    return redirect("plans:plan", ws=access.workspace.pk)


@require("view")
def fit(request: HttpRequest, access: Access) -> HttpResponse:
    """``parlons plan fit``: every platform scored for the current plan, with the reasons of its score."""
    current, lang = latest(access.workspace), current_language()
    context: dict[str, Any] = {"access": access, "current": current, "fits": []}
    if current is not None:
        try:
            data, _findings = check(current.text, lang)
        except PlanInvalid as exc:
            context["problem"] = str(exc)
        else:
            context["fits"] = parlons.recommend(data, lang)
            context["threshold"] = 4
    return render(request, "plans/fit.html", context)


KPI_WORDS = (N_("met"), N_("not met"), N_("overdue"), N_("too few"), N_("unknown"), N_("no target"), N_("better"),
             N_("worse"), N_("steady"))
"""The words of a KPI's status and trend (``parlons.KpiProgress``), as the progress page names them."""


@require("view")
def kpis(request: HttpRequest, access: Access) -> HttpResponse:
    """Each KPI of the plan over the successive audits: a chart, its measurements, where it stands."""
    current, lang = latest(access.workspace), current_language()
    context: dict[str, Any] = {"access": access, "current": current, "items": []}
    try:
        data = check(current.text, lang)[0] if current is not None else {}
        audits = audit_lean(access.workspace, AuditChoice(peers=tuple(access.workspace.names("peers"))))
    except PlanInvalid as exc:
        context["problem"] = str(exc)
    except NoAudit as exc:
        context["no_audit"] = str(exc)
    else:
        record(access.workspace, access.workspace.generation, audits)
        context["items"] = [_kpi_item(entry, lang) for entry in progress(access.workspace, data, audits)]
    return render(request, "plans/kpis.html", context)


SYMBOLS = {">=": "≥", "<=": "≤", "==": "="}


def _day(value: object, lang: str) -> str:
    """A date as the reader writes it (« 31 décembre 2025 »); empty when there is none."""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return format_date(day, format="long", locale=lang)


def _kpi_item(entry: dict[str, Any], lang: str) -> dict[str, Any]:
    p = entry["kpi"]
    name = parlons.metric_label(p.metric, lang)
    show = [(d, parlons.format_kpi_value(p.metric, v, lang)) for d, v in p.series]
    alt = name + ": " + "; ".join(f"{d} {v}" for d, v in show)
    base, target = (p.baseline or {}).get("value"), p.target
    goal = f"{SYMBOLS.get(target.op, target.op)} {parlons.format_kpi_value(p.metric, target.value, lang)}" \
        if target else ""
    return {"p": p, "name": name, "chart": chart(p, lang, alt) if p.series else None, "target": goal,
            "baseline": parlons.format_kpi_value(p.metric, base, lang) if isinstance(base, int | float) else "",
            "current": parlons.format_kpi_value(p.metric, p.current.value, lang), "date": _day(p.date, lang),
            "deadline": _day(p.deadline, lang),
            "rows": [{"day": _day(r.date, lang), "value": parlons.format_kpi_value(p.metric, r.value, lang), "n": r.n,
                      "status": r.status} for r in entry["rows"]]}
