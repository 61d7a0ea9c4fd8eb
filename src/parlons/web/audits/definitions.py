"""What every figure means: the metric dictionary that parlons' report prints in its methods
appendix, through the public API (``parlons.metric_definitions``), in the page's language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale

import parlons

from ..i18n import N_, translator

__all__ = ["Definition", "Lookup", "Row", "definitions", "lookup", "rows", "titles"]


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


GROUPS = {"by_intent.asking": N_("Asking (question or problem)"),
          "by_intent.not_asking": N_("Not asking (thanks, remarks)"), "by_intent.all": N_("All requests"),
          "fr": N_("French"), "en": N_("English")}
"""The nested parts of a family that hold the same figures again for a part of the data, as the report names them."""
POSTS_IN = N_("Posts in %(language)s")
REQUESTS = N_("Requests")
COUNT_OF = N_("%(label)s (number)")


@dataclass(frozen=True)
class Row:
    """One figure of a family page: its label, the heading of its group when a group starts, and its key
    when the label alone would not tell it from another row."""

    key: str
    label: str
    anchor: str
    heading: str = ""
    hint: str = ""


def rows(lang: str, family: str, keys: list[str]) -> list[Row]:
    """The rows of a family page for the figure ``keys`` of the audited account, labelled in ``lang``."""
    translate = translator(lang).gettext
    groups = {k: _group(k) for k in keys}
    skipped = {k for k in keys if k.startswith("languages.") and f"{k.split('.', 1)[1]}.posts" in keys}
    labels: dict[str, str] = {}
    for key in keys:
        found = lookup(lang, family, key)
        labels[key] = found.label if found else _plain(key, translate, lang)
    for key in keys:
        if key.startswith("by_intent.") and key.endswith(".requests"):
            labels[key] = translate(REQUESTS)  # the group says which requests: "that ask" would contradict it
        elif f"{key}_share" in labels and [(groups[k], labels[k]) for k in keys].count((groups[key], labels[key])) > 1:
            labels[key] = translate(COUNT_OF) % {"label": labels[f"{key}_share"]}  # a count beside its share
    seen = [(groups[k], labels[k]) for k in keys if k not in skipped]
    out, current = [], ""
    for key in keys:
        if key in skipped:
            continue
        found, group = lookup(lang, family, key), groups[key]
        heading = translate(GROUPS[group]) if group and group != current else ""
        current = group
        out.append(Row(key, labels[key], found.anchor if found else family, heading,
                       key if seen.count((group, labels[key])) > 1 else ""))
    return out


def _group(key: str) -> str:
    parts = key.split(".")
    for size in (2, 1):
        if len(parts) > size and ".".join(parts[:size]) in GROUPS:
            return ".".join(parts[:size])
    return ""


def _plain(key: str, translate: Callable[[str], str], lang: str) -> str:
    """A figure the metric dictionary does not name: the posts in one language, or its key."""
    if key.startswith("languages."):
        code = key.split(".", 1)[1]
        name = translate(GROUPS[code]) if code in GROUPS else language_name(code, lang)
        return translate(POSTS_IN) % {"language": name}
    return key


def language_name(code: str, lang: str) -> str:
    """A post's language code (``zh``, ``mr``, ``und``, ``pt-BR``) by its name in the page's language, as a
    client reads it; the code itself when Babel does not know it."""
    names = Locale.parse(lang).languages
    return str(names.get(code.replace("-", "_")) or names.get(code.split("-")[0].split("_")[0]) or code)
