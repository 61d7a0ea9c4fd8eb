"""What every figure means: the metric dictionary that parlons' report prints in its methods
appendix (``methods.toml``, shipped with parlons; translated by the same catalogs)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Definition", "definitions", "lookup", "titles"]


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


def _dictionary() -> list[dict[str, object]]:
    text = (resources.files("parlons.report") / "methods.toml").read_text(encoding="utf-8")
    families: list[dict[str, object]] = tomllib.loads(text).get("family", [])
    return families


@lru_cache(maxsize=1)
def definitions() -> dict[str, dict[str, Definition]]:
    """family → audit key → definition (keys that share an entry each get it)."""
    out: dict[str, dict[str, Definition]] = {}
    for family in _dictionary():
        entries = out.setdefault(str(family["key"]), {})
        for metric in family.get("metrics", []):  # type: ignore[attr-defined]
            keys = str(metric["key"]).split(", ")
            for key in keys:
                entries[key] = Definition(str(family["key"]), key, str(metric.get("label", key)),
                                          str(metric.get("definition", "")), str(metric.get("denominator", "")),
                                          str(metric.get("caveat", "")), len(keys) > 1)
    return out


@lru_cache(maxsize=1)
def titles() -> dict[str, str]:
    """family key → its title in the report (English; translated by the catalogs)."""
    return {str(f["key"]): str(f.get("title", f["key"])) for f in _dictionary()}


def lookup(family: str, key: str) -> Definition | None:
    """The definition of ``family.key`` (nested keys: the last part, then the first)."""
    entries = definitions().get(family, {})
    parts = key.split(".")
    return entries.get(key) or entries.get(parts[-1]) or entries.get(parts[0])
