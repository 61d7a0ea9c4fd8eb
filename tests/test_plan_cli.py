"""``parlons plan``: the interview end to end (with an interruption and a resume), check, fit, progress."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from parlons.cli import main
from parlons.plan import EXAMPLES, load_plan
from parlons.plan.cli import plan_group
from parlons.plan.document import load_document, plain
from parlons.plan.fit import recommend
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, build

FIRST_SESSION = [
    "Answer customers' questions on X within the hour",  # objective
    "Customers wait two days for an answer by email",  # its problem
    "2025-13-01",  # not a date: asked again
    "2025-06-30",
    "",  # no other objective
    "4",  # hours a week
    "",  # budget: 0
    "Ana", "community manager", "community_management, writing", "4",  # a person
    "",  # nobody else
    "community_management",  # skills needed
]  # then the input ends: the interview is interrupted at the organization's name

ORGANIZATION = ["Café Lumen", "warmth, local roasting", "coffee shop", "b2c", "local residents and regular customers",
                ""]


def invoke(*args: str, lines: list[str] | None = None) -> Result:
    text = "\n".join(lines) + "\n" if lines is not None else None
    return CliRunner().invoke(plan_group, list(args), input=text)


def platform_answers(path: Path) -> list[str]:
    """The answers of the platform step, computed from what parlons will recommend at that point."""
    data: dict[str, Any] = plain(load_document(path))
    data["organization"] = {"market": "b2c", "audiences": [{"id": "a1", "who": ORGANIZATION[4]}]}
    recommended = [f.platform.id for f in recommend(data) if f.recommended]
    assert recommended and "x" not in recommended  # X is where the customers write, though no audience tag says so
    answers = [f"{recommended[0]}, x", "our regulars are there", "the customers tweet at us every day",
               "the customers tweet at us every day"]
    return answers + ["no time"] + [""] * (len(recommended) - 2) if len(recommended) > 1 else answers


def test_the_interview_end_to_end_with_an_interruption(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    first = invoke("new", str(path), "--lang", "en", lines=FIRST_SESSION)
    assert first.exit_code == 1 and "Aborted" in first.output
    assert "Error: a date such as 2025-06-30" in first.output
    assert "Interrupted: the finished steps are saved in" in first.output
    saved = load_plan(path).data
    assert saved["objectives"] == [{"id": "o1", "text": FIRST_SESSION[0], "problem": "p1", "deadline": "2025-06-30"}]
    assert saved["resources"] == {"hours_per_week": 4, "budget": 0, "budget_per": "year"}
    assert saved["skills"]["people"][0]["holds"] == ["community_management", "writing"]
    assert "organization" not in saved

    # between the sessions, the consultant writes a step by hand, with a comment
    with path.open("a", encoding="utf-8") as stream:
        stream.write("archetypes: [community]  # decided with the client\n")
    second_session = ORGANIZATION + platform_answers(path) + [
        "Today's pastries and who baked them", "a1", "photo", "o1", "x", "",  # a line of work
        "Photos of the shop", "photo", "x", "",  # inventory
        "Answer mentions", "answer", "x", "", "1/day", "0.25", "Ana",  # actions
        "Post the pastries", "publish", "x", "l1", "often", "5/week", "0.5", "Ana", "",
        "responsiveness.answer_share", "responsiveness.median_first_response_s", "< 3600", "2025-06-30", "o1", "",
    ]
    second = invoke("new", str(path), lines=second_session)
    assert second.exit_code == 0, second.output
    assert "What is your objective" not in second.output and "Archetypes" not in second.output
    assert ("Error: no audit figure is called «responsiveness.answer_share»; did you mean «Responsiveness: answered» "
            "or «Responsiveness: answered requests» or «Responsiveness: unanswered requests»?") in second.output
    assert "  error · actions: The actions need 4.2 h a week; the plan has 4." in second.output
    assert "# decided with the client" in path.read_text(encoding="utf-8")
    plan = load_plan(path).data
    assert plan["organization"]["audiences"] == [{"id": "a1", "who": ORGANIZATION[4]}]
    assert plan["platforms"][1] == {"id": "x", "reason": "the customers tweet at us every day",
                                    "overrule": "the customers tweet at us every day"}
    assert plan["actions"][1] == {"text": "Post the pastries", "kind": "publish", "platform": "x", "line": "l1",
                                  "cadence": "5/week", "effort_hours": 0.5, "who": "Ana"}
    assert plan["kpis"] == [{"id": "k1", "metric": "responsiveness.median_first_response_s", "objective": "o1",
                             "target": "< 3600", "deadline": "2025-06-30"}]
    third = invoke("new", str(path))  # nothing left to ask
    assert third.exit_code == 0 and "[1/10]" not in third.output


def test_the_interview_in_french_asks_only_what_the_file_lacks(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    written = (EXAMPLES / "mutuelle.yaml").read_text(encoding="utf-8")
    cut = [("problems:", "resources:"), ("lines_of_work:", "inventory:"), ("actions:", None)]
    for start, end in cut:  # sections that refer to the objectives go with them
        written = written[:written.index(start)] + (written[written.index(end):] if end else "")
    path.write_text(written, encoding="utf-8")
    result = invoke("new", str(path), lines=["Répondre aux adhérents sur X en moins d'une heure",
                                             "Les adhérents attendent 48 h au téléphone", "2025-09-30", "", "", "", ""])
    assert result.exit_code == 0, result.output
    asked = [line.split("]")[0] + "]" for line in result.output.splitlines() if line.startswith("[")]
    assert asked == ["[1/10]", "[7/10]", "[9/10]", "[10/10]"]
    assert "[1/10] Objectif" in result.output
    assert "Quel est votre objectif sur les médias sociaux ? (vide pour terminer)" in result.output
    assert load_plan(path).data["problems"] == [{"id": "p1", "text": "Les adhérents attendent 48 h au téléphone"}]


def test_check_exits_1_on_errors_and_lists_warnings() -> None:
    result = invoke("check", str(EXAMPLES / "mutuelle.yaml"))
    assert result.exit_code == 1
    assert ("erreur · objectif 1 : L'objectif o1 relève du service client mais aucun indicateur n'engage sur un "
            "délai de réponse (Réactivité : première réponse (médiane) ou Réactivité : réponse en moins de 24 "
            "heures).\n"
            "  Idée : Mentions et DM à une mutuelle sans réponse, quand le formulaire du site répond sous 24 h : "
            "#fail. (d'après le billet « De la vraie fausse démarche \"sociale\" »)\n") in result.output
    assert "seed" not in result.output and "objectives[0]" not in result.output
    # the deadlines of the example (2025) are past
    assert result.output.rstrip().endswith("mutuelle.yaml : 1 erreur, 3 avertissements")
    b2b = invoke("check", str(EXAMPLES / "industrie-b2b.yaml"), "--lang", "en", "--json")
    assert b2b.exit_code == 0  # warnings only
    assert {f["id"] for f in json.loads(b2b.output)} == {"tactic.tool_sells", "tactic.control", "deadline.past",
                                                         "tactic.presence_only", "platform.audience_absent"}


def test_check_exit_codes_through_the_parlons_command(capsys: pytest.CaptureFixture[str]) -> None:
    for name, code in (("mutuelle.yaml", 1), ("industrie-b2b.yaml", None)):
        with pytest.raises(SystemExit) as exited:
            main(["plan", "check", str(EXAMPLES / name)])
            raise SystemExit(None)
        assert exited.value.code == code, name


def test_check_names_the_schema_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nkpis:\n  - id: k1\n    metric: Likes\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code != 0
    assert "line 4: kpis[0].metric: expected something like 'responsiveness.answered_share'" in str(result.exception)


def test_fit_lists_scores_and_reasons() -> None:
    result = invoke("fit", str(EXAMPLES / "industrie-b2b.yaml"), "--json")
    fits = {f["platform"]: f for f in json.loads(result.output)}
    assert fits["facebook"]["chosen"] and not fits["facebook"]["recommended"]
    assert fits["facebook"]["score"] == sum(r["points"] for r in fits["facebook"]["reasons"])
    assert fits["linkedin"]["recommended"]


def test_progress_on_a_fixture_store(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    store.close()
    plan = tmp_path / "plan.yaml"
    plan.write_text("version: 1\naudit:\n  account: org\n  platform: x\nkpis:\n  - id: k1\n"
                    "    metric: responsiveness.answered_share\n    target: '>= 0.8'\n", encoding="utf-8")
    result = invoke("progress", str(plan), "--store", str(tmp_path / "store.duckdb"), "--min-n", "1", "--json")
    assert result.exit_code == 0, result.output
    [k1] = json.loads(result.output)
    assert (k1["current"], k1["status"]) == ({"value": 0.5, "n": 2, "status": "ok", "date": "2024-03-07"},
                                             "not met")
    assert load_plan(plan).data["kpis"][0]["baseline"]["value"] == 0.5
    table = invoke("progress", str(plan), "--store", str(tmp_path / "store.duckdb"), "--min-n", "1", "--until",
                   "2024-03-04T11:00:00", "--lang", "en")  # an earlier state: 2 of 2 answered
    assert table.exit_code == 0, table.output
    assert "100% (n=1) (March 4, 2024)" in table.output and "worse 100% → 50%" in table.output
    assert "Responsiveness: answered" in table.output and "responsiveness.answered_share" not in table.output
    history = json.loads((tmp_path / "plan.history.json").read_text(encoding="utf-8"))
    assert [m["date"] for m in history["measurements"]] == ["2024-03-04", "2024-03-07"]


FRENCH_SESSION = [
    "Répondre aux habitants sous 24 h", "Les habitants attendent une semaine au téléphone", "2030-06-30", "",
    "5", "",  # resources
    "Lina", "chargée de communication", "bricolage", "rédaction, photo, community management", "5", "",  # a person
    "Rédaction, Photo et vidéo",  # skills needed
    "Mairie de Kerbrat", "proximité", "collectivité", "gouvernement", "secteur public", "les habitants du quartier", "",
    "Communauté (Lego), crise",  # archetypes, as the prompt just showed them
]  # then the input ends, at the platforms


def test_the_french_interview_takes_french_words_and_labels(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    result = invoke("new", str(path), "--lang", "fr", lines=FRENCH_SESSION)
    assert result.exit_code == 1
    assert ("Compétences : animation de communauté, rédaction, photo et vidéo, graphisme, analyse, publicité"
            in result.output)
    assert ("Erreur : choisir parmi : animation de communauté, rédaction, photo et vidéo, graphisme, analyse, "
            "publicité\n") in result.output
    assert ("Marché (entreprises (B2B), particuliers (B2C), les deux, secteur public, associatif) ?" in result.output)
    assert "Erreur : choisir parmi : entreprises (B2B), particuliers (B2C), les deux" in result.output
    assert "Communauté (Lego), crise (Leclerc), marketing (Old Spice), campagne (Swiss Vibes)." in result.output
    assert "Error" not in result.output and "community_management" not in result.output
    plan = load_plan(path).data
    assert plan["skills"] == {"needed": ["writing", "photo_video"], "people": [
        {"name": "Lina", "role": "chargée de communication",
         "holds": ["writing", "photo_video", "community_management"], "hours_per_week": 5}]}
    assert plan["organization"]["market"] == "public"
    assert plan["archetypes"] == ["community", "crisis"]


def test_the_french_interview_takes_a_kpi_by_its_readable_name(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    written = (EXAMPLES / "mutuelle.yaml").read_text(encoding="utf-8")
    path.write_text(written[:written.index("kpis:")], encoding="utf-8")
    result = invoke("new", str(path), lines=["Réactivité : réponses", "réactivité : avec réponse", ">= 0,8",
                                             "30/06/2030", "o1", "Ton (français) : questions", "> 0.1", "", "o1", ""])
    assert result.exit_code == 0, result.output
    assert ("Mesures de l'audit, par exemple : Réactivité : avec réponse; Réactivité : première réponse (médiane); "
            in result.output)
    assert ("Erreur : aucune mesure de l'audit ne s'appelle « Réactivité : réponses » ; vouliez-vous dire "
            "« Réactivité : avec réponse » ou « Réactivité : réponse non traçable » ou « Réactivité : demandes "
            "sans réponse » ?") in result.output
    assert [(k["metric"], k["target"]) for k in load_plan(path).data["kpis"]] == [
        ("responsiveness.answered_share", ">= 0,8"), ("voice.fr.questions_share", "> 0.1")]
