"""What every figure means: the metric dictionary that parlons' report prints in its methods
appendix, through the public API (``parlons.metric_definitions``), in the page's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import parlons

__all__ = ["Definition", "Lookup", "definitions", "lookup", "titles"]


@dataclass(frozen=True)
class Definition:
    family: str
    key: str
    label: str
    definition: str
    denominator: str
    caveat: str
    shared: bool = False
    """True when one label names several keys (the key is then shown beside it)."""

    @property
    def anchor(self) -> str:
        return f"{self.family}.{self.key}"


@lru_cache(maxsize=4)
def definitions(lang: str) -> dict[str, dict[str, Definition]]:
    """family → audit key → definition (keys that share an entry each get it), in report order."""
    out: dict[str, dict[str, Definition]] = {}
    for entry in parlons.metric_definitions(lang):
        entries = out.setdefault(entry.family, {})
        for key in entry.keys:
            entries[key] = Definition(entry.family, key, entry.label, entry.definition, entry.denominator,
                                      entry.caveat, len(entry.keys) > 1)
    return out


@lru_cache(maxsize=4)
def titles(lang: str) -> dict[str, str]:
    """family key → its title in the report."""
    return {entry.family: entry.family_title for entry in parlons.metric_definitions(lang)}


def lookup(lang: str, family: str, key: str) -> Definition | None:
    """The definition of ``family.key`` (nested keys: the last part, then the first)."""
    entries = definitions(lang).get(family, {})
    parts = key.split(".")
    return entries.get(key) or entries.get(parts[-1]) or entries.get(parts[0])


@dataclass(frozen=True)
class Lookup:
    """:func:`lookup` in one language, for the templates: ``lookup(family, key)``."""

    lang: str

    def __call__(self, family: str, key: str) -> Definition | None:
        return lookup(self.lang, family, key)
