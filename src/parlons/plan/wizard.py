"""The interview of ``parlons plan new`` as data, for forms (the workspace's wizard).

The same steps in the same order (:data:`parlons.plan.interview.STEPS`), the same questions in
French and English (:data:`parlons.plan.interview.QUESTIONS`), the same vocabularies and the same
validation (the interview's own answer readers), so a plan built in a browser is the plan the
terminal would have built from the same answers. A step is a few questions asked once
(:attr:`FormStep.fields`) and, for the sections that are lists, questions asked for each item
(:attr:`FormStep.rows`; an item whose first answer is empty is left out, as an empty answer ends
the terminal's loop).

:func:`answer_interview_step` reads one step's answers into the document, or returns every problem with the
item and the question it concerns; :func:`plan_from_interview` replays every step's answers into a new
document and gives its YAML (with the comment every new plan starts with).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from ruamel.yaml.comments import CommentedMap

from .document import new_document, plain, to_yaml
from .fit import recommend
from .interview import QUESTIONS, STEPS, SUGGESTED_METRICS, Interview, _cadence, _flow, _map, _metric, _seq, _target
from .knowledge import platform_id, skills
from .measure import catalogue
from .schema import ACTION_KINDS, ARCHETYPES, INVENTORY_KINDS, MARKETS
from .words import label, metric_label

__all__ = ["INTERVIEW_STEPS", "Answers", "FormStep", "InterviewProblem", "Question", "answer_interview_step",
           "interview_answers", "interview_draft", "interview_options", "kpi_metrics", "plan_from_interview"]

Answers = dict[str, Any]
"""One step's answers: ``{"fields": {name: text or [texts]}, "rows": [{name: text or [texts]}, ...]}``."""


@dataclass(frozen=True)
class Question:
    """One question of a step.

    ``kind``: text, number, date, choice (one code), choices (several codes), words (free words,
    comma-separated), metric (an audit figure), target (``>= 0.8``), cadence (``3/week``), check.
    ``options``: the codes to choose among, or ``@section`` for the ids the plan has so far there.
    """

    name: str
    text: tuple[str, str]
    kind: str = "text"
    options: tuple[str, ...] | str = ()
    vocabulary: str | None = None
    default: str = ""

    def label(self, lang: str) -> str:
        """The question as a form shows it: a date's format hint left out (a form has its own date field)."""
        text = self.text[1] if lang == "fr" else self.text[0]
        return re.sub(r"\s*\([^)]*\)$", "", text) if self.kind == "date" else text


@dataclass(frozen=True)
class FormStep:
    key: str
    title: tuple[str, str]
    intro: tuple[str, str] | None = None
    fields: tuple[Question, ...] = ()
    rows: tuple[Question, ...] = ()
    rows_title: tuple[str, str] | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.title[1] if lang == "fr" else self.title[0]

    def intro_text(self, lang: str) -> str:
        return "" if self.intro is None else self.intro[1] if lang == "fr" else self.intro[0]

    def rows_label(self, lang: str) -> str:
        return "" if self.rows_title is None else self.rows_title[1] if lang == "fr" else self.rows_title[0]


@dataclass(frozen=True)
class InterviewProblem:
    """Why an answer was not taken: the step, the item (from 0, None for a question asked once), the question."""

    step: str
    row: int | None
    name: str
    message: str


def _q(name: str, key: str, kind: str = "text", options: tuple[str, ...] | str = (), vocabulary: str | None = None,
       default: str = "") -> Question:
    return Question(name, QUESTIONS[key], kind, options, vocabulary, default)


