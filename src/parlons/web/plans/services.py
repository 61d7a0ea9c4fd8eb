"""The plan as versions of its YAML, read and checked through parlons' public plan API.

Every change (an upload, an edit in a form) adds a version; nothing is overwritten. An edit goes
through parlons' round-trip document, so the comments people wrote in the YAML survive.
"""

from __future__ import annotations

import difflib
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max

import parlons

from ..workspaces.models import Workspace
from .models import PlanVersion

__all__ = ["MAX_BYTES", "PlanInvalid", "add_version", "check", "diff", "document", "edit_objective", "kpi_progress",
           "latest", "starter"]

MAX_BYTES = 512 * 1024


class PlanInvalid(Exception):
    """The plan's problems, as parlons words them."""


def latest(workspace: Workspace) -> PlanVersion | None:
    return PlanVersion.objects.filter(workspace=workspace).order_by("-number").first()


def _load(text: str) -> Any:
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PlanInvalid(f"the plan is larger than {MAX_BYTES // 1024} KB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return parlons.load_plan(path)
        except parlons.ParlonsError as exc:
            raise PlanInvalid(str(exc)) from None


def document(text: str) -> Any:
    """The plan's round-trip document (comments kept), for the interview to start from and write over."""
    return _load(text).doc


def check(text: str, lang: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The plan's data and the findings of ``parlons plan check``."""
    plan = _load(text)
    return plan.data, [f.as_dict() for f in parlons.run_checks(plan.data, lang)]


def add_version(workspace: Workspace, author: User, text: str, note: str) -> PlanVersion:
    """A new version after the latest one (the plan must load); retried once on a concurrent edit."""
    _load(text)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                top = PlanVersion.objects.filter(workspace=workspace).aggregate(m=Max("number"))["m"] or 0
                return PlanVersion.objects.create(workspace=workspace, number=top + 1, text=text,
                                                   author=author, note=note[:300])
        except IntegrityError:
            continue
    raise PlanInvalid("the plan was changed by someone else at the same moment: try again")


def edit_objective(text: str, objective_id: str, new_text: str) -> str:
    """The YAML with one objective's text replaced, every comment kept."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            plan = parlons.load_plan(path)
        except parlons.ParlonsError as exc:
            raise PlanInvalid(str(exc)) from None
        for objective in plan.doc.get("objectives") or []:
            if str(objective.get("id")) == objective_id:
                objective["text"] = new_text
                break
        else:
            raise PlanInvalid(f"no objective {objective_id!r}")
        plan.save()
        return path.read_text(encoding="utf-8")


def diff(old: PlanVersion | None, new: PlanVersion) -> list[tuple[str, str]]:
    """The lines of a unified diff, each with its kind (add, del, hunk, same)."""
    before = old.text.splitlines() if old else []
    lines = difflib.unified_diff(before, new.text.splitlines(), f"v{old.number if old else 0}", f"v{new.number}",
                                 lineterm="", n=2)
    out = []
    for line in lines:
        kind = ("hunk" if line.startswith("@@") else "head" if line.startswith(("---", "+++"))
                else "add" if line.startswith("+") else "del" if line.startswith("-") else "same")
        out.append((kind, line))
    return out


def kpi_progress(data: dict[str, Any], audits: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Each KPI of the plan with the audit's current figure at its ``metric`` path and whether its
    target (``>= 0.8``, ``<= 3600``...) is met; the figure is read from the audit, never recomputed."""
    out = []
    for kpi in data.get("kpis") or []:
        metric = str(kpi.get("metric", ""))
        node: Any = audits[0] if audits else None
        for part in metric.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        figure = node if isinstance(node, dict) and "value" in node else None
        out.append({"id": kpi.get("id"), "metric": metric, "target": str(kpi.get("target", "")),
                    "deadline": kpi.get("deadline"), "baseline": (kpi.get("baseline") or {}).get("value"),
                    "figure": figure, "met": _met(figure, str(kpi.get("target", "")))})
    return out


def _met(figure: dict[str, Any] | None, target: str) -> bool | None:
    if not figure or figure.get("status") != "ok" or figure.get("value") is None:
        return None
    op, _, number = target.strip().partition(" ")
    try:
        goal = float(number)
    except ValueError:
        return None
    value = float(figure["value"])
    return {">=": value >= goal, "<=": value <= goal, ">": value > goal, "<": value < goal}.get(op)


def starter(workspace: Workspace, lang: str) -> str:
    """A first plan: the organization's name and one objective to write."""
    name = workspace.name.replace('"', "'")
    first = "Répondre à chaque question en moins d'un jour ouvré" if lang == "fr" else \
        "Answer every question within one working day"
    return (f"# {name}\nversion: 1\nlang: {lang}\nname: \"{name}\"\norganization:\n  name: \"{name}\"\n"
            f"objectives:\n  - id: o1\n    text: \"{first}\"\n")
