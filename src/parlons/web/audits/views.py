from __future__ import annotations

import csv
import tempfile
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

import parlons

from ..dialogue.services import thread_context
from ..i18n import _, current_language
from ..workspaces.access import Access, require
from .definitions import Lookup, definitions, rows, titles
from .models import RequestMark
from .services import (
    FAMILIES,
    AuditChoice,
    NoAudit,
    accounts_in_store,
    audit,
    audit_row,
    figure_keys,
    figures,
    section_charts,
)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _choice(request: HttpRequest, access: Access) -> AuditChoice:
    """Period and peers from the query string, clamped to valid dates and the workspace's peers."""
    allowed = access.workspace.names("peers")
    chosen = request.GET.getlist("peer") if "chosen" in request.GET else allowed
    return AuditChoice(_day(request.GET.get("since")), _day(request.GET.get("until")),
                       tuple(p for p in allowed if p in chosen))


CHOICE_PARAMS = ("chosen", "since", "until", "peer")
"""The query parameters that choose the audit (period and peers): what a chart's address carries."""


def _audit_page(request: HttpRequest, access: Access, template: str, section: str, **extra: Any) -> HttpResponse:
    choice = _choice(request, access)
    lang = current_language()
    context: dict[str, Any] = {"access": access, "choice": choice, "peers_allowed": access.workspace.names("peers"),
                               "query": request.GET.urlencode(), "titles": titles(lang), "lookup": Lookup(lang),
                               "rows": partial(rows, lang),
                               **extra}
    try:
        row = audit_row(access.workspace, choice, unread=("result", "requests"))
        context["audits"] = row.lean
        context["chart_list"] = (section_charts(access.workspace, choice, lang, section, row)
                                 if section in parlons.CHART_SECTIONS else [])
    except NoAudit as exc:
        context.update(reason=str(exc), accounts=accounts_in_store(access.workspace))
        return render(request, "audits/no_audit.html", context)
    context.update(subject=context["audits"][0], chart_section=section, chart_query=_chart_query(request, lang))
    return render(request, template, context)


def _chart_query(request: HttpRequest, lang: str) -> str:
    """The page's choice of period and peers, and its language, for the address of its charts."""
    query = QueryDict(mutable=True)
    for name in CHOICE_PARAMS:
        query.setlist(name, request.GET.getlist(name))
    query["lang"] = lang
    return query.urlencode()


@require("view")
def overview(request: HttpRequest, access: Access) -> HttpResponse:
    return _audit_page(request, access, "audits/overview.html", "peers", **thread_context(request, access, "maturity"))


@require("view")
def family(request: HttpRequest, access: Access, family: str) -> HttpResponse:
    if family not in FAMILIES:
        raise Http404("no such family")
    return _audit_page(request, access, "audits/family.html", family, family=family, figures=figures,
                       figure_keys=figure_keys,
                       **thread_context(request, access, family))


CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
"""A chart opened on its own is a drawing: nothing in it may run, load or submit anything."""


