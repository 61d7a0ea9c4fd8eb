"""The workspace's navigation: its sections in the header, and each section's own pages below it.

Every page of a workspace reaches every other section from the header (what the reader's role may
open), and the pages of its own section from the line below the title: the verdict and the
families for the audit; the plan, its interview, platform fit and indicators over time for the
plan; imports and collection for the data. The current page is marked (``aria-current``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from .audits.definitions import titles
from .i18n import N_, _, current_language
from .workspaces.access import Access

__all__ = ["Link", "section_links", "workspace_links"]


@dataclass(frozen=True)
class Link:
    label: str
    href: str
    current: bool


SECTIONS: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    # label, URL name, permission (None: every member), the views that belong to the section
    (N_("Verdict"), "audits:overview", None, ("audits:overview", "audits:family")),
    (N_("Inbox"), "audits:inbox", None, ("audits:inbox", "audits:request")),
    (N_("Plan"), "plans:plan", None, ("plans:",)),
    (N_("Imports"), "imports:upload", "import", ("imports:upload", "imports:job")),
    (N_("Collection"), "imports:collect", "collect", ("imports:collect",)),
    (N_("People"), "workspaces:members", None, ("workspaces:members", "workspaces:invite", "workspaces:resend")),
    (N_("Settings"), "workspaces:settings", "configure", ("workspaces:settings",)),
)

FAMILIES = ("responsiveness", "conversation", "broadcast", "voice", "content", "function", "coverage")

PLAN_PAGES: tuple[tuple[str, str, str | None, tuple[str, ...]], ...] = (
    (N_("Plan"), "plans:plan", None, ("plans:plan", "plans:diff")),
    (N_("Plan interview"), "plans:interview", "edit_plan", ("plans:interview",)),
    (N_("Platform fit"), "plans:fit", None, ("plans:fit",)),
    (N_("Indicators over time"), "plans:kpis", None, ("plans:kpis",)),
)


def _view(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return str(match.view_name) if match is not None else ""


def _links(request: HttpRequest, access: Access,
           entries: tuple[tuple[str, str, str | None, tuple[str, ...]], ...]) -> list[Link]:
    view, ws = _view(request), access.workspace.pk
    return [Link(_(label), reverse(name, kwargs={"ws": ws}), any(view.startswith(v) for v in views))
            for label, name, permission, views in entries if permission is None or access.can(permission)]


def _choice_query(request: HttpRequest) -> str:
    """The page's choice of period and peers (``?chosen=1&since=...``), kept from one audit page to the next."""
    query = QueryDict(mutable=True)
    for name in ("chosen", "since", "until", "peer"):
        values = request.GET.getlist(name)
        if values:
            query.setlist(name, values)
    return "?" + query.urlencode() if query else ""


def workspace_links(request: HttpRequest, access: Access) -> list[Link]:
    """The sections of the workspace that the reader's role may open."""
    return _links(request, access, SECTIONS)


def section_links(request: HttpRequest, access: Access) -> list[Link]:
    """The pages of the current section (none for a section of one page)."""
    view, ws = _view(request), access.workspace.pk
    if view.startswith("plans:"):
        return _links(request, access, PLAN_PAGES)
    if view in {"audits:overview", "audits:family"}:
        family = (request.resolver_match.kwargs.get("family") if request.resolver_match else None) or ""
        names, query = titles(current_language()), _choice_query(request)
        return [Link(_("Verdict"), reverse("audits:overview", kwargs={"ws": ws}) + query, view == "audits:overview"),
                *(Link(names.get(f, f), reverse("audits:family", kwargs={"ws": ws, "family": f}) + query,
                       f == family) for f in FAMILIES)]
    if view.startswith("imports:") and access.can("import") and access.can("collect"):
        return _links(request, access, SECTIONS[3:5])
    return []
