"""The workspace's audit through parlons' public API, cached per period and peers.

The cache key holds the audit's parameters; a row is valid for one *generation* of the
workspace's store, which every successful import increments, so an import invalidates every
cached result at once (older generations are deleted when a new result is stored). The report's
charts (``parlons.audit_charts``) are cached beside each result, per language and section, and
deleted with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from django.conf import settings

import parlons

from ..i18n import N_
from ..imports.models import CollectRun, ImportJob
from ..stores import store_path
from ..workspaces.models import Workspace
from .models import AuditResult, RenderedCharts

if TYPE_CHECKING:  # the public parlons.AuditResult, named for the type checker
    from parlons.audit.result import AuditResult as Result

__all__ = ["FAMILIES", "AuditChoice", "NoAudit", "StoreBusy", "accounts_in_store", "audit", "audit_data", "audit_lean",
           "audit_row", "figure_keys", "figures", "section_charts"]

FAMILIES = ("responsiveness", "conversation", "broadcast", "voice", "content", "function", "coverage")


class NoAudit(Exception):
    """Why there is no audit to show yet (a sentence for the page: a msgid of the catalogs when the
    workspace words it, else parlons' own message)."""


NO_ACCOUNT = N_("no account chosen")
NOTHING_IMPORTED = N_("nothing imported yet")
UNREADABLE = N_("the workspace's store cannot be read (the server's log says why)")
log = logging.getLogger(__name__)


class StoreBusy(Exception):
    """The workspace's store cannot be read now: an import or a collection run holds it (DuckDB keeps
    the store's write lock for the whole run). ``job`` is that import or run, when the workspace knows it."""

    def __init__(self, workspace: Workspace, job: ImportJob | CollectRun | None) -> None:
        super().__init__(f"the store of workspace {workspace.pk} is busy")
        self.workspace, self.job = workspace, job


def busy_with(workspace: Workspace) -> ImportJob | CollectRun | None:
    """The import or collection run that holds the workspace's store now, if any."""
    job = ImportJob.objects.filter(workspace=workspace, status=ImportJob.Status.RUNNING).first()
    return job or CollectRun.objects.filter(workspace=workspace, status=CollectRun.Status.RUNNING).first()


@dataclass(frozen=True)
class AuditChoice:
    since: date | None = None
    until: date | None = None
    peers: tuple[str, ...] = ()

    def key(self, workspace: Workspace) -> str:
        params = [workspace.account, workspace.together, workspace.timezone, workspace.name,
                  str(self.since or ""), str(self.until or ""), list(self.peers)]
        return hashlib.sha256(json.dumps(params).encode()).hexdigest()


def audit_data(workspace: Workspace, choice: AuditChoice) -> list[dict[str, Any]]:
    """The JSON form (``parlons.dump_audits``, schema ``parlons.AUDIT_SCHEMA_VERSION``) of parlons'
    typed results for the workspace's account and the chosen peers: what the pages read. Computed
    once per store generation, then read from the cache as it was written."""
    stored: list[dict[str, Any]] = audit_row(workspace, choice).result
    return stored


def audit_row(workspace: Workspace, choice: AuditChoice, *, unread: tuple[str, ...] = ()) -> AuditResult:
    """The cache row of the audit for ``choice`` in the store's current generation (audited if missing).

    ``unread`` names the fields left unread (``result``, ``requests``): ``row.lean`` is the result
    without its lists of unanswered requests (most of its size on a large store), what the verdict
    and family pages show; ``row.requests`` is the audited account's list, what the inbox shows.
    A fresh audit has its charts drawn at once, in both languages (unless
    ``PARLONS_CHARTS_WITH_AUDIT`` is false), so that the import worker, which audits the default
    choice, leaves every page cached."""
    if not workspace.account:
        raise NoAudit(NO_ACCOUNT)
    key = choice.key(workspace)
    rows = AuditResult.objects.filter(workspace=workspace, generation=workspace.generation, key=key)
    cached = rows.defer(*unread).first()
    if cached is not None:
        if cached.lean is None:  # cached before the lean copy existed (both are written together)
            cached.lean, cached.requests = _lean(cached.result), _requests(cached.result)
            cached.save(update_fields=["lean", "requests"])
        return cached
    results = _run(workspace, choice)
    AuditResult.objects.filter(workspace=workspace, generation__lt=workspace.generation).delete()
    result = json.loads(parlons.dump_audits(results))
    row, _created = AuditResult.objects.update_or_create(workspace=workspace, generation=workspace.generation, key=key,
                                                         defaults={"result": result, "lean": _lean(result),
                                                                   "requests": _requests(result)})
    if getattr(settings, "PARLONS_CHARTS_WITH_AUDIT", True):
        for lang in LANGUAGES:
            _draw(row, results, lang, parlons.CHART_SECTIONS)
    return row


LANGUAGES = ("fr", "en")


def _lean(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``result`` without the unanswered requests listed in each audit (their number stays)."""
    def lean(audit: dict[str, Any]) -> dict[str, Any]:
        responsiveness = audit.get("responsiveness")
        if isinstance(responsiveness, dict) and "unanswered_requests" in responsiveness:
            return {**audit, "responsiveness": {**responsiveness, "unanswered_requests": []}}
        return audit
    return [lean(audit) for audit in result]


def _requests(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audited account's unanswered requests (the first audit's), as the audit lists them."""
    listed: list[dict[str, Any]] = (result[0].get("responsiveness") or {}).get("unanswered_requests") or []
    return listed


def section_charts(workspace: Workspace, choice: AuditChoice, lang: str, section: str,
                   row: AuditResult | None = None) -> list[dict[str, Any]]:
    """The report's charts of ``section`` for the audit of ``choice``, in ``lang`` (``parlons.audit_charts``):
    ``name``, ``caption``, ``alt``, ``width``, ``height`` and the inert ``svg`` of each. Drawn once per
    cached audit result and language, then read from the cache (deleted with the audit result).
    ``row`` is the audit's cache row when the caller holds it already."""
    cached = RenderedCharts.objects.filter(audit__workspace=workspace, audit__generation=workspace.generation,
                                           audit__key=choice.key(workspace), lang=lang, section=section)
    for found in cached.values_list("charts", flat=True):
        stored: list[dict[str, Any]] = found
        return stored
    row = row or audit_row(workspace, choice)
    audits = parlons.load_audits(json.dumps(row.lean if row.lean is not None else row.result))  # charts need no list
    return _draw(row, audits, lang, (section,))[section]


def _draw(row: AuditResult, audits: list[Result], lang: str,
          sections: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Draw the charts of ``sections`` for the cached audit ``row`` (typed as ``audits``) and keep them."""
    drawn: dict[str, list[dict[str, Any]]] = {section: [] for section in sections}
    for chart in parlons.audit_charts(audits, lang, sections[0] if len(sections) == 1 else None):
        if chart.section in drawn:
            drawn[chart.section].append({"name": chart.name, "caption": chart.caption, "alt": chart.alt,
                                         **_size(chart.svg), "svg": chart.svg})
    for section, charts in drawn.items():
        RenderedCharts.objects.get_or_create(audit=row, lang=lang, section=section, defaults={"charts": charts})
    return drawn


SIZE = re.compile(r'<svg[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"')


def _size(svg: str) -> dict[str, int]:
    """The drawing's own width and height (for the page's ``<img>``, so nothing moves while it loads)."""
    match = SIZE.match(svg)
    return {"width": int(match[1]), "height": int(match[2])} if match else {}


def audit_lean(workspace: Workspace, choice: AuditChoice) -> list[dict[str, Any]]:
    """The JSON form of the audit for ``choice`` without the lists of unanswered requests: every
    figure, a few kilobytes even on a large store (what the verdict, family and plan pages read)."""
    row = audit_row(workspace, choice, unread=("result", "requests"))
    lean: list[dict[str, Any]] = row.lean if row.lean is not None else _lean(row.result)
    return lean


def audit(workspace: Workspace, choice: AuditChoice) -> list[Result]:
    """The typed results (``parlons.load_audits`` validates the cached JSON), for the report."""
    loaded: list[Result] = parlons.load_audits(json.dumps(audit_data(workspace, choice)))
    return loaded


def _run(workspace: Workspace, choice: AuditChoice) -> list[Result]:
    path = store_path(workspace.pk)
    if not path.exists():
        raise NoAudit(NOTHING_IMPORTED)
    together = workspace.names("together")
    since = datetime.combine(choice.since, time.min, UTC) if choice.since else None
    until = datetime.combine(choice.until, time.max, UTC) if choice.until else None
    con = _open(workspace)
    try:
        results: list[Result] = parlons.run_audit(con, [workspace.account, *choice.peers], together=together,
                                 label=workspace.name if together else None, since=since, until=until,
                                 settings=parlons.AuditSettings(timezone=workspace.timezone))
        return results
    except parlons.ParlonsError as exc:
        raise NoAudit(str(exc)) from None
    finally:
        con.close()


def _open(workspace: Workspace) -> Any:
    """The store, read-only; :class:`StoreBusy` while an import or a collection holds it."""
    try:
        return parlons.open_posts(store_path(workspace.pk))
    except parlons.ParlonsError as exc:
        job = busy_with(workspace)
        if job is not None or "lock" in str(exc).lower():
            raise StoreBusy(workspace, job) from None
        if "is empty" in str(exc):
            raise NoAudit(NOTHING_IMPORTED) from None
        log.error("workspace %s: the store cannot be opened: %s", workspace.pk, exc)
        raise NoAudit(UNREADABLE) from None  # the store's path and DuckDB's words stay in the server's log


def accounts_in_store(workspace: Workspace) -> list[tuple[str, str, int]]:
    """(platform, account, posts) of every account with posts in the store, largest first."""
    path = store_path(workspace.pk)
    if not path.exists():
        return []
    try:
        con = parlons.open_posts(path)
    except parlons.ParlonsError:
        return []
    try:
        rows = con.execute("SELECT platform, account, count(*) FROM posts GROUP BY ALL "
                           "ORDER BY 3 DESC, 2 LIMIT 200").fetchall()
    finally:
        con.close()
    return [(str(p), str(a), int(n)) for p, a, n in rows]


@dataclass(frozen=True)
class Figure:
    key: str
    value: float | None
    n: int | None
    status: str
    kind: str


def figures(family: dict[str, Any], prefix: str = "") -> list[Figure]:
    """Every figure of a family (``{value, n, status}``), and its plain counts, in order, nested keys dotted."""
    out: list[Figure] = []
    for key, value in family.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "value" in value and "n" in value:
            out.append(Figure(name, value.get("value"), value.get("n"), str(value.get("status", "")),
                              "duration" if key.endswith("_s") else "share" if key.endswith("share") else "number"))
        elif isinstance(value, dict) and key not in {"reference", "evidence"}:
            out += figures(value, name + ".")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out.append(Figure(name, float(value), None, "ok", "duration" if key.endswith("_s") else "count"))
    return out


def figure_keys(audits: list[dict[str, Any]], family: str) -> list[str]:
    """The keys of a family's rows: the audited account's figures, then any a peer has that it lacks (an own
    archive leaves its responsiveness unknown, while a peer's support CSV gives the peer's)."""
    keys: dict[str, None] = {}
    for audit in audits:
        keys.update((f.key, None) for f in figures(audit.get(family) or {}))
    return list(keys)
