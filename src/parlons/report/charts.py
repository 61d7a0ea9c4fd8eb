"""Charts: Vega-Lite specifications rendered to SVG by vl-convert (no browser, no network).

Each chart is embedded as an ``<img>`` whose source is a ``data:image/svg+xml`` URI: the SVG is
vector in the HTML and in the PDF, and an image cannot run script even if a label were hostile
(vl-convert escapes labels anyway). Data come only from the audit; external data requests are
refused (``allowed_base_urls=[]``). The SVG is then made inert whatever its labels say
(:func:`inert`): only drawing elements and presentation attributes are kept, so it stays harmless
even where it is opened as a document rather than as an image (``parlons serve`` serves it).
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import vl_convert

from ..errors import OutputError

__all__ = ["COLORS", "Chart", "bars", "function_bars", "heatmap", "inert", "mix_bar", "peers_dots", "render",
           "weekly"]

COLORS = {"main": "#1d5b8c", "accent": "#d9731a", "muted": "#9aa5b1", "good": "#2e7d4f", "bad": "#b3392f"}
WIDTH = 560
CONFIG: dict[str, Any] = {
    "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333", "titleColor": "#333",
             "gridColor": "#e6e6e6", "domainColor": "#999", "labelSeparation": 4},
    "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "labelLimit": 280},
}
LOCALES = {"fr": "fr-FR", "en": "en-US"}


@dataclass(frozen=True)
class Chart:
    """One chart of the report (``parlons.audit_charts``), in the report's language.

    ``svg`` is a standalone, inert SVG document (no script, no event handler, no link outside it);
    ``alt`` says in words what it shows; ``caption`` is the sentence the report prints under it;
    ``section`` and ``name`` place it in the report (``content`` / ``heatmap``).
    """

    svg: str
    alt: str
    spec: dict[str, Any] = field(repr=False)
    """The Vega-Lite specification it was drawn from (its data are the audit's own figures)."""
    section: str = ""
    name: str = ""
    caption: str = ""

    @property
    def uri(self) -> str:
        """The SVG as a ``data:`` URI, for an ``<img>`` in a self-contained page."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def render(spec: dict[str, Any], alt: str, lang: str, *, section: str = "", name: str = "",
           caption: str = "") -> Chart:
    """Render ``spec`` to an inert SVG."""
    full = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": CONFIG,
            "background": "white", **spec}
    locale: Any = LOCALES.get(lang, "en-US")  # one of vl-convert's locale names
    svg = vl_convert.vegalite_to_svg(full, format_locale=locale, time_format_locale=locale, allowed_base_urls=[])
    return Chart(inert(svg), alt, full, section, name, caption)


SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
DRAWING = {"svg", "g", "path", "rect", "line", "polyline", "polygon", "circle", "ellipse", "text", "tspan",
           "defs", "linearGradient", "radialGradient", "stop", "clipPath", "title", "desc"}
"""The SVG elements a chart may hold: shapes, text, gradients and clips; nothing that runs, loads or embeds."""


def inert(svg: str) -> str:
    """``svg`` with only drawing elements, no event handler, no style sheet, no link but to itself.

    Anything else is dropped with its content. A document type or entity is refused outright
    (an :class:`~parlons.errors.OutputError`): vl-convert never writes one.
    """
    if "<!" in svg or "<?" in svg:
        raise OutputError("a chart's SVG holds a document type, an entity or an instruction; it was not used")
    root = ET.fromstring(svg)
    if root.tag != f"{{{SVG}}}svg":
        raise OutputError("a chart is not an SVG drawing; it was not used")
    _clean(root)
    return _write(root, top=True)


def _write(element: ET.Element, top: bool = False) -> str:
    """The cleaned tree as SVG text (written here: ElementTree's prefixes are shared by the whole process)."""
    name = element.tag.split("}", 1)[1]
    attributes = [("xmlns", SVG)] if top else []
    for key, value in element.attrib.items():
        attributes.append(("xlink:href" if key == f"{{{XLINK}}}href" else key.rsplit("}", 1)[-1], value))
    if top and any(key == "xlink:href" for key, _value in attributes):
        attributes.insert(1, ("xmlns:xlink", XLINK))
    opening = name + "".join(f" {key}={quoteattr(value)}" for key, value in attributes)
    inner = escape(element.text or "") + "".join(_write(child) + escape(child.tail or "") for child in element)
    return f"<{opening}>{inner}</{name}>" if inner else f"<{opening}/>"


def _clean(element: ET.Element) -> None:
    for name in list(element.attrib):
        local = name.rsplit("}", 1)[-1].lower()
        value = element.attrib[name].strip().lower()
        if (local.startswith("on") or local == "style" or (local == "href" and not value.startswith("#"))
                or ("url(" in value and not value.startswith("url(#")) or "javascript:" in value):
            del element.attrib[name]
    for child in list(element):
        if not child.tag.startswith(f"{{{SVG}}}") or child.tag.split("}", 1)[1] not in DRAWING:
            element.remove(child)
        else:
            _clean(child)


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
