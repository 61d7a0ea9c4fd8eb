"""The interview as data (``parlons.INTERVIEW_STEPS``): the same plan and messages as ``parlons plan new``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

import parlons
from parlons.plan.cli import plan_group
from parlons.plan.document import new_document, plain
from parlons.plan.interview import QUESTIONS, STEPS

ANSWERS: dict[str, Any] = {
    "objectives": {"rows": [{"text": "Answer every question within a day", "problem": "People wait a week",
                             "deadline": "30/06/2027"}]},
    "resources": {"fields": {"hours_per_week": "6", "budget": "1200"}},
    "skills": {"fields": {"needed": ["community_management", "writing"]},
               "rows": [{"name": "Ana", "role": "communications officer", "holds": ["community_management"],
                         "hours_per_week": "4"}]},
    "organization": {"fields": {"name": "Kerbrat", "values": "openness, proximity", "sector": "town hall",
                                "market": "public"}, "rows": [{"who": "residents"}, {"who": "local journalists"}]},
    "archetypes": {"fields": {"archetypes": ["community"]}},
    "inventory": {"rows": [{"item": "Street works map", "kind": "map", "where": "website"}]},
    "kpis": {"rows": [{"metric": "responsiveness.answered_share", "target": ">= 0.8", "deadline": "2027-06-30",
                       "objective": "o1"}]},
}


def _with_platforms(lang: str) -> tuple[dict[str, Any], list[str], str]:
    """The answers with the platform step: the best recommended platform chosen, the others declined."""
    doc = parlons.interview_draft(ANSWERS, lang, "platforms")
    recommended = [f for f in parlons.recommend(plain(doc), lang) if f.recommended]
    best = recommended[0].platform.id
    answers = dict(ANSWERS)
    answers["platforms"] = {"rows": [{"id": best, "chosen": "1", "reason": "the residents are there"}]
                            + [{"id": f.platform.id, "declined": "no time"} for f in recommended[1:]]}
    answers["lines_of_work"] = {"rows": [{"what": "Works in the streets", "to": ["a1"], "form": "photo, text",
                                          "end": "o1", "platforms": [best]}]}
    answers["actions"] = {"rows": [{"text": "Answer mentions", "kind": "answer", "platform": best, "line": "l1",
                                    "cadence": "1/day", "effort_hours": "0.5", "who": "Ana"}]}
    declined = ["no time"] * (len(recommended) - 1)
    return answers, declined, best


def _terminal_lines(best: str, declined: list[str]) -> list[str]:
    return ["Answer every question within a day", "People wait a week", "30/06/2027", "",
            "6", "1200",
            "Ana", "communications officer", "community_management", "4", "", "community_management, writing",
            "Kerbrat", "openness, proximity", "town hall", "public", "residents", "local journalists", "",
            "community",
            best, "the residents are there", *declined,
            "Works in the streets", "a1", "photo, text", "o1", best, "",
            "Street works map", "map", "website", "",
            "Answer mentions", "answer", best, "l1", "1/day", "0.5", "Ana", "",
            "responsiveness.answered_share", ">= 0.8", "2027-06-30", "o1", ""]


def test_the_form_answers_make_the_plan_the_terminal_makes(tmp_path: Path) -> None:
    answers, declined, best = _with_platforms("en")
    path = tmp_path / "plan.yaml"
    result = CliRunner().invoke(plan_group, ["new", str(path), "--lang", "en"],
                                input="\n".join(_terminal_lines(best, declined)) + "\n")
    assert result.exit_code == 0, result.output
    text, problems = parlons.plan_from_interview(answers, "en")
    assert problems == []
    assert text == path.read_text(encoding="utf-8")
    (tmp_path / "form.yaml").write_text(text, encoding="utf-8")
    assert text.startswith("# parlons plan (format: docs/plan.md). Edit freely: comments are kept.\n")
    assert parlons.load_plan(tmp_path / "form.yaml").data["platforms"] == [
        {"id": best, "reason": "the residents are there"}]


def test_the_steps_are_the_terminals_with_every_question_in_both_languages() -> None:
    assert [s.key for s in parlons.INTERVIEW_STEPS] == [s.key for s in STEPS]
    for step in parlons.INTERVIEW_STEPS:
        for question in (*step.fields, *step.rows):
            assert question.text in QUESTIONS.values()
            assert question.label("fr") and question.label("en") and question.label("fr") != question.label("en")
    deadline = next(q for q in parlons.INTERVIEW_STEPS[0].rows if q.name == "deadline")
    assert (deadline.label("en"), deadline.label("fr")) == ("By when?", "Pour quand ?")


def test_wrong_answers_are_named_with_the_terminals_messages_and_change_nothing() -> None:
    doc = new_document("fr")
    before = dict(doc)
    problems = parlons.answer_interview_step(doc, "actions", {"rows": [
        {"text": "Répondre", "kind": "chanter", "cadence": "souvent", "effort_hours": "-1"}]}, "fr")
    assert [(p.row, p.name) for p in problems] == [(0, "kind"), (0, "cadence"), (0, "effort_hours")]
    assert problems[0].message.startswith("choisir parmi : publier, partager, écouter, répondre")
    assert problems[1].message == "comme 3/semaine, 1/jour, 2/mois"
    assert problems[2].message == "zéro ou plus"
    assert dict(doc) == before
    kpi = parlons.answer_interview_step(doc, "kpis", {"rows": [{"metric": "reactivite"}]}, "fr")
    assert kpi[0].message.startswith("aucune mesure de l'audit ne s'appelle « reactivite »")


def test_an_item_without_its_first_answer_is_left_out_and_choices_come_from_earlier_steps() -> None:
    doc = new_document("en")
    assert parlons.answer_interview_step(doc, "organization", {
        "fields": {"name": "Café", "market": "consumers"},
        "rows": [{"who": "regulars"}, {"who": ""}, {"who": "students"}]}, "en") == []
    assert plain(doc)["organization"] == {"name": "Café", "market": "b2c",
                                          "audiences": [{"id": "a1", "who": "regulars"},
                                                        {"id": "a2", "who": "students"}]}
    to = next(q for s in parlons.INTERVIEW_STEPS if s.key == "lines_of_work" for q in s.rows if q.name == "to")
    assert parlons.interview_options(to, doc, "en") == [("a1", "a1 · regulars"), ("a2", "a2 · students")]
    market = next(q for q in parlons.INTERVIEW_STEPS[3].fields if q.name == "market")
    assert ("public", "secteur public") in parlons.interview_options(market, doc, "fr")


def test_an_interview_over_a_plan_starts_from_it_and_keeps_what_it_does_not_ask(tmp_path: Path) -> None:
    from parlons.web import __file__ as web

    demo = Path(web).with_name("demo_plan.yaml")
    plan = parlons.load_plan(demo)
    answers = parlons.interview_answers(plan.doc)
    assert set(answers) == {s.key for s in parlons.INTERVIEW_STEPS} & set(plan.data)
    same, problems = parlons.plan_from_interview(answers, "fr", base=parlons.load_plan(demo).doc)
    assert problems == [] and same == demo.read_text(encoding="utf-8")  # nothing changed: comments and all
    answers["kpis"]["rows"].append({"metric": "conversation.replies_to_others_share", "target": ">= 0.3"})
    changed, problems = parlons.plan_from_interview(answers, "fr", base=parlons.load_plan(demo).doc)
    before, after = demo.read_text(encoding="utf-8").splitlines(), changed.splitlines()
    assert problems == [] and after[:len(before) - 5] == before[:len(before) - 5]
    assert after[-3:] == ["  - id: k2", "    metric: conversation.replies_to_others_share", "    target: '>= 0.3'"]