_TITLES = {s.key: s.title for s in STEPS}
INTERVIEW_STEPS: tuple[FormStep, ...] = (
    FormStep("objectives", _TITLES["objectives"], QUESTIONS["objectives.intro"],
             rows=(_q("text", "objectives.text"), _q("problem", "objectives.problem"),
                   _q("deadline", "objectives.deadline", "date")), rows_title=("Objectives", "Objectifs")),
    FormStep("resources", _TITLES["resources"],
             fields=(_q("hours_per_week", "resources.hours", "number"),
                     _q("budget", "resources.budget", "number", default="0"))),
    FormStep("skills", _TITLES["skills"],
             fields=(_q("needed", "skills.needed", "choices", "@skills", "skill"),),
             rows=(_q("name", "skills.name"), _q("role", "skills.role"),
                   _q("holds", "skills.holds", "choices", "@skills", "skill"),
                   _q("hours_per_week", "skills.hours", "number")), rows_title=("People", "Personnes")),
    FormStep("organization", _TITLES["organization"],
             fields=(_q("name", "organization.name"), _q("values", "organization.values", "words"),
                     _q("sector", "organization.sector"),
                     _q("market", "organization.market", "choice", MARKETS, "market")),
             rows=(_q("who", "organization.audience"),), rows_title=("Audiences", "Publics")),
    FormStep("archetypes", _TITLES["archetypes"], QUESTIONS["archetypes.intro"],
             fields=(_q("archetypes", "archetypes", "choices", ARCHETYPES, "archetype"),)),
    FormStep("platforms", ("Platforms: score and reasons", "Plateformes : score et raisons"),
             rows=(_q("chosen", "platforms.chosen", "check"), _q("reason", "platforms.reason"),
                   _q("overrule", "platforms.overrule"), _q("declined", "platforms.declined")),
             rows_title=("Platforms", "Plateformes")),
    FormStep("lines_of_work", _TITLES["lines_of_work"],
             rows=(_q("what", "lines.what"), _q("to", "lines.to", "choices", "@organization.audiences"),
                   _q("form", "lines.form", "words"), _q("end", "lines.end", "choice", "@objectives"),
                   _q("platforms", "lines.platforms", "choices", "@platforms", "platform")),
             rows_title=("Lines of work", "Lignes éditoriales")),
    FormStep("inventory", _TITLES["inventory"],
             rows=(_q("item", "inventory.item"),
                   _q("kind", "inventory.kind", "choice", INVENTORY_KINDS, "inventory", "other"),
                   _q("where", "inventory.where", "words")), rows_title=("What you have", "Ce que vous avez")),
    FormStep("actions", _TITLES["actions"],
             rows=(_q("text", "actions.text"), _q("kind", "actions.kind", "choice", ACTION_KINDS, "action", "publish"),
                   _q("platform", "actions.platform", "choice", "@platforms", "platform"),
                   _q("line", "actions.line", "choice", "@lines_of_work"),
                   _q("cadence", "actions.cadence", "cadence"), _q("effort_hours", "actions.effort", "number"),
                   _q("who", "actions.who", "choice", "@skills.people")), rows_title=("Actions", "Actions")),
    FormStep("kpis", _TITLES["kpis"], QUESTIONS["kpis.intro"],
             rows=(_q("metric", "kpis.metric", "metric"), _q("target", "kpis.target", "target"),
                   _q("deadline", "kpis.deadline", "date"), _q("objective", "kpis.objective", "choice", "@objectives")),
             rows_title=("Indicators", "Indicateurs"), extra={"suggested": ",".join(SUGGESTED_METRICS)}),
)
"""The wizard's steps: :data:`parlons.plan.interview.STEPS`, in the same order."""

_SECTION_FIELD = {"skills.people": "name"}


def interview_options(question: Question, doc: CommentedMap | dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """The (code, label) pairs a question offers: fixed codes, the plan's ids so far, skills, audit figures."""
    if question.kind == "metric":
        return kpi_metrics(lang)
    if question.options == "@skills":
        codes: Sequence[str] = skills()
    elif isinstance(question.options, str) and question.options.startswith("@"):
        iv = Interview(CommentedMap(doc), Path("-"), lang)
        section = question.options[1:]
        codes = iv.items(section, _SECTION_FIELD.get(section, "id"))
        if section == "organization.audiences":
            audiences = (doc.get("organization") or {}).get("audiences") or []
            return [(str(a.get("id")), f"{a.get('id')} · {a.get('who')}") for a in audiences if isinstance(a, dict)]
        if section in ("objectives", "lines_of_work"):
            items = doc.get(section) or []
            text = "text" if section == "objectives" else "what"
            return [(str(o.get("id")), f"{o.get('id')} · {o.get(text)}") for o in items if isinstance(o, dict)]
    else:
        codes = question.options if isinstance(question.options, tuple) else ()
    return [(c, label(question.vocabulary, c, lang) if question.vocabulary else c) for c in codes]


def kpi_metrics(lang: str) -> list[tuple[str, str]]:
    """Every audit figure a KPI may name, as (code, readable name), by name."""
    return sorted(((m, metric_label(m, lang)) for m in catalogue()), key=lambda pair: pair[1].lower())


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v).strip() for v in value if str(v).strip())
    return "" if value is None else str(value).strip()