@require("view")
def chart(request: HttpRequest, access: Access, family: str, chart: str) -> HttpResponse:
    """One of the report's charts as an SVG image (the page's ``<img>``), for the period, peers and language asked."""
    if family not in parlons.CHART_SECTIONS:
        raise Http404("no such chart")
    lang = request.GET.get("lang") if request.GET.get("lang") in {"fr", "en"} else current_language()
    try:
        drawn = section_charts(access.workspace, _choice(request, access), str(lang), family)
    except NoAudit:
        raise Http404("no audit") from None
    found = next((c for c in drawn if c["name"] == chart), None)
    if found is None:
        raise Http404("no such chart")
    response = HttpResponse(found["svg"], content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = CHART_CSP
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="{family}-{chart}.svg"'
    return response


def _unanswered(access: Access, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = requests
    marks = dict(RequestMark.objects.filter(workspace=access.workspace).values_list("request_id", "status"))
    return [{**item, "mark": marks.get(str(item.get("id")), "")} for item in items]


def _filtered(request: HttpRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if request.GET.get("asking") == "1":
        items = [i for i in items if i.get("asking", i.get("asks"))]
    status = request.GET.get("status")
    if status in {"", None}:
        return items
    if status == "open":
        return [i for i in items if not i["mark"]]
    return [i for i in items if i["mark"] == status]


@require("view")
def inbox(request: HttpRequest, access: Access) -> HttpResponse:
    try:
        row = audit_row(access.workspace, _choice(request, access), unread=("result",))
    except NoAudit as exc:
        return render(request, "audits/no_audit.html", {"access": access, "reason": str(exc),
                                                        "accounts": accounts_in_store(access.workspace)})
    items = _unanswered(access, row.requests or [])
    responsiveness = (row.lean or row.result)[0]["responsiveness"]
    unanswered = responsiveness.get("unanswered")
    has_intent = any("asking" in i or "asks" in i for i in items)
    matching = _filtered(request, items)
    pages = max(1, -(-len(matching) // PER_PAGE))
    page = min(max(_number(request.GET.get("page")), 1), pages)
    others = request.GET.copy()
    others.pop("page", None)
    return render(request, "audits/inbox.html", {
        "access": access, "items": matching[(page - 1) * PER_PAGE:page * PER_PAGE], "matching": len(matching),
        "page": page, "pages": pages, "page_query": others.urlencode(), "listed": len(items),
        "total": unanswered if isinstance(unanswered, int) else len(items), "has_intent": has_intent,
        "status": request.GET.get("status", ""), "asking": request.GET.get("asking") == "1",
        "statuses": RequestMark.Status.choices, "query": request.GET.urlencode(),
        "unknown": responsiveness.get("reason") or "" if responsiveness.get("status") == "unknown" else None})


PER_PAGE = 25
"""Unanswered requests per page of the inbox (the CSV export holds them all). Each takes about a
phone's screen once its status buttons wrap: a hundred made a page dozens of screens long."""


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


@require("triage")
@require_POST
def mark(request: HttpRequest, access: Access) -> HttpResponse:
    request_id = str(request.POST.get("request", ""))[:500]
    status = request.POST.get("status", "")
    known = {str(i.get("id")) for i in _unanswered(access, _requests(request, access))}
    if request_id not in known:
        raise Http404("no such request")
    if status in RequestMark.Status.values:
        RequestMark.objects.update_or_create(workspace=access.workspace, request_id=request_id,
                                             defaults={"status": status, "marked_by": request.user})
    else:
        RequestMark.objects.filter(workspace=access.workspace, request_id=request_id).delete()
    back = QueryDict(str(request.POST.get("back", ""))).urlencode()  # re-encoded: only a query string
    return redirect(f"{reverse('audits:inbox', kwargs={'ws': access.workspace.pk})}?{back}")


def _requests(request: HttpRequest, access: Access) -> list[dict[str, Any]]:
    """The audited account's unanswered requests for the page's choice (the cache row, without the rest)."""
    listed: list[dict[str, Any]] = audit_row(access.workspace, _choice(request, access),
                                             unread=("result",)).requests or []
    return listed


CSV_COLUMNS = ("id", "author", "time", "text", "permalink", "rule", "mark")


@require("view")
def request_thread(request: HttpRequest, access: Access) -> HttpResponse:
    """One unanswered request and the team's thread about it (``?id=`` the request's id)."""
    request_id = str(request.GET.get("id", ""))[:300]
    items = {str(i.get("id")): i for i in _unanswered(access, _requests(request, access))}
    if request_id not in items:
        raise Http404("no such request")
    return render(request, "audits/request.html", {"access": access, "item": items[request_id],
                                                   **thread_context(request, access, f"request:{request_id}")})


@require("view")
def inbox_csv(request: HttpRequest, access: Access) -> HttpResponse:
    items = _filtered(request, _unanswered(access, _requests(request, access)))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="unanswered-requests.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for i in items:
        writer.writerow([_inert_cell(str(i.get(k) or "")) for k in CSV_COLUMNS])
    return response


def _inert_cell(value: str) -> str:
    """A spreadsheet never runs a cell as a formula (=, +, -, @ at the start are quoted)."""
    return "'" + value if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


REPORT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"


@require("view")
def report(request: HttpRequest, access: Access, fmt: str) -> HttpResponse:
    """The report (HTML or PDF) as a download; never run as a page of this site (sandboxed, no script)."""
    if fmt not in {"html", "pdf"}:
        raise Http404("no such format")
    audits = audit(access.workspace, _choice(request, access))
    lang = request.GET.get("lang") if request.GET.get("lang") in {"fr", "en"} else current_language()
    with tempfile.TemporaryDirectory() as folder:
        path = parlons.render(audits, Path(folder) / f"report.{fmt}", lang=lang)
        data = path.read_bytes()
    response = HttpResponse(data, content_type="text/html; charset=utf-8" if fmt == "html" else "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="parlons-report-{lang}.{fmt}"'
    response["Content-Security-Policy"] = REPORT_CSP
    return response


@login_required
def definition_list(request: HttpRequest) -> HttpResponse:
    lang = current_language()
    return render(request, "audits/definitions.html", {"families": definitions(lang), "titles": titles(lang),
                                                       "title": _("Definitions")})
