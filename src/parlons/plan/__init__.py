"""The social-media plan: built in dialogue, checked for the classic mistakes, held to the audit's figures.

A plan is a YAML file people edit and diff (format: ``docs/plan.md``), read and written
round-trip so comments survive. :func:`load_plan` reads and validates one (a :class:`PlanError`
lists every problem with its path and line); :func:`run_checks` finds the mistakes the seed posts
describe; :func:`recommend` scores the platforms of the knowledge base (``data/platforms.toml``);
:mod:`parlons.plan.progress` measures each KPI on an audit and keeps the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from .checks import CHECKS, Finding, run_checks
from .document import PlanError, format_path, load_document, plain, save_document, where
from .fit import Fit, recommend
from .schema import validate

__all__ = ["CHECKS", "EXAMPLES", "Finding", "Fit", "Plan", "PlanError", "load_plan", "recommend", "run_checks"]

EXAMPLES = Path(__file__).with_name("examples")


@dataclass
class Plan:
    """A plan file: its path, its round-trip document (comments kept) and its plain data."""

    path: Path
    doc: CommentedMap

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = plain(self.doc)
        return data

    @property
    def lang(self) -> str:
        return "fr" if self.doc.get("lang") == "fr" else "en"

    def save(self) -> None:
        save_document(self.doc, self.path)


def problems(doc: CommentedMap) -> list[str]:
    """The schema's problems, each as ``line N: path: message``."""
    out = []
    for path, message in validate(doc):
        line = where(doc, path)
        out.append(f"{f'line {line}: ' if line else ''}{format_path(path)}: {message}")
    return out


def load_plan(path: Path | str) -> Plan:
    """Read and validate a plan file; a PlanError lists every problem."""
    path = Path(path)
    doc = load_document(path)
    found = problems(doc)
    if found:
        raise PlanError(path, found)
    return Plan(path, doc)
