"""The plan: its format (schema errors with paths, comments kept), the checks on the seeds' cases, platform fit."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from parlons.plan import CHECKS, EXAMPLES, PlanError, load_plan, recommend, run_checks
from parlons.plan.document import load_document, plain, save_document, to_yaml
from parlons.plan.knowledge import Cues, platforms

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
BEFORE_THE_DEADLINES = date(2025, 1, 1)

EXPECTED = {
    "universite.yaml": {"objective.no_problem", "objective.not_measured", "tactic.presence_only", "tactic.viral",
                        "skills.missing", "kpi.unknown_metric", "inventory.unshared"},
    "musician.yaml": {"resources.hours_exceeded", "actions.effort_unknown"},
    "industrie-b2b.yaml": {"tactic.tool_sells", "tactic.control", "tactic.presence_only", "platform.audience_absent"},
    "mutuelle.yaml": {"objective.service_without_response_time", "plan.broadcast_only"},
}


def findings(name: str) -> dict[str, list[Any]]:
    plan = load_plan(EXAMPLES / name)
    found: dict[str, list[Any]] = {}
    for f in run_checks(plan.data, plan.lang, BEFORE_THE_DEADLINES):
        found.setdefault(f.id, []).append(f)
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_plan_triggers_its_expected_checks(name: str) -> None:
    assert set(findings(name)) == EXPECTED[name]


def test_every_example_is_tested_and_every_check_is_exercised() -> None:
    assert {p.name for p in EXAMPLES.glob("*.yaml")} == set(EXPECTED)
    untested = set(CHECKS) - set().union(*EXPECTED.values())
    assert untested == {"plan.no_objective", "objective.no_deadline", "resources.hours_unknown", "platform.unknown",
                        "kpi.no_target", "line.incomplete",  # exercised by test_a_bare_plan below
                        "deadline.past", "action.platform_outside_line"}  # and by the tests after it


def test_a_bare_plan() -> None:
    plan = {"version": 1, "platforms": [{"id": "myspace"}], "kpis": [{"id": "k", "metric": "content.posts"}],
            "objectives": [], "lines_of_work": [{"id": "l", "what": "news"}]}
    ids = [f.id for f in run_checks(plan)]
    assert ids == ["plan.no_objective", "resources.hours_unknown", "platform.unknown", "kpi.no_target",
                   "line.incomplete"]
    plan["objectives"] = [{"id": "o", "text": "x", "problem": "p"}]
    assert "objective.no_deadline" in [f.id for f in run_checks(plan)]


def test_findings_carry_severity_path_seed_and_language() -> None:
    b2b = findings("industrie-b2b.yaml")
    facebook = b2b["platform.audience_absent"][0]
    assert (facebook.severity, facebook.path, facebook.seed) == ("warning", "platforms[0]", "000_c4702feb2bb5dce2.txt")
    assert facebook.message.startswith("Facebook est choisi mais aucun de vos publics")
    soap = b2b["tactic.tool_sells"][0]
    assert soap.message == ("« Vendre plus de pompes grâce à un blog » : comment exactement « blog » va-t-il mener à "
                            "« Vendre plus » ? Décrivez le chemin d'une publication à une vente.")
    assert soap.path == "objectives[0].text"
    assert (soap.idea, soap.source) == (
        "Fausse solution à un problème mal identifié : « comment est-ce qu'écrire un blog va nous faire vendre plus de "
        "savons ? »", "d'après le billet « Stratégie médias sociaux : à distance ou en dialogue ? »")
    hours = findings("musician.yaml")["resources.hours_exceeded"][0]
    assert hours.severity == "error"
    assert hours.message.startswith("The actions need 4.4 h a week; the plan has 3.")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed posts ship beside the project")
def test_every_check_cites_a_seed_that_exists() -> None:
    for check in CHECKS.values():
        assert (SEEDS / check.seed).is_file(), check.id
        assert check.severity in ("error", "warning")


def test_overruling_records_why_and_silences_the_audience_check() -> None:
    plan = load_plan(EXAMPLES / "industrie-b2b.yaml")
    data = plan.data
    data["platforms"][0]["overrule"] = "our installers' families follow the factory's news there"
    assert "platform.audience_absent" not in {f.id for f in run_checks(data)}
    facebook = next(f for f in recommend(data) if f.platform.id == "facebook")
    assert facebook.chosen and facebook.overrule and not facebook.recommended


def test_fit_scores_are_the_sum_of_their_reasons() -> None:
    data = load_plan(EXAMPLES / "industrie-b2b.yaml").data
    fits = {f.platform.id: f for f in recommend(data)}
    linkedin, facebook = fits["linkedin"], fits["facebook"]
    assert linkedin.recommended and not facebook.recommended
    assert linkedin.score > facebook.score
    assert facebook.score == sum(r.points for r in facebook.reasons)
    assert any("B2B" in r.text and r.points == -2 for r in facebook.reasons)
    assert any(r.text.startswith("audience professionals is there") for r in linkedin.reasons)


def test_effort_beyond_the_hours_lowers_the_score() -> None:
    base = {"version": 1, "organization": {"audiences": [{"id": "a", "who": "students"}]}}
    roomy = {f.platform.id: f.score for f in recommend({**base, "resources": {"hours_per_week": 20}})}
    tight = {f.platform.id: f.score for f in recommend({**base, "resources": {"hours_per_week": 1}})}
    assert tight["tiktok"] == roomy["tiktok"] - 3  # 1.5 h a post, 3 posts a week
    assert tight["documents"] == roomy["documents"]


def test_knowledge_base_covers_the_platforms_of_the_issue() -> None:
    assert set(platforms()) >= {"facebook", "instagram", "linkedin", "x", "mastodon", "bluesky", "youtube", "tiktok",
                                "pinterest", "blog", "newsletter", "documents"}
    for p in platforms().values():
        assert p.audiences and p.formats and p.objectives and 0 <= p.dialogue <= 3 and p.effort_post_h > 0


def test_cues_match_whole_words_without_accents_and_quote_them_as_written() -> None:
    cues = Cues(["etudiant*", "sav", "controler ce qui"])
    assert cues.find("Les Étudiantes du campus") == "Étudiantes"
    assert cues.find("Le SAV répond") == "SAV"
    assert cues.find("savons") is None
    assert cues.find("Contrôler   ce qui est dit") == "Contrôler   ce qui"
    assert cues.find("on veut contro\u0302ler ce qui se dit") == "contro\u0302ler ce qui"  # a combining accent


# --- the format ----------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_schema_errors_name_the_path_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, """version: 1
objectives:
  - id: o1
    text: Answer faster
    problem: p1
  - id: o2
    text: More readers
  - id: o3
    text: Fill the rooms
    deadline: june
    kind: sale