class _Reader:
    """Reads one step's answers with the interview's own answer readers, collecting every problem."""

    def __init__(self, doc: CommentedMap, step: FormStep, lang: str) -> None:
        self.iv = Interview(doc, Path("-"), lang)
        self.step, self.lang = step, lang
        self.problems: list[InterviewProblem] = []

    def read(self, question: Question, value: Any, row: int | None) -> Any:
        text = _text(value)
        try:
            return self._proc(question)(text)
        except click.BadParameter as exc:
            self.problems.append(InterviewProblem(self.step.key, row, question.name, exc.message))
            return None

    def _proc(self, question: Question) -> Callable[[str], Any]:
        iv, kind = self.iv, question.kind
        if kind == "number":
            return iv._number
        if kind == "date":
            return iv.day
        if kind == "metric":
            return _metric(iv)
        if kind == "target":
            return _target(iv)
        if kind == "cadence":
            return _cadence(iv)
        if kind == "words":
            return lambda v: [w.strip() for w in v.split(",") if w.strip()]
        if kind in ("choice", "choices"):
            codes = [c for c, _label in interview_options(question, iv.doc, self.lang)]
            return iv.among(codes, kind == "choice", question.vocabulary)
        return lambda v: v

    def require(self, question: Question, value: Any, row: int | None) -> None:
        if value in (None, "", []):
            self.problems.append(InterviewProblem(self.step.key, row, question.name,
                                               self.iv.t("an answer, please", "une réponse, s'il vous plaît")))


def _rows(answers: Answers) -> list[dict[str, Any]]:
    rows = answers.get("rows") or []
    return [r for r in rows if isinstance(r, dict)]


def _fields(reader: _Reader, answers: Answers) -> dict[str, Any]:
    given = answers.get("fields") or {}
    return {q.name: reader.read(q, given.get(q.name, q.default), None) for q in reader.step.fields}


def _items(reader: _Reader, answers: Answers) -> list[tuple[int, dict[str, Any]]]:
    """The items answered (their first answer not empty), each question read, with the item's row number."""
    out = []
    first = reader.step.rows[0].name
    for i, row in enumerate(_rows(answers)):
        if not _text(row.get(first)):
            continue
        item = {q.name: reader.read(q, row.get(q.name, q.default), i) for q in reader.step.rows}
        out.append((i, item | {"_id": _text(row.get("id")), "_problem_id": _text(row.get("problem_id"))}))
    return out


def _ids(items: list[tuple[int, dict[str, Any]]], prefix: str, key: str = "_id") -> list[str]:
    """Each item's id: the one it came with (an interview over a plan keeps the plan's ids, which other
    sections refer to), else the next free ``prefix`` + number, as the terminal numbers them."""
    given = [item[key] for _i, item in items]
    taken, out = {g for g in given if g}, []
    for n, name in enumerate(given, 1):
        if not name or name in out:
            name = f"{prefix}{n}"
            while name in taken or name in out:
                n += len(given)
                name = f"{prefix}{n}"
        out.append(name)
    return out


