"""KPIs measured on a fixture store with known figures: status, baseline filled, history and trend."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from parlons.plan import load_plan
from parlons.plan.progress import audit_plan, history_path, measure_kpis, record, report_view
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, SETTINGS, T0, build

PLAN = """\
# a plan held to the fixture store (org: answered 2 of 3, median first response 3,900 s)
version: 1
lang: en
name: Org answers
audit:
  account: org
  platform: x
problems:
  - id: p1
    text: Questions wait for days.
objectives:
  - id: o1
    text: Answer the public within the hour
    problem: p1
    kind: customer_service
    deadline: 2024-06-30
kpis:
  - id: answered
    metric: responsiveness.answered_share
    objective: o1
    target: ">= 0.8"
    deadline: 2024-06-30
    baseline:
      value: 0.5
      n: 10
      date: 2024-01-31
  - id: speed   # the commitment
    metric: responsiveness.median_first_response_s
    objective: o1
    target: "< 3600"
    deadline: 2024-03-01
  - id: level
    metric: maturity.level
    target: ">= 4"
  - id: english
    metric: voice.en.first_singular_share
    target: ">= 0.3"
"""


@pytest.fixture
def plan_file(store: Store, tmp_path: Path) -> Path:
    build(store, SCENARIO, tmp_path)
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def test_kpis_measured_against_baseline_and_target(store: Store, plan_file: Path) -> None:
    plan = load_plan(plan_file)
    audit = audit_plan(plan, store.con, settings=SETTINGS)
    progress = {p.id: p for p in measure_kpis(plan.data, audit)}
    answered, speed, level, english = progress["answered"], progress["speed"], progress["level"], progress["english"]
    # the requests that ask: r1 answered in 10 min, r3 unanswered, r4 pending (r2 thanks, counted apart)
    assert (answered.current.value, answered.current.n, answered.status) == (0.5, 2, "not met")
    assert answered.way == 0.0
    assert (speed.current.value, speed.current.n, speed.date, speed.status) == (600.0, 1, "2024-03-07", "met")
    assert (level.current.value, level.status) == (4.0, "met")
    assert (english.current.value, english.status) == (None, "unknown")


def test_record_fills_missing_baselines_keeps_comments_and_writes_history(store: Store, plan_file: Path) -> None:
    plan = load_plan(plan_file)
    record(plan, audit_plan(plan, store.con, settings=SETTINGS))
    text = plan_file.read_text(encoding="utf-8")
    assert "# a plan held to the fixture store" in text and "  - id: speed   # the commitment\n" in text
    reread = load_plan(plan_file).data["kpis"]
    assert reread[0]["baseline"] == {"value": 0.5, "n": 10, "date": "2024-01-31"}  # kept as written
    assert reread[1]["baseline"] == {"value": 600.0, "n": 1, "date": "2024-03-07",
                                     "source": "parlons audit org (2024-03-04 – 2024-03-07)"}
    assert reread[2]["baseline"]["value"] == 4.0 and "baseline" not in reread[3]
    history = json.loads(history_path(plan_file).read_text(encoding="utf-8"))
    assert [m["date"] for m in history["measurements"]] == ["2024-03-07"]
    assert history["measurements"][0]["kpis"]["answered"] == {"value": 0.5, "n": 2, "status": "ok"}


def test_successive_audits_show_the_trend(store: Store, plan_file: Path) -> None:
    plan = load_plan(plan_file)
    early = audit_plan(plan, store.con, settings=SETTINGS, until=T0 + timedelta(hours=2))
    record(plan, early)
    plan = load_plan(plan_file)
    progress = {p.id: p for p in record(plan, audit_plan(plan, store.con, settings=SETTINGS))}
    assert progress["answered"].series == [("2024-03-04", 1.0), ("2024-03-07", 0.5)]
    assert progress["answered"].trend == "worse"
    assert progress["level"].trend in ("better", "worse", "steady")
    again = {p.id: p for p in record(load_plan(plan_file), audit_plan(plan, store.con, settings=SETTINGS))}
    assert len(again["answered"].series) == 2  # measuring the same data twice adds nothing
    assert len(json.loads(history_path(plan_file).read_text())["measurements"]) == 2


def test_report_view_fits_the_report(store: Store, plan_file: Path) -> None:
    plan = load_plan(plan_file)
    view = report_view(plan, audit_plan(plan, store.con, settings=SETTINGS), "en")
    assert view["name"] == "Org answers"
    assert view["objectives"] == ["Answer the public within the hour (by June 30, 2024)"]
    assert view["kpis"][0] == {"metric": "Responsiveness: answered", "baseline": "50% (January 31, 2024)",
                               "current": "50% (March 7, 2024)", "target": "≥ 80% by June 30, 2024",
                               "status": "not met"}
    assert view["kpis"][1]["current"] == "10 min (March 7, 2024)"
    assert view["findings"] == [  # deadlines are judged at the audit's end, 2024-03-07
        {"severity": "warning", "message": "KPI speed's deadline, March 1, 2024, is past: take stock of what was "
                                           "reached and set a new date."},
        {"severity": "warning", "message": "The plan does not say how many hours a week are really available."}]
    french = report_view(plan, audit_plan(plan, store.con, settings=SETTINGS), "fr")
    assert french["objectives"] == ["Answer the public within the hour (d'ici le 30 juin 2024)"]
    assert french["kpis"][0] == {"metric": "Réactivité : avec réponse", "baseline": "50\u00a0% (31 janvier 2024)",
                                 "current": "50\u00a0% (7 mars 2024)", "target": "≥ 80\u00a0% d'ici le 30 juin 2024",
                                 "status": "pas encore"}
    assert french["findings"][1] == {"severity": "attention", "message": "Le plan ne dit pas combien d'heures par "
                                     "semaine sont vraiment disponibles."}


def test_report_with_a_plan_shows_its_kpis_and_findings(store: Store, plan_file: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from parlons.cli import cli

    store.close()
    output = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "org", "--platform", "x", "--store", str(tmp_path / "store.duckdb"),
                                      "--min-n", "1", "--lang", "en", "--plan", str(plan_file), "-o", str(output)])
    assert result.exit_code == 0, result.output
    page = output.read_text(encoding="utf-8")
    section = page[page.index('<section id="plan"'):page.index('<section id="methods"')]
    assert "<h2 id=\"plan-title\">The plan: Org answers</h2>" in section
    assert "Answer the public within the hour (by June 30, 2024)" in section
    assert ("<th scope=\"row\">Responsiveness: answered</th><td>50% (January 31, 2024)</td><td>50% (March 7, 2024)"
            "</td><td>≥ 80% by June 30, 2024</td><td>not met</td>") in section
    assert "<li><strong>warning</strong> The plan does not say" in section
    assert "The plan does not say how many hours a week are really available." in section
