"""The plan interview as a wizard: the library's steps and questions, answers kept, checked per step, a new version."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

import parlons

from .conftest import World

STEP_KEYS = ["objectives", "resources", "skills", "organization", "archetypes", "platforms", "lines_of_work",
             "inventory", "actions", "kpis"]


def _url(world: World, step: str) -> str:
    return f"/w/{world.a.pk}/plan/interview/{step}/"


def _post(client: Client, world: World, step: str, data: dict[str, Any], action: str = "next",
          lang: str = "en") -> Any:
    return client.post(_url(world, step), {**data, "action": action}, HTTP_ACCEPT_LANGUAGE=lang)


ANSWERS: dict[str, dict[str, Any]] = {
    "objectives": {"rows": "2", "r0-text": "Answer every question within a day", "r0-problem": "People wait a week",
                   "r0-deadline": "2027-06-30", "r1-text": ""},
    "resources": {"f-hours_per_week": "6", "f-budget": "1200"},
    "skills": {"f-needed": ["community_management", "writing"], "rows": "2", "r0-name": "Ana",
               "r0-role": "communications officer", "r0-holds": ["community_management"], "r0-hours_per_week": "4",
               "r1-name": ""},
    "organization": {"f-name": "Kerbrat", "f-values": "openness, proximity", "f-sector": "town hall",
                     "f-market": "public", "rows": "2", "r0-who": "residents", "r1-who": "local journalists"},
    "archetypes": {"f-archetypes": ["community"]},
    "lines_of_work": {"rows": "1", "r0-what": "Works in the streets", "r0-to": ["a1"], "r0-form": "photo, text",
                      "r0-end": "o1", "r0-platforms": ["mastodon"]},
    "inventory": {"rows": "1", "r0-item": "Street works map", "r0-kind": "map", "r0-where": "website"},
    "actions": {"rows": "1", "r0-text": "Answer mentions", "r0-kind": "answer", "r0-platform": "mastodon",
                "r0-line": "l1", "r0-cadence": "1/day", "r0-effort_hours": "0.5", "r0-who": "Ana"},
    "kpis": {"rows": "1", "r0-metric": "responsiveness.answered_share", "r0-target": ">= 0.8",
             "r0-deadline": "2027-06-30", "r0-objective": "o1"},
}


def test_the_wizard_asks_the_librarys_steps_in_order_and_questions_in_both_languages(world: World,
                                                                                      client: Client) -> None:
    assert [s.key for s in parlons.INTERVIEW_STEPS] == STEP_KEYS
    client.force_login(world.editor)
    start = client.get(f"/w/{world.a.pk}/plan/interview/")
    assert (start.status_code, start["Location"]) == (302, _url(world, "objectives"))
    english = client.get(_url(world, "objectives"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Step 1 of 10" in english and "What is your objective on social media?" in english
    french = client.get(_url(world, "objectives"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Étape 1 sur 10" in french and "Quel est votre objectif sur les médias sociaux ?" in french
    assert "<script" not in french


def test_a_step_with_bad_answers_says_what_is_wrong_next_to_the_question_and_stays(world: World,
                                                                                  client: Client) -> None:
    client.force_login(world.editor)
    bad = _post(client, world, "objectives", {"rows": "1", "r0-text": "Answer fast", "r0-deadline": "June"})
    page = bad.content.decode()
    assert bad.status_code == 400
    assert 'id="q-r0-deadline-error">Error: a date such as 2025-06-30</p>' in page
    assert 'value="Answer fast"' in page  # the answer is kept
    french = _post(client, world, "resources", {"f-hours_per_week": "beaucoup"}, lang="fr").content.decode()
    assert "Erreur\xa0: un nombre, s&#39;il vous plaît" in french
    kpi = _post(client, world, "kpis", {"rows": "1", "r0-metric": "responsiveness.answered_share",
                                        "r0-target": "a lot"}).content.decode()
    assert "such as &gt;= 0.8 or &lt; 3600" in kpi


def test_answers_are_kept_between_steps_and_back_shows_them_again(world: World, client: Client) -> None:
    client.force_login(world.editor)
    first = _post(client, world, "objectives", ANSWERS["objectives"])
    assert (first.status_code, first["Location"]) == (302, _url(world, "resources"))
    back = _post(client, world, "resources", {"f-hours_per_week": "not yet checked"}, action="back")
    assert back["Location"] == _url(world, "objectives")
    again = client.get(_url(world, "objectives"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="Answer every question within a day"' in again and 'value="2027-06-30"' in again
    assert 'value="not yet checked"' in client.get(_url(world, "resources")).content.decode()
    more = _post(client, world, "objectives", ANSWERS["objectives"], action="add")
    assert more["Location"] == _url(world, "objectives")
    assert 'name="rows" value="3"' in client.get(_url(world, "objectives")).content.decode()


def test_later_steps_offer_what_earlier_steps_named(world: World, client: Client) -> None:
    client.force_login(world.editor)
    for step in STEP_KEYS[:5]:
        assert _post(client, world, step, ANSWERS[step]).status_code == 302
    platforms = client.get(_url(world, "platforms"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    data = {"organization": {"market": "public", "audiences": [{"id": "a1", "who": "residents"},
                                                               {"id": "a2", "who": "local journalists"}]},
            "objectives": [{"id": "o1", "text": "Answer every question within a day"}],
            "resources": {"hours_per_week": 6, "budget": 1200, "budget_per": "year"}, "archetypes": ["community"],
            "skills": {"needed": ["community_management", "writing"],
                       "people": [{"name": "Ana", "role": "communications officer",
                                   "holds": ["community_management"], "hours_per_week": 4}]}}
    fits = parlons.recommend(data, "en")
    best = fits[0]
    assert f"{best.platform.name} · score {best.score}" in platforms
    assert best.reasons[0].text.replace("'", "&#39;") in platforms
    mastodon = next(i for i, f in enumerate(fits) if f.platform.id == "mastodon")
    chosen = {"rows": str(len(fits)), **{f"r{i}-id": f.platform.id for i, f in enumerate(fits)},
              f"r{mastodon}-chosen": "1", f"r{mastodon}-reason": "our residents are there",
              f"r{mastodon}-overrule": "an open network"}
    assert _post(client, world, "platforms", chosen).status_code == 302
    lines = client.get(_url(world, "lines_of_work"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="o1">o1 · Answer every question within a day</option>' in lines
    assert 'value="a2"> a2 · local journalists' in lines
    assert 'value="mastodon"> Mastodon' in lines


def test_the_last_step_creates_a_new_version_the_checks_can_read(world: World, client: Client) -> None:
    from parlons.web.plans.models import PlanVersion

    client.force_login(world.consultant)
    client.post(f"/w/{world.a.pk}/plan/start/")
    for step in STEP_KEYS:
        data = ANSWERS.get(step) or {"rows": "1", "r0-id": "mastodon", "r0-chosen": "1", "r0-reason": "residents"}
        response = _post(client, world, step, data, action="finish" if step == "kpis" else "next")
        assert response.status_code == 302, (step, response.content.decode()[-3000:])
    assert response["Location"] == f"/w/{world.a.pk}/plan/"
    version = PlanVersion.objects.filter(workspace=world.a).order_by("-number").first()
    assert version is not None and version.number == 2 and version.author == world.consultant
    assert version.note == "interview"
    text = version.text  # written over version 1: its comment and name are kept
    assert text.startswith('# Kerbrat\nversion: 1\nlang: fr\nname: "Kerbrat"\n')  # started in French
    for line in ("    text: Answer every question within a day", "    problem: p1",
                 "  market: public", "archetypes: [community]", "  - id: mastodon", "    cadence: 1/day",
                 "    metric: responsiveness.answered_share", "    target: '>= 0.8'"):
        assert line in text.splitlines(), line
    page = client.get(f"/w/{world.a.pk}/plan/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The interview made version 2 of the plan." in page
    diff = client.get(f"/w/{world.a.pk}/plan/v2/diff/").content.decode()
    assert "+    metric: responsiveness.answered_share" in diff
    after = client.get(_url(world, "objectives"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The answers start from version 2 of the plan" in after  # the draft was cleared: a new one, from v2


ROLES = [("consultant", 200), ("editor", 200), ("viewer", 403), ("outsider", 404)]


@pytest.mark.parametrize(("role", "status"), ROLES)
def test_only_consultant_and_client_editor_run_the_interview(world: World, client: Client, role: str,
                                                             status: int) -> None:
    from parlons.web.plans.models import PlanVersion

    client.force_login(getattr(world, role))
    assert client.get(_url(world, "objectives")).status_code == status
    posted = _post(client, world, "resources", ANSWERS["resources"])
    assert posted.status_code == (302 if status == 200 else status)
    restart = client.post(f"/w/{world.a.pk}/plan/interview/restart/")
    assert restart.status_code == (302 if status == 200 else status)
    if status != 200:
        assert not PlanVersion.objects.filter(workspace=world.a).exists()


def test_over_an_existing_plan_the_interview_starts_from_it_or_from_nothing(world: World, client: Client) -> None:
    from parlons.web.plans.services import add_version

    add_version(world.a, world.consultant, "# ours\nversion: 1\nlang: en\nname: Ours\nobjectives:\n"
                "  - id: serve\n    text: Serve the residents\n    kind: customer_service  # asked elsewhere\n", "v1")
    client.force_login(world.editor)
    page = client.get(f"/w/{world.a.pk}/plan/interview/", follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The answers start from version 1 of the plan" in page
    assert 'name="r0-id" value="serve"' in page and 'value="Serve the residents"' in page
    _post(client, world, "objectives", {"rows": "2", "r0-id": "serve", "r0-text": "Serve every resident"})
    for step in STEP_KEYS[1:]:
        client.post(_url(world, step), {"action": "next"})
    response = _post(client, world, "kpis", {}, action="finish")
    assert response.status_code == 302
    from parlons.web.plans.models import PlanVersion

    text = PlanVersion.objects.get(workspace=world.a, number=2).text
    assert text == ("# ours\nversion: 1\nlang: en\nname: Ours\nobjectives:\n  - id: serve\n"
                    "    text: Serve every resident\n    kind: customer_service\n")
    client.post(f"/w/{world.a.pk}/plan/interview/restart/", {"empty": "1"})
    empty = client.get(_url(world, "objectives"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="r0-id"' not in empty and "Serve" not in empty and "start from version" not in empty


def test_an_unknown_step_is_404(world: World, client: Client) -> None:
    client.force_login(world.editor)
    assert client.get(_url(world, "nonsense")).status_code == 404


def test_every_choice_of_a_figure_can_be_told_apart(world: World, client: Client) -> None:
    import re

    client.force_login(world.editor)
    page = client.get(f"/w/{world.a.pk}/plan/interview/kpis/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    select = page.split('name="r0-metric"')[1].split("</select>")[0]
    labels = re.findall(r"<option value=\"[^\"]+\"[^>]*>([^<]+)</option>", select)
    assert len(labels) > 40 and len(labels) == len(set(labels))