def _objectives(reader: _Reader, answers: Answers) -> dict[str, Any]:
    problems, objectives = _seq(), _seq()
    items = _items(reader, answers)
    posed = [(i, item) for i, item in items if item["problem"]]
    problem_ids = dict(zip((i for i, _item in posed), _ids(posed, "p", "_problem_id"), strict=True))
    for (i, item), name in zip(items, _ids(items, "o"), strict=True):
        if item["problem"]:
            problems.append(_map(id=problem_ids[i], text=item["problem"]))
        objectives.append(_map(id=name, text=item["text"], problem=problem_ids.get(i), deadline=item["deadline"]))
    return {"problems": problems, "objectives": objectives}  # in the order the terminal writes them


def _resources(reader: _Reader, answers: Answers) -> dict[str, Any]:
    got = _fields(reader, answers)
    budget, before = got["budget"], reader.iv.doc.get("resources")
    per = (before.get("budget_per") if isinstance(before, dict) else "year") if budget is not None else None
    return {"resources": _map(hours_per_week=got["hours_per_week"], budget=budget, budget_per=per)}


def _skills(reader: _Reader, answers: Answers) -> dict[str, Any]:
    got = _fields(reader, answers)
    people = _seq([_map(name=item["name"], role=item["role"], holds=_flow(item["holds"] or []),
                        hours_per_week=item["hours_per_week"]) for _i, item in _items(reader, answers)])
    return {"skills": _map(needed=_flow(got["needed"] or []), people=people)}


def _organization(reader: _Reader, answers: Answers) -> dict[str, Any]:
    got = _fields(reader, answers)
    items = _items(reader, answers)
    audiences = _seq([_map(id=name, who=item["who"]) for (_i, item), name in zip(items, _ids(items, "a"), strict=True)])
    return {"organization": _map(name=got["name"], values=_flow(got["values"] or []), sector=got["sector"],
                                 market=got["market"], audiences=audiences)}


def _archetypes(reader: _Reader, answers: Answers) -> dict[str, Any]:
    return {"archetypes": _flow(_fields(reader, answers)["archetypes"] or [])}


def _platforms(reader: _Reader, answers: Answers) -> dict[str, Any]:
    """One row per platform of :func:`recommend` (``id`` names it): chosen ones with their reason (and why
    anyway, when parlons does not recommend them), recommended ones left out with why not."""
    fits = {f.platform.id: f for f in recommend(plain(reader.iv.doc), reader.lang)}
    chosen, declined = _seq(), _seq()
    for row in _rows(answers):
        fit = fits.get(str(row.get("id", "")))
        if fit is None:
            continue
        if _text(row.get("chosen")):
            overrule = None if fit.recommended else _text(row.get("overrule")) or None
            chosen.append(_map(id=fit.platform.id, reason=_text(row.get("reason")), overrule=overrule))
        elif fit.recommended and _text(row.get("declined")):
            declined.append(_map(id=fit.platform.id, reason=_text(row.get("declined"))))
    return {"declined": declined, "platforms": chosen}


def _lines(reader: _Reader, answers: Answers) -> dict[str, Any]:
    items = _items(reader, answers)
    return {"lines_of_work": _seq([
        _map(id=name, what=item["what"], to=_flow(item["to"] or []), form=_flow(item["form"] or []),
             end=item["end"], platforms=_flow(item["platforms"] or []))
        for (_i, item), name in zip(items, _ids(items, "l"), strict=True)])}


def _inventory(reader: _Reader, answers: Answers) -> dict[str, Any]:
    return {"inventory": _seq([_map(item=item["item"], kind=item["kind"], where=_flow(item["where"] or []))
                               for _i, item in _items(reader, answers)])}


def _actions(reader: _Reader, answers: Answers) -> dict[str, Any]:
    return {"actions": _seq([_map(text=item["text"], kind=item["kind"], platform=item["platform"], line=item["line"],
                                  cadence=item["cadence"], effort_hours=item["effort_hours"], who=item["who"])
                             for _i, item in _items(reader, answers)])}


def _kpis(reader: _Reader, answers: Answers) -> dict[str, Any]:
    """The KPIs; one whose figure the plan already measured keeps its baseline (``parlons plan progress``)."""
    kept = {str(k.get("metric")): k.get("baseline") for k in reader.iv.doc.get("kpis") or []
            if isinstance(k, dict) and k.get("baseline")}
    items = _items(reader, answers)
    return {"kpis": _seq([_map(id=name, metric=item["metric"], objective=item["objective"], target=item["target"],
                               deadline=item["deadline"], baseline=kept.get(item["metric"]))
                          for (_i, item), name in zip(items, _ids(items, "k"), strict=True)])}


