"""Platform fit with its reasons, and the KPIs over successive audits as charts, in both languages."""

from __future__ import annotations

import base64
import html
import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

import parlons

from .conftest import World

PLAN = """# Kerbrat's plan
version: 1
lang: en
name: Kerbrat
organization:
  name: Kerbrat
  market: public
  audiences:
    - id: a1
      who: residents and families
    - id: a2
      who: local journalists
archetypes: [community]
resources:
  hours_per_week: 5
objectives:
  - id: o1
    text: Answer residents' questions within a day
platforms:
  - id: mastodon
    reason: our residents are there
    overrule: an open network
kpis:
  - id: k1
    metric: responsiveness.answered_share
    target: ">= 0.9"
    objective: o1
  - id: k2
    metric: conversation.replies_to_others_share
    target: ">= 0.5"
"""


def _plan(world: World) -> None:
    from parlons.web.plans.services import add_version

    add_version(world.a, world.consultant, PLAN, "test plan")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_platform_fit_lists_every_platform_with_its_score_and_reasons(world: World, client: Client,
                                                                      lang: str) -> None:
    from parlons.web.plans.services import check

    _plan(world)
    client.force_login(world.viewer)
    page = html.unescape(client.get(f"/w/{world.a.pk}/plan/fit/", HTTP_ACCEPT_LANGUAGE=lang).content.decode())
    fits = parlons.recommend(check(PLAN, lang)[0], lang)
    names = re.findall(r'<article class="fit[^"]*" id="fit-([a-z_]+)">', page)
    assert names == [f.platform.id for f in fits]
    for f in fits:
        section = page.split(f'id="fit-{f.platform.id}">')[1].split("</article>")[0]
        assert f"score {f.score}" in section
        for r in f.reasons:
            assert f"{r.points:+d}</span> {r.text}" in section
        assert ('<strong class="met">' in section.split("</p>")[0]) == f.recommended
    mastodon = page.split('id="fit-mastodon">')[1].split("</article>")[0]
    assert ("choisie dans le plan" if lang == "fr" else "chosen in the plan") in mastodon
    assert "an open network" in mastodon


def _svg(page: str, kpi: str) -> str:
    section = page.split(f'id="kpi-{kpi}"')[1].split("</section>")[0]
    uri = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', section)
    assert uri is not None, section
    return base64.b64decode(uri[1]).decode()


def test_every_audit_of_the_default_choice_is_measured_and_drawn(world: World, client: Client) -> None:
    from parlons.web.audits.services import AuditChoice, audit_data
    from parlons.web.plans.models import KpiMeasurement
    from parlons.web.plans.progress import record

    _plan(world)
    peers = tuple(world.a.names("peers"))
    earlier = [audit_data(world.a, AuditChoice(until=date(2024, month, 30), peers=peers)) for month in (6, 9)]
    assert not KpiMeasurement.objects.filter(workspace=world.a).exists()  # not the default choice: not kept
    for generation, data in enumerate(earlier):  # as the audits after two earlier imports measured them
        assert record(world.a, generation, data) == len(parlons.kpi_metrics("en"))
    type(world.a).objects.filter(pk=world.a.pk).update(generation=2)
    world.a.refresh_from_db()
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/plan/kpis/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    now = audit_data(world.a, AuditChoice(peers=peers))  # cached by the page's visit, measured on storing
    assert KpiMeasurement.objects.filter(workspace=world.a, generation=2).count() == len(parlons.kpi_metrics("en"))
    series = []
    for data in (*earlier, now):
        figure = data[0]["responsiveness"]["answered_share"]
        end = str(data[0]["period"]["until"] or data[0]["period"]["data_end"])[:10]
        series.append((end, figure["value"], figure["n"]))
    assert [s[0] for s in series] == sorted(s[0] for s in series) and len({s[1] for s in series}) == 3
    rows = KpiMeasurement.objects.filter(workspace=world.a, metric="responsiveness.answered_share")
    assert [(r.date.isoformat(), r.value, r.n) for r in rows] == series
    section = page.split('id="kpi-k1"')[1].split("</section>")[0]
    assert "k1 · Responsiveness: " in section
    assert f"n = {series[-1][2]:,}" in section
    assert section.count("<tr><td>") == 3
    svg = _svg(page, "k1")
    assert "<script" not in svg
    points = set(re.findall(r'aria-label="date: ([^;"]+); value: ([^"]+)"', svg))
    assert {v for _d, v in points} == {f"{round(s[1] * 100)}%" for s in series}


def test_kpi_page_says_why_when_there_is_no_audit_or_no_kpi(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    world.a.account = ""
    world.a.save()
    _plan(world)
    page = client.get(f"/w/{world.a.pk}/plan/kpis/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No audit yet: no account chosen" in page
    french = client.get(f"/w/{world.a.pk}/plan/kpis/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pas encore d'audit : " in french


def test_a_kpi_chart_draws_target_and_baseline(world: World) -> None:
    from parlons.plan.measure import Measured, Target
    from parlons.web.plans.progress import chart

    progress: Any = parlons.KpiProgress("k1", "responsiveness.answered_share", None, Target(">=", 0.9), None,
                                        {"value": 0.4}, Measured(0.6, 120, "ok"), "2024-06-30",
                                        [("2024-03-31", 0.4), ("2024-06-30", 0.6)])
    drawn = chart(progress, "fr", "k1")
    svg = base64.b64decode(drawn["uri"].split(",", 1)[1]).decode()
    points = set(re.findall(r'aria-label="date: ([^;"]+); value: ([^"]+)"', svg))
    assert points == {("31 mars 2024", "40\u202f%"), ("30 juin 2024", "60\u202f%")}  # French dates and percents
    assert 'aria-label="y: 0,9"' in svg and 'aria-label="y: 0,4"' in svg  # the target and the baseline
    assert "<script" not in svg


def test_another_audited_account_starts_another_series(world: World) -> None:
    from parlons.demo import ORG_X, PEER1_X
    from parlons.web.audits.services import AuditChoice, audit_data
    from parlons.web.plans.progress import history, record

    metric = "responsiveness.answered_share"
    data = audit_data(world.a, AuditChoice(until=date(2024, 9, 30)))
    record(world.a, 0, data)
    expected = data[0]["responsiveness"]["answered_share"]["value"]
    assert [r.value for r in history(world.a, [metric])[metric]] == [expected]
    world.a.account = PEER1_X
    world.a.save()
    assert history(world.a, [metric])[metric] == []  # a peer's figures never continue the organization's line
    world.a.account = ORG_X
    world.a.save()
    assert len(history(world.a, [metric])[metric]) == 1