resources:
  hours_per_week: -2
actions:
  - text: Post
    cadence: often
kpis:
  - id: k1
    metric: responsiveness.answered_share
    target: at least 0.8
""")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == [
        "line 10: objectives[2].deadline: expected a date such as 2025-06-30, got 'june'",
        "line 11: objectives[2].kind: expected one of sales, leads, customer_service, community, awareness, "
        "recruitment, events, information, expertise, crisis, fundraising, media_relations; got 'sale' "
        "(did you mean 'sales'?)",
        "line 13: resources.hours_per_week: expected a number of zero or more, got -2",
        "line 16: actions[0].cadence: expected something like '3/week' or '1/mois', got 'often'",
        "line 20: kpis[0].target: expected something like '>= 0.8' or '< 3600', got 'at least 0.8'",
    ]
    assert str(caught.value).startswith(f"file {path}: the plan has 5 problems:")


def test_unknown_fields_missing_ids_and_broken_references(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nproblems:\n  - id: p1\n    text: x\nobjectives:\n  - id: o1\n    text: y\n"
                 "    problem: p2\n    deadlin: 2025-01-01\n  - text: z\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == ["line 9: objectives[0].deadlin: unknown field; did you mean 'deadline'?",
                                     "line 10: objectives[1].id: missing"]
    write(tmp_path, "version: 1\nproblems:\n  - id: p1\n    text: x\nobjectives:\n  - id: o1\n    text: y\n"
          "    problem: p2\n")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert caught.value.problems == ["line 8: objectives[0].problem: no problem has id 'p2' (known: p1)"]


def test_version_and_yaml_syntax(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="version: this parlons reads plan format version 1, the file says 2"):
        load_plan(write(tmp_path, "version: 2\n"))
    with pytest.raises(PlanError, match="version: missing"):
        load_plan(write(tmp_path, "lang: fr\n"))
    with pytest.raises(PlanError, match=r"line 2: not valid YAML: mapping values are not allowed here"):
        load_plan(write(tmp_path, "version: 1\nname: a: b\n"))
    with pytest.raises(PlanError, match="must be a YAML mapping"):
        load_plan(write(tmp_path, "- a\n- b\n"))


def test_round_trip_keeps_comments_and_order(tmp_path: Path) -> None:
    source = EXAMPLES / "mutuelle.yaml"
    doc = load_document(source)
    assert to_yaml(doc) == source.read_text(encoding="utf-8")
    doc["resources"]["hours_per_week"] = 20
    save_document(doc, tmp_path / "copy.yaml")
    written = (tmp_path / "copy.yaml").read_text(encoding="utf-8")
    assert "# le compte d'aide, audité avec le compte principal" in written
    assert written.replace("hours_per_week: 20", "hours_per_week: 15") == source.read_text(encoding="utf-8")


def test_every_example_round_trips_byte_for_byte() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        assert to_yaml(load_document(path)) == path.read_text(encoding="utf-8"), path.name


def test_plain_turns_dates_into_iso_strings() -> None:
    data = plain(load_document(EXAMPLES / "mutuelle.yaml"))
    assert data["kpis"][0]["baseline"] == {"value": 0.12, "n": 214, "date": "2024-12-31",
                                           "source": "parlons audit ArmorSante --with ArmorSanteAide"}


def test_a_deadline_already_past_is_found_in_the_plans_language() -> None:
    plan = {"version": 1, "objectives": [{"id": "o1", "text": "Answer within the day", "problem": "p1",
                                          "deadline": date(2025, 6, 30), "measure": "answered share"}],
            "kpis": [{"id": "k1", "metric": "responsiveness.answered_share", "target": ">= 0.8",
                      "deadline": "2025-09-30", "objective": "o1"}]}
    assert "deadline.past" not in {f.id for f in run_checks(plan, "fr", date(2025, 6, 30))}
    past = [(f.path, f.severity, f.message) for f in run_checks(plan, "fr", date(2025, 10, 1))
            if f.id == "deadline.past"]
    assert past == [
        ("objectives[0].deadline", "warning", "L'objectif o1 avait pour échéance le 30 juin 2025, date passée : "
         "faites le bilan et fixez une nouvelle date."),
        ("kpis[0].deadline", "warning", "L'indicateur k1 avait pour échéance le 30 septembre 2025, date passée : "
         "faites le bilan et fixez une nouvelle date.")]
    english = [f.message for f in run_checks(plan, "en", date(2025, 7, 1)) if f.id == "deadline.past"]
    assert english == ["Objective o1's deadline, June 30, 2025, is past: take stock of what was reached and set a "
                       "new date."]


def test_an_action_on_a_platform_its_line_of_work_does_not_list() -> None:
    plan = {"version": 1, "platforms": [{"id": "instagram"}, {"id": "x"}],
            "lines_of_work": [{"id": "l1", "what": "the pastries", "platforms": ["instagram"]}],
            "actions": [{"text": "Post the pastries", "line": "l1", "platform": "twitter"},
                        {"text": "Stories of the bakers", "line": "l1", "platform": "Insta"},
                        {"text": "Answer mentions", "kind": "answer", "platform": "x"}]}
    found = [(f.path, f.message) for f in run_checks(plan, "fr") if f.id == "action.platform_outside_line"]
    assert found == [("actions[0].platform", "L'action « Post the pastries » se fait sur X (Twitter), mais sa ligne "
                      "éditoriale l1 est publiée sur Instagram.")]


def test_findings_speak_the_plans_language_with_no_codes() -> None:
    plan = load_plan(EXAMPLES / "industrie-b2b.yaml")
    facebook = next(f for f in run_checks(plan.data, "fr", BEFORE_THE_DEADLINES) if f.id == "platform.audience_absent")
    assert facebook.message == (
        "Facebook est choisi mais aucun de vos publics n'y est (on y trouve : grand public, consommateurs, familles, "
        "personnes âgées, habitants du territoire, amateurs de musique, contacts existants). Allez où ils sont, ou "
        "notez pourquoi vous le choisissez quand même.")
    data = plan.data
    data["objectives"][1]["text"] = "Être présents pour les personnes âgées et contrôler ce qui se dit"
    quoted = {f.id: f.message for f in run_checks(data, "fr", BEFORE_THE_DEADLINES) if f.path == "objectives[1].text"}
    assert quoted == {
        "tactic.control": "« Être présents pour les personnes âgées et contrôler ce qui se dit » : on ne contrôle pas "
                          "ce qui se dit de vous (mots « contrôler ce qui ») ; on peut l'écouter et y répondre.",
        "tactic.presence_only": "« Être présents pour les personnes âgées et contrôler ce qui se dit » : être présent "
                                "(mots « Être présents ») est un moyen, pas un objectif ; que doit-il changer ?"}


def test_fit_reasons_in_french_name_audiences_places_and_channels_in_words() -> None:
    plan = load_plan(EXAMPLES / "mutuelle.yaml")
    facebook = next(f for f in recommend(plan.data, "fr") if f.platform.id == "facebook")
    assert [(r.points, r.text) for r in facebook.reasons] == [
        (2, "le public « consommateurs » y est (public 1 : « adhérents »)"),
        (2, "le public « familles » y est (public 1 : « familles »)"),
        (2, "sert l'objectif « service client » (objectif 1)"),
        (1, "on peut y publier : « texte » (ligne éditoriale 1 : « text »)"),
        (1, "on peut y publier : « liens » (ligne éditoriale 1 : « link »)"),
        (1, "le plan demande du dialogue ; ici 2/3 : commentaires sous les publications et messages privés "
            "(Messenger) ; des groupes pour les communautés")]


def test_the_plans_codes_in_words_and_back() -> None:
    from parlons.plan.words import label, metric_label, place, read, read_metric, source

    assert [read("skill", w) for w in ("rédaction", "Photo", "community management", "CM", "bricolage")] == [
        "writing", "photo_video", "community_management", "community_management", None]
    assert [read("archetype", w) for w in ("Communauté (Lego)", "crise", "(Old Spice)", "campaign")] == [
        "community", "crisis", "marketing", "campaign"]
    assert [read("market", w) for w in ("particuliers", "B2B", "Secteur public", "associatif")] == [
        "b2c", "b2b", "public", "nonprofit"]
    assert [read("action", w) for w in ("répondre", "Écouter", "dialoguer")] == ["answer", "listen", "engage"]
    assert read("platform", "X (Twitter)") == "x" and label("platform", "twitter", "fr") == "X (Twitter)"
    assert (label("audience", "older_adults", "fr"), label("audience", "older_adults", "en")) == (
        "personnes âgées", "older adults")
    assert (metric_label("voice.fr.questions_share", "fr"), metric_label("voice.fr.questions_share", "en")) == (
        "Ton (français) : questions", "Voice (French): questions")
    assert read_metric("reactivite : avec reponse") == "responsiveness.answered_share"
    assert (place("objectives[0].deadline", "fr"), place("organization.audiences[2]", "en")) == (
        "objectif 1 (échéance)", "audience 3")
    assert source("004_ba480d8c832da213.txt", "fr") == "d'après le billet « Aveugles et faux prophètes » (2010)"


def test_hours_are_written_with_a_decimal_comma_in_french() -> None:
    plan = {"version": 1, "organization": {"audiences": [{"id": "a", "who": "students"}]},
            "resources": {"hours_per_week": 2.5}}
    reasons = {f.platform.id: [r.text for r in f.reasons] for f in recommend(plan, "fr")}
    assert "une présence vivante demande environ 4,5 h par semaine sur vos 2,5" in reasons["tiktok"]
    english = {f.platform.id: [r.text for r in f.reasons] for f in recommend(plan, "en")}
    assert "a living presence takes about 4.5 h a week of your 2.5" in english["tiktok"]
    musician = load_plan(EXAMPLES / "musician.yaml")
    french = [f for f in run_checks(musician.data, "fr", BEFORE_THE_DEADLINES) if f.id == "resources.hours_exceeded"]
    assert french[0].message == ("Les actions demandent 4,4 h par semaine ; le plan en a 3. Les plus lourdes : "
                                 "« Tour photos and stories » 2,2 h, « Edit and publish a live video » 1,2 h, "
                                 "« Answer comments and messages » 0,5 h.")
