"""KPIs over successive audits: every audit of the workspace's default choice is measured and kept.

:func:`record` reads every figure a KPI may name (``parlons.kpi_metrics``) from one audit result,
as ``parlons.measure_kpis`` measures a plan, and keeps it per store generation
(:class:`~.models.KpiMeasurement`). It runs when the audit cache stores a result of the default
choice (the import worker audits right after each import) and, for a cache filled before, when the
progress page is opened. :func:`progress` gives each KPI of the plan with its series; :func:`chart`
draws one as a Vega-Lite specification rendered to SVG by vl-convert, shown as an ``<img>`` whose
source is a ``data:`` URI (the policy allows images from ``data:``; an image runs no script).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date
from typing import Any

import vl_convert
from django.core.cache import cache

import parlons

from ..workspaces.models import Workspace
from .models import KpiMeasurement

__all__ = ["chart", "history", "progress", "record", "series"]

COLORS = {"line": "#0b5cad", "target": "#1f7a3a", "baseline": "#5b6472"}
LOCALES = {"fr": "fr-FR", "en": "en-US"}


def series(workspace: Workspace) -> str:
    """What the workspace audits, as a key: its account, the accounts audited with it, its time zone."""
    what = [workspace.account, sorted(workspace.names("together")), workspace.timezone]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


def record(workspace: Workspace, generation: int, data: list[dict[str, Any]]) -> int:
    """Measure the organization's audit (``data[0]``, the JSON of ``parlons.dump_audits``) once per generation."""
    key = series(workspace)
    if not data or KpiMeasurement.objects.filter(workspace=workspace, series=key, generation=generation).exists():
        return 0
    audit = parlons.load_audits(json.dumps(data[:1]))[0]
    everything = {"kpis": [{"id": code, "metric": code} for code, _name in parlons.kpi_metrics("en")]}
    rows = [KpiMeasurement(workspace=workspace, series=key, generation=generation, metric=p.metric,
                           value=p.current.value, n=p.current.n, status=p.current.status,
                           date=date.fromisoformat(p.date))
            for p in parlons.measure_kpis(everything, audit)]
    return len(KpiMeasurement.objects.bulk_create(rows, ignore_conflicts=True))


def history(workspace: Workspace, metrics: list[str]) -> dict[str, list[KpiMeasurement]]:
    """Each metric's measurements in the workspace's current series, one per date (the latest
    generation's), oldest first."""
    out: dict[str, dict[date, KpiMeasurement]] = {m: {} for m in metrics}
    rows = KpiMeasurement.objects.filter(workspace=workspace, series=series(workspace), metric__in=metrics)
    for row in rows.order_by("date", "generation"):
        out[row.metric][row.date] = row
    return {m: list(by_date.values()) for m, by_date in out.items()}


def progress(workspace: Workspace, plan: dict[str, Any], data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each KPI of ``plan`` measured on the current audit, placed in its history, with its measurements."""
    kpis = [k for k in plan.get("kpis") or [] if isinstance(k, dict) and k.get("id")]
    past = history(workspace, sorted({str(k.get("metric")) for k in kpis}))
    entries: dict[str, dict[str, Any]] = {}
    for kpi in kpis:
        for row in past.get(str(kpi.get("metric")), []):
            entry = entries.setdefault(row.date.isoformat(), {"date": row.date.isoformat(), "kpis": {}})
            entry["kpis"][str(kpi["id"])] = {"value": row.value, "n": row.n, "status": row.status}
    audit = parlons.load_audits(json.dumps(data[:1]))[0]
    measured = parlons.measure_kpis({"kpis": kpis}, audit, sorted(entries.values(), key=lambda e: str(e["date"])))
    return [{"kpi": p, "rows": past.get(p.metric, [])} for p in measured]


def chart(p: parlons.KpiProgress, lang: str, alt: str) -> dict[str, str]:
    """The KPI's series (with its target and baseline as rules) as an SVG ``data:`` URI and its text alternative."""
    style = "share" if p.metric.endswith("share") else "number"
    y_axis: dict[str, Any] = {"title": None, "format": ".0%" if style == "share" else ",.4~r", "tickCount": 5}
    points = [{"date": d, "value": v} for d, v in p.series]
    layers: list[dict[str, Any]] = [{
        "data": {"values": points}, "mark": {"type": "line", "point": {"size": 60}, "color": COLORS["line"]},
        "encoding": {"x": {"field": "date", "type": "temporal", "title": None, "scale": {"padding": 28},
                           "axis": {"format": "%d %b %Y", "values": [_day(d) for d, _v in p.series[-8:]],
                                    "labelAngle": 0, "labelOverlap": "greedy", "grid": False}},
                     "y": {"field": "value", "type": "quantitative", "axis": y_axis,
                           "scale": {"zero": style == "share"}}}}]
    if p.target is not None:
        layers.append({"data": {"values": [{"y": p.target.value}]},
                       "mark": {"type": "rule", "strokeDash": [6, 4], "color": COLORS["target"], "strokeWidth": 2},
                       "encoding": {"y": {"field": "y", "type": "quantitative"}}})
    base = (p.baseline or {}).get("value")
    if isinstance(base, int | float):
        layers.append({"data": {"values": [{"y": base}]},
                       "mark": {"type": "rule", "strokeDash": [2, 3], "color": COLORS["baseline"]},
                       "encoding": {"y": {"field": "y", "type": "quantitative"}}})
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": 420, "height": 180,
            "background": "white", "config": {"font": "DejaVu Sans, Helvetica, Arial, sans-serif",
                                              "view": {"stroke": None}, "axis": {"labelFontSize": 13}},
            "layer": layers}
    return {"uri": _svg_uri(spec, lang), "alt": alt}


def _day(text: str) -> dict[str, int]:
    """A date as Vega-Lite's DateTime, so the axis ticks fall on the audits' own dates."""
    day = date.fromisoformat(text[:10])
    return {"year": day.year, "month": day.month, "date": day.day}


def _svg_uri(spec: dict[str, Any], lang: str) -> str:
    """vl-convert's SVG (no network: ``allowed_base_urls=[]``), cached by the specification."""
    text = json.dumps(spec, sort_keys=True)
    key = "parlons-kpi-chart:" + hashlib.sha256(f"{lang}{text}".encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, str):
        return found
    locale: Any = LOCALES.get(lang, "en-US")
    svg = vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale, allowed_base_urls=[])
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    cache.set(key, uri, 24 * 3600)
    return uri
