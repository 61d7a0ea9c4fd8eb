"""The audit cache as the pages read it: a lean copy for the verdict and family pages, the charts
drawn with a fresh audit (what the import worker leaves behind), both gone with an import."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

import parlons

from .conftest import World


def test_a_fresh_audit_has_its_charts_drawn_in_both_languages(world: World, client: Client, settings: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from parlons.web.audits.models import RenderedCharts
    from parlons.web.audits.services import AuditChoice, audit_data

    settings.PARLONS_CHARTS_WITH_AUDIT = True
    audit_data(world.a, AuditChoice(peers=tuple(world.a.names("peers"))))  # what the import worker does
    drawn = {(lang, section): [c["name"] for c in charts]
             for lang, section, charts in RenderedCharts.objects.values_list("lang", "section", "charts")}
    names = {"responsiveness": ["answer-times"], "conversation": ["post-mix"], "content": ["heatmap", "weekly"],
             "function": ["functions"], "peers": ["key-shares"]}
    assert drawn == {(lang, section): names[section] for lang in ("fr", "en") for section in parlons.CHART_SECTIONS}

    def refused(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a cached chart was drawn again")

    monkeypatch.setattr(parlons, "audit_charts", refused)
    client.force_login(world.viewer)
    for lang in ("fr", "en"):
        for url in (f"/w/{world.a.pk}/", f"/w/{world.a.pk}/audit/content/",
                    f"/w/{world.a.pk}/audit/content/weekly.svg?lang={lang}"):
            assert client.get(url, HTTP_ACCEPT_LANGUAGE=lang).status_code == 200


def test_verdict_and_family_pages_read_the_lean_copy_and_the_inbox_the_whole_result(world: World,
                                                                                   client: Client) -> None:
    from parlons.web.audits.models import AuditResult

    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = AuditResult.objects.get(workspace=world.a)
    listed = row.result[0]["responsiveness"]["unanswered_requests"]
    assert len(listed) > 2 and [a["responsiveness"]["unanswered_requests"] for a in row.lean] == [[], [], []]
    assert [a["responsiveness"]["unanswered"] for a in row.lean] == [a["responsiveness"]["unanswered"]
                                                                    for a in row.result]
    for audit in row.result:  # only the lean copy is left with figures: the pages must still show them
        audit["responsiveness"] = {"unanswered_requests": audit["responsiveness"]["unanswered_requests"]}
    row.save(update_fields=["result"])
    assert client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en").content.decode().split(
        "<table")[1] == page.split("<table")[1]
    inbox = client.get(f"/w/{world.a.pk}/inbox/").content.decode()
    assert inbox.count("<li class=\"request ") == len(listed)


def test_a_result_cached_without_its_lean_copy_gets_one(world: World, client: Client) -> None:
    from parlons.web.audits.models import AuditResult

    client.force_login(world.viewer)
    client.get(f"/w/{world.a.pk}/")
    AuditResult.objects.update(lean=None)
    assert client.get(f"/w/{world.a.pk}/").status_code == 200
    row = AuditResult.objects.get(workspace=world.a)
    assert row.lean is not None and row.lean[0]["maturity"] == row.result[0]["maturity"]
    assert row.lean[0]["responsiveness"]["unanswered_requests"] == []
