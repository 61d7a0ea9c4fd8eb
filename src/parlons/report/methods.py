"""The metric dictionary of the report (``methods.toml``): labels, styles, definitions, denominators.

The report's methods appendix is generated from it, and every figure takes its label, number
style and denominator from it. Its texts are English msgids: :func:`extract_messages` is the Babel
extractor that puts them into the gettext catalogs (see ``docs/report.md``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from ..errors import UsageError
from ..i18n import resolve_language, translator

__all__ = ["PATH", "Entry", "Family", "MetricDefinition", "entry", "extract_messages", "families", "general",
           "metric_definitions"]

PATH = Path(__file__).with_name("methods.toml")
TEXT_FIELDS = ("label", "definition", "denominator", "caveat")


@dataclass(frozen=True)
class Entry:
    """One metric (or several keys sharing a definition)."""

    keys: tuple[str, ...]
    label: str
    style: str
    definition: str
    denominator: str
    caveat: str


@dataclass(frozen=True)
class Family:
    key: str
    title: str
    intro: tuple[str, ...]
    metrics: tuple[Entry, ...]


@lru_cache(maxsize=1)
def _load() -> dict[str, Any]:
    return tomllib.loads(PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def families() -> tuple[Family, ...]:
    """The families in report order."""
    return tuple(Family(f["key"], f["title"], tuple(f["intro"]), tuple(_entry(m) for m in f["metrics"]))
                 for f in _load()["family"])


def _entry(raw: dict[str, Any]) -> Entry:
    return Entry(tuple(k.strip() for k in raw["key"].split(",")), raw["label"], raw["style"],
                 raw["definition"], raw["denominator"], raw["caveat"])


def general() -> tuple[str, ...]:
    """The paragraphs that hold for every figure (period, own posts, denominators, language)."""
    return tuple(_load()["general"])


@lru_cache(maxsize=256)
def entry(family: str, key: str) -> Entry:
    """The entry of ``family.key``; a KeyError names a figure missing from the dictionary."""
    for fam in families():
        if fam.key == family:
            for item in fam.metrics:
                if key in item.keys:
                    return item
    raise KeyError(f"{family}.{key} is not in {PATH.name}")


@dataclass(frozen=True)
class MetricDefinition:
    """One entry of the metric dictionary (``parlons.metric_definitions``), in one language.

    ``keys`` are the audit result's keys it defines within its family (several keys may share one
    definition); ``style`` is how its values are written (``share``, ``duration``, ``count``,
    ``decimal``, ``score``); ``denominator`` and ``caveat`` may be empty.
    """

    family: str
    family_title: str
    keys: tuple[str, ...]
    label: str
    style: str
    definition: str
    denominator: str
    caveat: str

    @property
    def anchors(self) -> tuple[str, ...]:
        """``family.key`` for each of its keys: the names the report and the plan's KPIs use."""
        return tuple(f"{self.family}.{key}" for key in self.keys)


@lru_cache(maxsize=4)
def metric_definitions(lang: str = "fr") -> tuple[MetricDefinition, ...]:
    """The metric dictionary the report prints in its methods appendix, in ``lang``, in report order."""
    try:
        t = translator(resolve_language(lang))
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    def say(text: str) -> str:
        return t.gettext(text) if text else ""

    return tuple(MetricDefinition(f.key, say(f.title), m.keys, say(m.label), m.style, say(m.definition),
                                  say(m.denominator), say(m.caveat)) for f in families() for m in f.metrics)


def _messages(data: dict[str, Any]) -> Iterator[str]:
    yield from data["general"]
    for fam in data["family"]:
        yield fam["title"]
        yield from fam["intro"]
        for metric in fam["metrics"]:
            yield from (metric[f] for f in TEXT_FIELDS if metric[f])


def extract_messages(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                     options: Any) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extraction method for ``methods.toml``: every text, with its line number."""
    raw = fileobj.read().decode("utf-8")
    lines = raw.splitlines()
    for message in _messages(tomllib.loads(raw)):
        probe = message[:40].replace('"', '\\"')
        lineno = next((i for i, line in enumerate(lines, 1) if probe in line), 1)
        yield lineno, "_", message, []
