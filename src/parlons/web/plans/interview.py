"""The plan interview as a wizard: parlons' interview steps (``parlons.INTERVIEW_STEPS``) in forms.

The answers of every step are kept in the user's session (one draft per workspace), as the form
sent them, so going back shows them again; each step is read and checked by the library
(``parlons.answer_interview_step``) before the next one, and the last one builds the plan
(``parlons.plan_from_interview``), saved as a new version like any other change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, QueryDict

import parlons

from ..workspaces.models import Workspace

__all__ = ["MAX_ROWS", "Draft", "answers_from_post", "step_view"]

MAX_ROWS = 30
MAX_ANSWER = 2000
STEPS = {s.key: s for s in parlons.INTERVIEW_STEPS}
KEYS: list[str] = [str(s.key) for s in parlons.INTERVIEW_STEPS]


@dataclass
class Draft:
    """One user's unfinished interview for one workspace, in their session."""

    request: HttpRequest
    workspace: Workspace
    answers: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    based_on: int | None = None
    started: bool = False

    @property
    def key(self) -> str:
        return f"parlons-plan-interview-{self.workspace.pk}"

    @classmethod
    def load(cls, request: HttpRequest, workspace: Workspace) -> Draft:
        draft = cls(request, workspace)
        stored = request.session.get(draft.key) or {}
        draft.answers = dict(stored.get("answers") or {})
        draft.done = [k for k in stored.get("done") or [] if k in STEPS]
        draft.based_on = stored.get("based_on") if isinstance(stored.get("based_on"), int) else None
        draft.started = bool(stored)
        return draft

    def begin(self, number: int | None, doc: Any) -> None:
        """Start from the plan's version ``number`` (its sections as answers), or empty; from the first step."""
        self.answers = parlons.interview_answers(doc) if doc is not None else {}
        self.done = []
        self.based_on = number if doc is not None else None
        self.started = True
        self.save()

    def save(self) -> None:
        self.request.session[self.key] = {"answers": self.answers, "done": self.done, "based_on": self.based_on}

    def clear(self) -> None:
        self.request.session.pop(self.key, None)

    def mark_done(self, key: str) -> None:
        if key not in self.done:
            self.done.append(key)

    def resume(self) -> str:
        """The first step not answered yet (the last one when all are)."""
        return next((k for k in KEYS if k not in self.done), KEYS[-1])


def _value(question: Any, post: QueryDict, name: str) -> Any:
    if question.kind == "choices":
        return [str(v)[:200] for v in post.getlist(name)][:50]
    return str(post.get(name, ""))[:MAX_ANSWER]


def answers_from_post(step: Any, post: QueryDict) -> dict[str, Any]:
    """The step's answers as the form sent them: ``f-NAME`` for a question asked once, ``rN-NAME`` per item."""
    try:
        count = max(0, min(int(str(post.get("rows", "0"))), MAX_ROWS))
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        row = {q.name: _value(q, post, f"r{i}-{q.name}") for q in step.rows}
        for kept in ("id", "problem_id"):  # the plan's own ids, kept through the interview
            if post.get(f"r{i}-{kept}"):
                row[kept] = str(post.get(f"r{i}-{kept}"))[:100]
        rows.append(row)
    return {"fields": {q.name: _value(q, post, f"f-{q.name}") for q in step.fields}, "rows": rows}


def _question(question: Any, value: Any, prefix: str, options: list[tuple[str, str]],
              errors: list[str], lang: str) -> dict[str, Any]:
    chosen = value if isinstance(value, list) else [value] if value else []
    return {"name": f"{prefix}{question.name}", "kind": question.kind, "label": question.label(lang),
            "value": value if isinstance(value, str) else "", "chosen": [str(c) for c in chosen],
            "options": _distinct(options), "errors": errors}


def _distinct(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The choices, a label that names several of them followed by each one's code (so that each can be told apart)."""
    seen: dict[str, int] = {}
    for _code, text in options:
        seen[text] = seen.get(text, 0) + 1
    return [(code, f"{text} ({code})" if seen[text] > 1 else text) for code, text in options]


def step_view(draft: Draft, key: str, lang: str, problems: list[Any] | None = None) -> dict[str, Any]:
    """What the step's page shows: its questions with the answers kept, the choices the plan so far
    offers, the problems next to the question they concern, and the platform scores on that step."""
    step = STEPS[key]
    doc = parlons.interview_draft(draft.answers, lang, key)
    answers = draft.answers.get(key) or {}
    by_place: dict[tuple[int | None, str], list[str]] = {}
    for p in problems or []:
        by_place.setdefault((p.row, p.name), []).append(p.message)
    fields = [_question(q, (answers.get("fields") or {}).get(q.name, q.default), "f-",
                        parlons.interview_options(q, doc, lang), by_place.get((None, q.name), []), lang)
              for q in step.fields]
    view: dict[str, Any] = {"step": step, "key": key, "index": KEYS.index(key), "title": step.label(lang),
                            "intro": step.intro_text(lang), "rows_title": step.rows_label(lang), "fields": fields,
                            "rows": [], "fits": []}
    if key == "kpis":
        view["suggested"] = [parlons.metric_label(m, lang) for m in step.extra["suggested"].split(",")]
    if key == "platforms":
        return view | _platform_rows(step, doc, answers, lang)
    saved = [r for r in answers.get("rows") or [] if isinstance(r, dict)]
    filled = [r for r in saved if any(r.get(q.name) for q in step.rows[:1])]
    count = min(max(len(saved), len(filled) + 1, 2), MAX_ROWS) if step.rows else 0
    for i in range(count):
        row = saved[i] if i < len(saved) else {}
        view["rows"].append({"questions": [_question(q, row.get(q.name, q.default), f"r{i}-",
                                                     parlons.interview_options(q, doc, lang),
                                                     by_place.get((i, q.name), []), lang) for q in step.rows],
                             "kept": {f"r{i}-{k}": str(row[k]) for k in ("id", "problem_id") if row.get(k)}})
    return view


def _platform_rows(step: Any, doc: Any, answers: dict[str, Any], lang: str) -> dict[str, Any]:
    """One row per platform parlons knows, scored for the plan so far; the three best recommended are
    chosen until the user says otherwise, as the terminal proposes them."""
    fits = parlons.recommend(_plain(doc), lang)
    saved = {str(r.get("id")): r for r in answers.get("rows") or [] if isinstance(r, dict)}
    proposed = [f.platform.id for f in fits if f.recommended][:3]
    rows = []
    for i, fit in enumerate(fits):
        row = saved.get(fit.platform.id) or {"chosen": "1" if not saved and fit.platform.id in proposed else ""}
        rows.append({"i": i, "fit": fit, "chosen": bool(row.get("chosen")), "reason": row.get("reason", ""),
                     "overrule": row.get("overrule", ""), "declined": row.get("declined", "")})
    return {"fits": rows, "labels": {q.name: q.label(lang) for q in step.rows}}


def _plain(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {str(k): _plain(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_plain(v) for v in doc]
    return doc if isinstance(doc, int | float | bool) or doc is None else str(doc)