_BUILDERS: dict[str, Callable[[_Reader, Answers], dict[str, Any]]] = {
    "objectives": _objectives, "resources": _resources, "skills": _skills, "organization": _organization,
    "archetypes": _archetypes, "platforms": _platforms, "lines_of_work": _lines, "inventory": _inventory,
    "actions": _actions, "kpis": _kpis}


def answer_interview_step(doc: CommentedMap, key: str, answers: Answers, lang: str) -> list[InterviewProblem]:
    """Read step ``key``'s answers into ``doc`` (its sections replaced); nothing changes when there are problems."""
    step = next((s for s in INTERVIEW_STEPS if s.key == key), None)
    if step is None:
        raise KeyError(f"no interview step {key!r}")
    reader = _Reader(doc, step, lang)
    sections = _BUILDERS[key](reader, answers)
    if reader.problems:
        return reader.problems
    for name, value in sections.items():
        if name in doc:
            _carry(doc[name], value, name)
        if value in (None, []) or (isinstance(value, dict) and not value):
            doc.pop(name, None)
        elif name not in doc or plain(doc[name]) != plain(value):
            doc[name] = value  # a section the answers leave as it was keeps its comments
    return []


ASKED = {
    "objectives": ("id", {"id", "text", "problem", "deadline"}), "problems": ("id", {"id", "text"}),
    "resources": ("", {"hours_per_week", "budget", "budget_per"}), "skills": ("", {"needed", "people"}),
    "skills.people": ("name", {"name", "role", "holds", "hours_per_week"}),
    "organization": ("", {"name", "values", "sector", "market", "audiences"}),
    "organization.audiences": ("id", {"id", "who"}), "platforms": ("id", {"id", "reason", "overrule"}),
    "declined": ("id", {"id", "reason"}), "lines_of_work": ("id", {"id", "what", "to", "form", "end", "platforms"}),
    "inventory": ("item", {"item", "kind", "where"}),
    "actions": ("text", {"text", "kind", "platform", "line", "cadence", "effort_hours", "who"}),
    "kpis": ("id", {"id", "metric", "objective", "target", "deadline", "baseline"}),
}
"""Per section the interview writes: what matches an item to the plan's (its id, name...) and the fields it asks."""


def _carry(old: Any, new: Any, section: str) -> None:
    """Keep in ``new`` what the plan had there and the interview does not ask (an objective's ``kind``,
    the organization's ``timezone``...): an interview over a plan loses nothing it did not ask about."""
    match, asked = ASKED.get(section, ("", set()))
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key not in asked and key not in new:
                new[key] = value
            elif key in new and f"{section}.{key}" in ASKED:
                _carry(value, new[key], f"{section}.{key}")
    elif isinstance(old, list) and isinstance(new, list) and match:
        before = {str(o.get(match)): o for o in old if isinstance(o, dict)}
        for item in new:
            if isinstance(item, dict) and str(item.get(match)) in before:
                for key, value in before[str(item.get(match))].items():
                    if key not in asked and key not in item:
                        item[key] = value


def plan_from_interview(answers: dict[str, Answers], lang: str,
                        base: CommentedMap | None = None) -> tuple[str, list[InterviewProblem]]:
    """The plan every step's answers make, in the interview's order: its YAML, or the problems found.

    With ``base`` (a plan's round-trip document, :func:`interview_answers` of which began the
    interview), the answers replace the sections the interview asks and the rest of the plan stays
    as it was, comments included (its name, ``audit:``, ``timezone``...); a KPI keeps its baseline.
    """
    doc = base if base is not None else new_document(lang)
    problems: list[InterviewProblem] = []
    for step in INTERVIEW_STEPS:
        problems += answer_interview_step(doc, step.key, answers.get(step.key) or {}, lang)
    return ("" if problems else to_yaml(doc)), problems


