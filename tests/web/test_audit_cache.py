"""The audit cache as the pages read it: a lean copy for the verdict and family pages, the charts
drawn with a fresh audit (what the import worker leaves behind), both gone with an import."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

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


def test_pages_and_inbox_read_the_lean_copy_and_the_list_never_the_whole_result(world: World,
                                                                               client: Client) -> None:
    from parlons.web.audits.models import AuditResult

    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    inbox = client.get(f"/w/{world.a.pk}/inbox/").content.decode()
    row = AuditResult.objects.get(workspace=world.a)
    listed = row.result[0]["responsiveness"]["unanswered_requests"]
    assert len(listed) > 2 and row.requests == listed and inbox.count('<li class="request ') == len(listed)
    assert [a["responsiveness"]["unanswered_requests"] for a in row.lean] == [[], [], []]
    assert [a["responsiveness"]["unanswered"] for a in row.lean] == [a["responsiveness"]["unanswered"]
                                                                    for a in row.result]
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    read = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")
            and "parlons_audits_auditresult" in q["sql"]]
    assert read and not [q for q in read if '_auditresult"."result"' in q or '_auditresult"."requests"' in q]
    row.result = [{"not": "read"}]  # the pages must show the same without it
    row.save(update_fields=["result"])
    again = client.get(f"/w/{world.a.pk}/audit/responsiveness/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert again.split("<table")[1] == page.split("<table")[1]
    assert client.get(f"/w/{world.a.pk}/inbox/").content.decode().count('<li class="request ') == len(listed)
    csv_rows = client.get(f"/w/{world.a.pk}/inbox.csv").content.decode()
    assert all(str(item["id"]) in csv_rows for item in listed)


def test_a_result_cached_without_its_lean_copy_gets_one(world: World, client: Client) -> None:
    from parlons.web.audits.models import AuditResult

    client.force_login(world.viewer)
    client.get(f"/w/{world.a.pk}/")
    AuditResult.objects.update(lean=None, requests=None)
    assert client.get(f"/w/{world.a.pk}/").status_code == 200
    row = AuditResult.objects.get(workspace=world.a)
    assert row.lean is not None and row.lean[0]["maturity"] == row.result[0]["maturity"]
    assert row.lean[0]["responsiveness"]["unanswered_requests"] == []
    assert row.requests == row.result[0]["responsiveness"]["unanswered_requests"] != []
