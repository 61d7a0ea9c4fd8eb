"""The importers, one module per input format, and the registry that dispatches to them.

Detection goes member by member, in :func:`registry` order: the first importer whose
:meth:`~parlons.importers._base.Importer.detect` accepts a member reads it. Members that an
importer only knows (profiles, manifests) are reported as such; the rest are reported as unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from ..errors import UsageError
from ..sources import Member, Source
from ._base import Importer

__all__ = ["MODULE_OF", "REGISTRY", "Job", "Plan", "get", "plan", "registry"]


@cache
def registry() -> tuple[Importer, ...]:
    """Every importer, in :data:`ORDER`: their modules are loaded on first use, not with the package
    (the store and the audit, which import :mod:`._base`, never need them: 0.14 s of every start)."""
    return tuple(i for name in ORDER for i in _importers_in(name))


@cache
def _importers_in(module: str) -> tuple[Importer, ...]:
    """The importers of one module of :data:`ORDER`, loaded."""
    import importlib

    loaded = importlib.import_module(f"{__name__}.{module}")
    return tuple(loaded.IMPORTERS) if hasattr(loaded, "IMPORTERS") else (loaded.IMPORTER,)


def __getattr__(name: str) -> tuple[Importer, ...]:
    """``REGISTRY``: :func:`registry`, loaded when first asked for."""
    if name == "REGISTRY":
        return registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


ORDER = (
    "x_archive",
    "x_grailbird",
    "mastodon",
    "bluesky",
    "facebook",
    "instagram",
    "linkedin",
    "wordpress",
    "feeds",
    "twcs",
    "twarc_csv",
    "twitter_api",
    "generic",
)
"""Importer modules in detection order: the first whose ``detect`` accepts a member reads it."""

MODULE_OF = {
    "x-archive": "x_archive",
    "x-grailbird": "x_grailbird",
    "mastodon-archive": "mastodon",
    "bluesky": "bluesky",
    "facebook": "facebook",
    "instagram": "instagram",
    "linkedin": "linkedin",
    "wordpress-wxr": "wordpress",
    "feed": "feeds",
    "twcs": "twcs",
    "twarc-csv": "twarc_csv",
    "twitter-api": "twitter_api",
    "generic-jsonl": "generic",
    "generic-csv": "generic",
}
"""The module of each importer, by name: ``--format`` loads that module alone, not all thirteen
(0.06 s of an import's start, the compiled modules cached; a test keeps the table true)."""



def get(name: str) -> Importer:
    """The importer called ``name`` (only its module is loaded)."""
    candidates = _importers_in(MODULE_OF[name]) if name in MODULE_OF else registry()
    for importer in candidates:
        if importer.name == name:
            return importer
    known = ", ".join(i.name for i in registry())
    raise UsageError(f"unknown format {name!r}; `parlons formats` lists them: {known}")


@dataclass
class Job:
    """One importer and the members of a source it will read together."""

    importer: Importer
    members: list[Member] = field(default_factory=list)


@dataclass
class Plan:
    """What to do with each member of a source."""

    jobs: list[Job] = field(default_factory=list)
    known: list[Member] = field(default_factory=list)
    unknown: list[Member] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan(source: Source, forced: str | None = None) -> Plan:
    """Assign every member of ``source`` to an importer (``forced`` names one), or report it."""
    candidates: Sequence[Importer] = (get(forced),) if forced else [i for i in registry() if i.auto]
    result = Plan()
    jobs: dict[str, Job] = {}
    for member in source.members:
        importer = _claim(member, candidates, forced is not None and source.kind == "file")
        if importer is not None:
            jobs.setdefault(importer.name, Job(importer)).members.append(member)
        elif any(i.companion(member) for i in registry()):
            result.known.append(member)
        else:
            result.unknown.append(member)
    result.jobs = list(jobs.values())
    result.notes = [f"{name}: an archive inside the archive is not opened; extract it and import "
                    "it by name" for name in source.nested]
    return result


def _claim(member: Member, candidates: Sequence[Importer], trust: bool) -> Importer | None:
    if member.size == 0:
        return None
    if trust:
        return candidates[0]
    for importer in candidates:
        if importer.detect(member):
            return importer
    return None