def _words(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _codes(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


def _list(data: dict[str, Any], *path: str) -> list[dict[str, Any]]:
    node: Any = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return [x for x in node or [] if isinstance(x, dict)] if isinstance(node, list) else []


def interview_answers(doc: CommentedMap | dict[str, Any]) -> dict[str, Answers]:
    """The answers that make the plan's sections again, for the steps whose section the plan has:
    an interview over an existing plan starts from what it says, as the terminal skips what the
    file already holds."""
    data: dict[str, Any] = plain(doc)
    problems = {p.get("id"): p.get("text") for p in _list(data, "problems")}
    org, res, skill = data.get("organization") or {}, data.get("resources") or {}, data.get("skills") or {}
    chosen = [{"id": platform_id(str(p.get("id"))) or str(p.get("id")), "chosen": "1",
               "reason": _words(p.get("reason")), "overrule": _words(p.get("overrule"))}
              for p in _list(data, "platforms")]
    declined = [{"id": platform_id(str(p.get("id"))) or str(p.get("id")), "declined": _words(p.get("reason"))}
                for p in _list(data, "declined")]
    out: dict[str, Answers] = {
        "objectives": {"rows": [{"id": _words(o.get("id")), "text": _words(o.get("text")),
                                 "problem": _words(problems.get(o.get("problem"))),
                                 "problem_id": _words(o.get("problem") if o.get("problem") in problems else ""),
                                 "deadline": _words(o.get("deadline"))} for o in _list(data, "objectives")]},
        "resources": {"fields": {"hours_per_week": _words(res.get("hours_per_week")),
                                 "budget": _words(res.get("budget"))}},
        "skills": {"fields": {"needed": _codes(skill.get("needed"))},
                   "rows": [{"name": _words(p.get("name")), "role": _words(p.get("role")),
                             "holds": _codes(p.get("holds")), "hours_per_week": _words(p.get("hours_per_week"))}
                            for p in _list(data, "skills", "people")]},
        "organization": {"fields": {"name": _words(org.get("name")), "values": _words(org.get("values")),
                                    "sector": _words(org.get("sector")), "market": _words(org.get("market"))},
                         "rows": [{"id": _words(a.get("id")), "who": _words(a.get("who"))}
                                  for a in _list(data, "organization", "audiences")]},
        "archetypes": {"fields": {"archetypes": _codes(data.get("archetypes"))}},
        "platforms": {"rows": chosen + declined},
        "lines_of_work": {"rows": [{"id": _words(x.get("id")), "what": _words(x.get("what")), "to": _codes(x.get("to")),
                                    "form": _words(x.get("form")), "end": _words(x.get("end")),
                                    "platforms": _codes(x.get("platforms"))} for x in _list(data, "lines_of_work")]},
        "inventory": {"rows": [{"item": _words(x.get("item")), "kind": _words(x.get("kind")),
                                "where": _words(x.get("where"))} for x in _list(data, "inventory")]},
        "actions": {"rows": [{"text": _words(x.get("text")), "kind": _words(x.get("kind")),
                              "platform": _words(x.get("platform")), "line": _words(x.get("line")),
                              "cadence": _words(x.get("cadence")), "effort_hours": _words(x.get("effort_hours")),
                              "who": _words(x.get("who"))} for x in _list(data, "actions")]},
        "kpis": {"rows": [{"id": _words(k.get("id")), "metric": _words(k.get("metric")),
                           "target": _words(k.get("target")), "deadline": _words(k.get("deadline")),
                           "objective": _words(k.get("objective"))} for k in _list(data, "kpis")]},
    }
    return {key: answers for key, answers in out.items() if key in data}


def interview_draft(answers: dict[str, Answers], lang: str, until: str) -> CommentedMap:
    """The document the steps before ``until`` make (a step with problems is left out): what a step's
    choices (audiences, objectives, platforms...) and the platform scores are read from."""
    doc = new_document(lang)
    for step in INTERVIEW_STEPS:
        if step.key == until:
            break
        answer_interview_step(doc, step.key, answers.get(step.key) or {}, lang)
    return doc

