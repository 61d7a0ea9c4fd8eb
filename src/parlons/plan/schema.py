"""The plan's schema: what each field may hold, and which ids the others refer to.

``validate(doc)`` returns every problem as ``(path, message)``, e.g.
``(("objectives", 2, "deadline"), "expected a date such as 2025-06-30, got 'june'")``; unknown fields
are problems too, with the closest known name. Only the shape is checked here: a plan being written
may leave sections out. Whether the plan holds together (an objective without a problem, hours
exceeded...) is the work of the checks (``checks.py``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from .document import FORMAT_VERSION, Path_
from .knowledge import skills

__all__ = ["ACTION_KINDS", "ARCHETYPES", "CADENCE", "INVENTORY_KINDS", "MARKETS", "TARGET", "per_week", "validate"]

Problem = tuple[Path_, str]
Check = Callable[[Any, Path_, list[Problem]], None]

ARCHETYPES = ("community", "crisis", "marketing", "campaign")
MARKETS = ("b2b", "b2c", "both", "public", "nonprofit")
ACTION_KINDS = ("publish", "share", "listen", "answer", "engage", "advertise", "measure")
INVENTORY_KINDS = ("brochure", "slides", "video", "photo", "logo", "map", "faq", "document", "audio", "other")
OBJECTIVE_KINDS = ("sales", "leads", "customer_service", "community", "awareness", "recruitment", "events",
                   "information", "expertise", "crisis", "fundraising", "media_relations")
PERIODS = {"day": 7.0, "jour": 7.0, "weekday": 5.0, "jour ouvré": 5.0, "jour ouvre": 5.0, "week": 1.0,
           "semaine": 1.0, "month": 12 / 52, "mois": 12 / 52, "quarter": 4 / 52, "trimestre": 4 / 52,
           "year": 1 / 52, "an": 1 / 52, "année": 1 / 52, "annee": 1 / 52}
CADENCE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*/\s*(" + "|".join(sorted(PERIODS, key=len, reverse=True)) + r")\s*$",
                     re.IGNORECASE)
TARGET = re.compile(r"^\s*(>=|<=|>|<|==|=|≥|≤)\s*(-?\d+(?:[.,]\d+)?)\s*$")
METRIC = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def per_week(cadence: str) -> float | None:
    """Occurrences a week of a cadence such as ``3/week``, ``1/mois``; None when it does not parse."""
    found = CADENCE.match(cadence)
    return float(found[1].replace(",", ".")) * PERIODS[found[2].lower()] if found else None


def _show(value: Any) -> str:
    if isinstance(value, dict | list):
        return "a list" if isinstance(value, list) else "a mapping"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def text(value: Any, path: Path_, out: list[Problem]) -> None:
    if not isinstance(value, str) or not value.strip():
        out.append((path, f"expected some text, got {_show(value)}"))


def number(value: Any, path: Path_, out: list[Problem]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        out.append((path, f"expected a number of zero or more, got {_show(value)}"))


def a_date(value: Any, path: Path_, out: list[Problem]) -> None:
    if isinstance(value, date):
        return
    if isinstance(value, str) and DATE.match(value):
        try:
            date.fromisoformat(value)
            return
        except ValueError:
            pass
    out.append((path, f"expected a date such as 2025-06-30, got {_show(value)}"))


def choice(*options: str) -> Check:
    def check(value: Any, path: Path_, out: list[Problem]) -> None:
        if value not in options:
            close = difflib.get_close_matches(str(value), options, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            out.append((path, f"expected one of {', '.join(options)}; got {_show(value)}{hint}"))
    return check


def pattern(regex: re.Pattern[str], example: str) -> Check:
    def check(value: Any, path: Path_, out: list[Problem]) -> None:
        if not isinstance(value, str) or not regex.match(value):
            out.append((path, f"expected something like {example}, got {_show(value)}"))
    return check


def list_of(item: Check) -> Check:
    def check(value: Any, path: Path_, out: list[Problem]) -> None:
        if not isinstance(value, list):
            out.append((path, f"expected a list (lines starting with '- '), got {_show(value)}"))
            return
        for i, element in enumerate(value):
            item(element, (*path, i), out)
    return check


def mapping(required: dict[str, Check], optional: dict[str, Check]) -> Check:
    known = {**required, **optional}

    def check(value: Any, path: Path_, out: list[Problem]) -> None:
        if not isinstance(value, dict):
            out.append((path, f"expected fields (key: value), got {_show(value)}"))
            return
        for key, item in value.items():
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known fields: {', '.join(known)}"
                out.append(((*path, str(key)), f"unknown field; {hint}"))
            elif item is not None or key in required:
                known[key](item, (*path, key), out)
        out.extend(((*path, key), "missing") for key in required if key not in value)
    return check


def a_zone(value: Any, path: Path_, out: list[Problem]) -> None:
    from ..timezones import is_timezone

    if not isinstance(value, str) or not is_timezone(value):
        out.append((path, f"expected a time zone such as Europe/Paris, got {_show(value)}"))


def _version(value: Any, path: Path_, out: list[Problem]) -> None:
    if value != FORMAT_VERSION:
        out.append((path, f"this parlons reads plan format version {FORMAT_VERSION}, the file says {_show(value)}"))


TEXTS = list_of(text)
BASELINE = mapping({"value": number, "date": a_date}, {"n": number, "source": text, "account": text})
SCHEMA = mapping({"version": _version}, {
    "lang": choice("fr", "en"),
    "name": text,
    "timezone": a_zone,
    "audit": mapping({"account": text}, {"with": TEXTS, "name": text, "platform": text, "vs": TEXTS}),
    "organization": mapping({}, {
        "name": text, "values": TEXTS, "sector": text, "market": choice(*MARKETS), "description": text,
        "audiences": list_of(mapping({"id": text}, {"who": text, "tags": TEXTS})),
    }),
    "problems": list_of(mapping({"id": text, "text": text}, {})),
    "objectives": list_of(mapping({"id": text, "text": text}, {
        "problem": text, "kind": choice(*OBJECTIVE_KINDS), "measure": text, "deadline": a_date})),
    "resources": mapping({}, {"hours_per_week": number, "budget": number, "currency": text,
                              "budget_per": choice("week", "month", "year", "total"), "notes": text}),
    "skills": mapping({}, {
        "needed": list_of(choice(*skills())),
        "people": list_of(mapping({"name": text}, {"role": text, "holds": list_of(choice(*skills())),
                                                   "hours_per_week": number})),
    }),
    "archetypes": list_of(choice(*ARCHETYPES)),
    "platforms": list_of(mapping({"id": text}, {"reason": text, "overrule": text, "account": text})),
    "declined": list_of(mapping({"id": text}, {"reason": text})),
    "lines_of_work": list_of(mapping({"id": text}, {"what": text, "to": TEXTS, "form": TEXTS, "end": text,
                                                    "platforms": TEXTS})),
    "inventory": list_of(mapping({"item": text}, {"kind": choice(*INVENTORY_KINDS), "where": TEXTS, "notes": text})),
    "actions": list_of(mapping({"text": text}, {
        "kind": choice(*ACTION_KINDS), "platform": text, "cadence": pattern(CADENCE, "'3/week' or '1/mois'"),
        "effort_hours": number, "who": text, "line": text, "form": TEXTS})),
    "kpis": list_of(mapping({"id": text, "metric": pattern(METRIC, "'responsiveness.answered_share'")}, {
        "objective": text, "target": pattern(TARGET, "'>= 0.8' or '< 3600'"), "deadline": a_date,
        "baseline": BASELINE, "notes": text})),
})

REFERENCES = (
    # (list, field, target list, target id field, what)
    ("objectives", "problem", "problems", "id", "problem"),
    ("kpis", "objective", "objectives", "id", "objective"),
    ("lines_of_work", "end", "objectives", "id", "objective"),
    ("lines_of_work", "to", "organization.audiences", "id", "audience"),
    ("lines_of_work", "platforms", "platforms", "id", "chosen platform"),
    ("actions", "line", "lines_of_work", "id", "line of work"),
    ("actions", "who", "skills.people", "name", "person"),
)
UNIQUE = (("problems", "id"), ("objectives", "id"), ("organization.audiences", "id"), ("lines_of_work", "id"),
          ("kpis", "id"), ("skills.people", "name"), ("platforms", "id"))


def _items(doc: dict[str, Any], dotted: str) -> tuple[Path_, list[Any]]:
    node: Any = doc
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    path: Path_ = tuple(dotted.split("."))
    return path, [x for x in node if isinstance(x, dict)] if isinstance(node, list) else []


def _references(doc: dict[str, Any], out: list[Problem]) -> None:
    for source, field_name, target, id_field, what in REFERENCES:
        known = [str(x.get(id_field)) for x in _items(doc, target)[1]]
        path, items = _items(doc, source)
        for i, item in enumerate(items):
            values = item.get(field_name)
            for value in values if isinstance(values, list) else [values]:
                if value is not None and str(value) not in known:
                    listed = f"known: {', '.join(known)}" if known else f"there is none in {target}"
                    out.append(((*path, i, field_name), f"no {what} has {id_field} {str(value)!r} ({listed})"))


def _unique(doc: dict[str, Any], out: list[Problem]) -> None:
    for dotted, id_field in UNIQUE:
        path, items = _items(doc, dotted)
        seen: set[str] = set()
        for i, item in enumerate(items):
            value = str(item.get(id_field))
            if value in seen:
                out.append(((*path, i, id_field), f"{value!r} is used twice; each must be unique"))
            seen.add(value)


def validate(doc: Any) -> list[Problem]:
    """Every problem of shape and reference in the plan, in file order."""
    out: list[Problem] = []
    SCHEMA(doc, (), out)
    if isinstance(doc, dict) and not out:
        _unique(doc, out)
        _references(doc, out)
    return out
