"""The report a client reads: one self-contained HTML file, or a PDF for A4, in French or English.

``render(audits, output)`` takes what :func:`parlons.audit.run_audit` returns (the first audit is the
subject, the others its peers) and writes ``output``: HTML when it ends in ``.html``, PDF when it
ends in ``.pdf``. The page is built by a Jinja2 template with autoescaping (strangers' texts are
never markup; links are sanitized by nh3), charts are Vega-Lite specifications rendered to SVG
by vl-convert, and the PDF is the same page laid out by WeasyPrint with the print style sheet.
Nothing is fetched from the network, when rendering or when the page is opened.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .. import __version__
from ..audit.result import AuditResult
from ..errors import UsageError
from ..i18n import N_, resolve_language, translator
from .charts import Chart
from .fmt import Formatter
from .methods import MetricDefinition, metric_definitions
from .unanswered import csv_path, to_csv
from .view import CHART_SECTIONS, build_view, section_charts

__all__ = ["CHART_SECTIONS", "SUFFIXES", "Chart", "MetricDefinition", "audit_charts", "metric_definitions", "render",
           "render_html"]

TEMPLATES = Path(__file__).with_name("templates")
SUFFIXES = (".html", ".htm", ".pdf")


def _environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined,
                             trim_blocks=False, lstrip_blocks=False)
    env.install_gettext_translations(translator(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


ZONE_SOURCES = {"option": N_("as asked"), "plan": N_("the plan's zone"), "machine": N_("this computer's zone"),
                "default": N_("no zone found on this computer")}
"""Where the report's time zone came from (:mod:`parlons.timezones`), said next to it."""


def render_html(audits: list[AuditResult], *, lang: str = "fr", plan: dict[str, Any] | None = None,
                charts: bool = True, csv_name: str | None = None, timezone_source: str | None = None) -> str:
    """The report as one HTML page (``charts=False`` leaves the charts out, for quick tests).

    ``csv_name`` names the file beside the report that holds the whole unanswered list;
    ``timezone_source`` (``option``, ``plan``, ``machine`` or ``default``) is said next to the zone.
    """
    if not audits:
        raise UsageError("there is no audit to report on")
    code = _language(lang)
    context = build_view(audits, code, translator(code), plan, charts_on=charts, csv_name=csv_name)
    if timezone_source in ZONE_SOURCES:
        context["timezone"] += f" ({translator(code).gettext(ZONE_SOURCES[timezone_source])})"
    css = Markup((TEMPLATES / "report.css").read_text(encoding="utf-8"))
    context.update(css=css, version=__version__,
                   generated=Formatter(code).date(datetime.now(UTC)))
    return _environment(code).get_template("report.html.j2").render(**context)


def audit_charts(audits: list[AuditResult], lang: str = "fr", section: str | None = None) -> list[Chart]:
    """The charts the report shows for ``audits`` (the first is the subject, the others its peers).

    Each :class:`Chart` is drawn as in the report, from the same figures: its ``svg`` (inert), its
    ``alt`` text and its ``caption``, in ``lang``. ``section`` keeps one section's charts
    (``responsiveness``, ``conversation``, ``content``, ``function``, ``peers``: ``CHART_SECTIONS``);
    a section whose data cannot draw a chart has none (no requests, a single account for ``peers``).
    """
    if not audits:
        raise UsageError("there is no audit to draw")
    if section is not None and section not in CHART_SECTIONS:
        raise UsageError(f"no chart section {section!r}; the sections are {', '.join(CHART_SECTIONS)}")
    code = _language(lang)
    return section_charts(audits, code, translator(code), CHART_SECTIONS if section is None else (section,))


def _language(lang: str) -> str:
    try:
        return resolve_language(lang)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def render(audits: list[AuditResult], output: Path, *, lang: str = "fr", plan: dict[str, Any] | None = None,
           timezone_source: str | None = None) -> Path:
    """Write the report of ``audits`` to ``output`` (.html or .pdf), whole or not at all; return its path.

    The whole list of unanswered requests that ask goes beside it, to ``NAME.unanswered.csv``.
    """
    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(f"the report's file name must end in .html or .pdf, got {output.name!r}")
    table = to_csv(audits[0], lang) if audits else None
    page = render_html(audits, lang=lang, plan=plan, csv_name=csv_path(output).name if table else None,
                       timezone_source=timezone_source)
    data = _pdf(page) if suffix == ".pdf" else page.encode("utf-8")
    if table is not None:
        _write_whole(csv_path(output), table)
    _write_whole(output, data)
    return output


def _pdf(page: str) -> bytes:
    """The page laid out for A4 by WeasyPrint; only ``data:`` URIs may be read (the page holds no other)."""
    from weasyprint import HTML  # imported here: loading pango takes a moment, and HTML output needs none of it
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    document: bytes = HTML(string=page, url_fetcher=fetcher, base_url=None).write_pdf()
    return document


def _write_whole(output: Path, data: bytes) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
