"""KPIs held to the audit: which figures a KPI may name, and its value in an audit.

A KPI names an audit figure as ``family.key`` (``responsiveness.answered_share``); figures of voice
are per language (``voice.fr.first_singular_share``); the maturity level is ``maturity.level``.
The catalogue is the report's metric dictionary (``report/methods.toml``, which mirrors
``docs/metrics.md``): every figure whose style is a share, count, duration, decimal or score.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..audit.result import AuditResult, Figure

__all__ = ["Measured", "Target", "catalogue", "compare", "lookup", "metric_problem", "parse_target"]

METHODS = Path(__file__).resolve().parents[1] / "report" / "methods.toml"
MEASURABLE_STYLES = {"share", "count", "duration", "decimal", "score"}
NOT_NUMBERS = {"content.cadence.longest_silence"}
VOICE_LANGUAGES = ("fr", "en")
OPS = {"≥": ">=", "≤": "<=", "=": "=="}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    """Every figure a KPI may name, with its style (share, count, duration, decimal, score, level)."""
    data = tomllib.loads(METHODS.read_text(encoding="utf-8"))
    keys: dict[str, str] = {"maturity.level": "level"}
    for family in data["family"]:
        for metric in family["metrics"]:
            for key in (k.strip() for k in metric["key"].split(",")):
                if metric["style"] not in MEASURABLE_STYLES or f"{family['key']}.{key}" in NOT_NUMBERS:
                    continue
                if family["key"] == "voice":
                    keys.update({f"voice.{lang}.{key}": metric["style"] for lang in VOICE_LANGUAGES})
                else:
                    keys[f"{family['key']}.{key}"] = metric["style"]
    return keys


def metric_problem(metric: str) -> str | None:
    """Why no audit figure can measure ``metric`` (with the closest names), or None when one can."""
    keys = catalogue()
    if metric in keys:
        return None
    close = difflib.get_close_matches(metric, keys, n=3, cutoff=0.6)
    family = metric.split(".")[0]
    if close:
        hint = f"did you mean {' or '.join(close)}?"
    elif family == "voice":
        hint = "voice figures are per language: voice.fr.KEY or voice.en.KEY"
    else:
        hint = "the figures are listed in docs/metrics.md"
    return f"no audit figure is called {metric!r}; {hint}"


@dataclass(frozen=True)
class Target:
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


def parse_target(text: str | None) -> Target | None:
    """``>= 0.8`` as a Target; None when absent or unreadable."""
    if not text:
        return None
    found = re.match(r"^\s*(>=|<=|>|<|==|=|≥|≤)\s*(-?\d+(?:[.,]\d+)?)\s*$", str(text))
    if not found:
        return None
    return Target(OPS.get(found[1], found[1]), float(found[2].replace(",", ".")))


def compare(value: float, target: Target) -> bool:
    """Whether ``value`` meets ``target``."""
    return {">=": value >= target.value, "<=": value <= target.value, ">": value > target.value,
            "<": value < target.value, "==": value == target.value}[target.op]


@dataclass(frozen=True)
class Measured:
    """One KPI's figure in an audit: ``value`` None when the audit cannot give it (``status`` says why)."""

    value: float | None
    n: int | None
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n, "status": self.status}


def lookup(audit: AuditResult, metric: str) -> Measured:
    """The figure ``metric`` in one audit result (as :func:`parlons.audit.run_audit` returns it)."""
    node: Any = audit.at(metric)
    if isinstance(node, Figure):
        return Measured(node.value, node.n, node.status)
    if isinstance(node, int | float) and not isinstance(node, bool):
        return Measured(float(node), None, "ok")
    return Measured(None, None, "unknown")
