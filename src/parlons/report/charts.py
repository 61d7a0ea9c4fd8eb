"""Charts: Vega-Lite specifications rendered to SVG by vl-convert (no browser, no network).

Each chart is embedded as an ``<img>`` whose source is a ``data:image/svg+xml`` URI: the SVG is
vector in the HTML and in the PDF, and an image cannot run script even if a label were hostile
(vl-convert escapes labels anyway). Data come only from the audit; external data requests are
refused (``allowed_base_urls=[]``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import vl_convert

__all__ = ["COLORS", "Chart", "bars", "function_bars", "heatmap", "mix_bar", "peers_dots", "render", "weekly"]

COLORS = {"main": "#1d5b8c", "accent": "#d9731a", "muted": "#9aa5b1", "good": "#2e7d4f", "bad": "#b3392f"}
WIDTH = 560
CONFIG: dict[str, Any] = {
    "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333", "titleColor": "#333",
             "gridColor": "#e6e6e6", "domainColor": "#999"},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom"},
}
LOCALES = {"fr": "fr-FR", "en": "en-US"}


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its data URI, a text alternative, and the specification (kept for tests)."""

    uri: str
    alt: str
    spec: dict[str, Any]


def render(spec: dict[str, Any], alt: str, lang: str) -> Chart:
    """Render ``spec`` to SVG, as a ``data:`` URI."""
    full = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": CONFIG,
            "background": "white", **spec}
    locale: Any = LOCALES.get(lang, "en-US")  # one of vl-convert's locale names
    svg = vl_convert.vegalite_to_svg(full, format_locale=locale, time_format_locale=locale, allowed_base_urls=[])
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Chart(uri, alt, full)


def bars(rows: list[dict[str, Any]], x_title: str, colors: list[str]) -> dict[str, Any]:
    """Horizontal bars of ``rows`` (``label``, ``value``, ``text``) in the given order, labelled."""
    y = {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 220}}
    # about six ticks: at 13 the last label, flush with the end, overlapped the one before it ("110120")
    x = {"field": "value", "type": "quantitative", "title": x_title, "axis": {"tickMinStep": 1, "tickCount": 6}}
    color = {"field": "label", "type": "nominal", "sort": None, "legend": None,
             "scale": {"range": colors}}
    return {"width": WIDTH - 180, "height": {"step": 26}, "data": {"values": rows},
            "encoding": {"y": y, "x": x},
            "layer": [{"mark": {"type": "bar", "cornerRadiusEnd": 2}, "encoding": {"color": color}},
                      {"mark": {"type": "text", "align": "left", "dx": 4, "color": "#222"},
                       "encoding": {"text": {"field": "text"}}}]}


def mix_bar(rows: list[dict[str, Any]], colors: list[str]) -> dict[str, Any]:
    """One 100 % stacked bar: the mix of post kinds (``label``, ``value`` as a share)."""
    color = {"field": "label", "type": "nominal", "sort": None, "title": None, "scale": {"range": colors},
             "legend": {"orient": "bottom", "columns": 3, "labelLimit": 220}}
    return {"width": WIDTH, "height": 34, "data": {"values": [{**r, "order": i} for i, r in enumerate(rows)]},
            "mark": {"type": "bar"},
            "encoding": {"x": {"field": "value", "type": "quantitative", "stack": "normalize", "title": None,
                               "axis": {"format": ".0%"}},
                         "color": color, "order": {"field": "order"}}}


def heatmap(cells: list[dict[str, Any]], days: list[str], hour_title: str, posts_title: str) -> dict[str, Any]:
    """Weekday (rows, Monday first) by hour (columns), coloured by the number of posts."""
    return {"width": WIDTH - 60, "height": 7 * 22, "data": {"values": cells}, "mark": {"type": "rect"},
            "encoding": {
                "x": {"field": "hour", "type": "ordinal", "title": hour_title, "axis": {"labelAngle": 0}},
                "y": {"field": "day", "type": "ordinal", "sort": days, "title": None},
                "color": {"field": "posts", "type": "quantitative", "title": posts_title,
                          "scale": {"scheme": "blues"}, "legend": {"orient": "right", "tickMinStep": 1}},
                "tooltip": None}}


def weekly(rows: list[dict[str, Any]], y_title: str) -> dict[str, Any]:
    """Posts per week over time (``week`` as an ISO date, ``posts``)."""
    return {"width": WIDTH, "height": 150, "data": {"values": rows},
            "mark": {"type": "area", "line": {"color": COLORS["main"]}, "color": COLORS["main"], "opacity": 0.35,
                     "interpolate": "step-after"},
            "encoding": {"x": {"field": "week", "type": "temporal", "title": None},
                         "y": {"field": "posts", "type": "quantitative", "title": y_title,
                               "axis": {"tickMinStep": 1}}}}


def function_bars(rows: list[dict[str, Any]], x_title: str) -> dict[str, Any]:
    """Shares per function for the account and for the reference (``function``, ``who``, ``value``)."""
    return {"width": WIDTH - 200, "data": {"values": rows}, "height": {"step": 18},
            "encoding": {
                "y": {"field": "function", "type": "nominal", "sort": None, "title": None},
                "yOffset": {"field": "who", "sort": None},
                "x": {"field": "value", "type": "quantitative", "title": x_title, "axis": {"format": ".0%"},
                      "scale": {"domain": [0, 1]}}},
            "layer": [
                {"mark": {"type": "bar"},
                 "encoding": {"color": {"field": "who", "type": "nominal", "sort": None, "title": None,
                                        "scale": {"range": [COLORS["main"], COLORS["muted"]]}}}},
                {"mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
                 "encoding": {"text": {"field": "value", "type": "quantitative", "format": ".0%"}}}]}


def peers_dots(rows: list[dict[str, Any]], x_title: str, main: str) -> dict[str, Any]:
    """Each account's value of each key share (``figure``, ``account``, ``value``); the audited one stands out."""
    return {"width": WIDTH - 220, "height": {"step": 26}, "data": {"values": rows},
            "mark": {"type": "point", "filled": True, "size": 110, "opacity": 0.9},
            "encoding": {
                "y": {"field": "figure", "type": "nominal", "sort": None, "title": None,
                      "axis": {"labelLimit": 220}},
                "x": {"field": "value", "type": "quantitative", "title": x_title, "axis": {"format": ".0%"},
                      "scale": {"domain": [0, 1]}},
                "color": {"field": "account", "type": "nominal", "title": None, "sort": None,
                          "scale": {"range": [COLORS["accent"], COLORS["main"], COLORS["muted"], "#5b8c5a",
                                              "#8c5b8a"]}},
                "shape": {"condition": {"test": {"field": "account", "equal": main}, "value": "diamond"},
                          "value": "circle"}}}
