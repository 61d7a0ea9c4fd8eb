"""The plan interview in a real browser (Debian's Chromium through Selenium, CSP enforced, no script):
Enter goes to the next step, a wrong answer is named next to its question, Back and Add an item work
as plain form buttons, the last step makes a new version; the KPI chart is an image the page shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import World
from .test_browser import CHROMIUM, DRIVER, Page, headless_chromium

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and DRIVER.exists()),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")


@pytest.fixture
def chrome() -> Iterator[Any]:
    with headless_chromium() as driver:
        yield driver


def _signed_in(chrome: Any, live_server: Any, client: Any, user: Any, language: str) -> Page:
    """The browser signed in as ``user`` (the test client's session) and reading ``language``."""
    client.force_login(user)
    page = Page(chrome, live_server.url)
    page.go("/healthz")
    chrome.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})
    chrome.add_cookie({"name": "django_language", "value": language, "path": "/"})
    return page


def test_the_interview_in_a_browser_without_script(transactional_db: None, world: World, live_server: Any,
                                                   chrome: Any, client: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from parlons.web.plans.models import PlanVersion

    page = _signed_in(chrome, live_server, client, world.editor, "en")
    page.go(f"/w/{world.a.pk}/plan/")
    page.click("a.button[href$='/plan/interview/']")
    assert "Step 1 of 10 · Objective" in page.text
    page.fill("input[name='r0-text']", "Answer every question within a day")
    page.fill("input[name='r0-problem']", "Residents wait a week")
    page.css("input[name='r0-problem']").send_keys(Keys.ENTER)  # Enter is the first button: Next
    page.wait_for(lambda: "Step 2 of 10" in page.text, 30)
    page.fill("input[name='f-hours_per_week']", "plenty")
    page.click("button[value='next']")
    assert "Error: a number, please" in page.text and "Step 2 of 10" in page.text, page.text
    page.click("button[value='back']")
    assert page.css("input[name='r0-text']").get_attribute("value") == "Answer every question within a day"
    page.click("button[value='add']")
    assert len(chrome.find_elements(By.CSS_SELECTOR, "fieldset.item")) == 3
    page.click("button[value='next']")
    page.fill("input[name='f-hours_per_week']", "6")
    page.click("button[value='next']")
    while "Step 10 of 10" not in page.text:
        page.click("button[value='next']")
    chrome.find_element(By.CSS_SELECTOR, "select[name='r0-metric'] option[value='responsiveness.answered_share']"
                        ).click()
    page.fill("input[name='r0-target']", ">= 0.8")
    page.click("button[value='finish']")
    assert "The interview made version 1 of the plan." in page.text
    version = PlanVersion.objects.get(workspace=world.a)
    assert "    metric: responsiveness.answered_share" in version.text.splitlines()
    refused = [e["message"] for e in chrome.get_log("browser") if "Content Security Policy" in e["message"]]
    assert refused == []  # nothing the policy had to block
    page.go(f"/w/{world.a.pk}/plan/kpis/")
    image = chrome.find_element(By.CSS_SELECTOR, "#kpi-k1 figure.chart img")
    assert chrome.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 300
    chrome.save_screenshot(str(tmp_path / "kpis.png"))


def test_the_interview_in_french_a_few_steps_and_the_plan_it_makes(transactional_db: None, world: World,
                                                                    live_server: Any, chrome: Any,
                                                                    client: Any) -> None:
    """The same wizard in French, reached from the workspace's navigation: the questions, the library's own
    French message next to a wrong answer, the platform step's reasons, and the version it makes."""
    from selenium.webdriver.common.by import By

    from parlons.web.plans.models import PlanVersion

    page = _signed_in(chrome, live_server, client, world.consultant, "fr")
    page.go(f"/w/{world.a.pk}/")
    page.click("nav.sections a[href$='/plan/']")
    page.click("nav.pages-nav a[href$='/plan/interview/']")
    assert "Étape 1 sur 10 · Objectif" in page.text
    assert "Quel est votre objectif sur les médias sociaux ?" in page.text
    page.fill("input[name='r0-text']", "Répondre à chaque question dans la journée")
    page.fill("input[name='r0-problem']", "Les habitants attendent une semaine")
    page.click("button[value='next']")
    assert "Étape 2 sur 10 · Ressources" in page.text
    page.fill("input[name='f-hours_per_week']", "beaucoup")
    page.click("button[value='next']")
    assert "Erreur : un nombre, s'il vous plaît" in page.text and "Étape 2 sur 10" in page.text
    page.fill("input[name='f-hours_per_week']", "6")
    page.click("button[value='next']")
    while "Étape 6 sur 10" not in page.text:
        page.click("button[value='next']")
    assert page.css("h2").text == "Étape 6 sur 10 · Plateformes : score et raisons"  # type: ignore[attr-defined]
    assert chrome.find_elements(By.CSS_SELECTOR, "fieldset.platform ul.reasons li")  # each score with its reasons
    while "Étape 10 sur 10" not in page.text:
        page.click("button[value='next']")
    page.click("button[value='finish']")
    assert "L'entretien a créé la version 1 du plan." in page.text
    text = PlanVersion.objects.get(workspace=world.a).text
    assert "Répondre à chaque question dans la journée" in text and "lang: fr" in text
