"""The report's charts in the audit pages: the same drawings as the report, served as inert SVG
images for the period, peers and language of the page, cached with the audit."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from django.db.models import F
from django.test import Client

import parlons

from .conftest import World

ACCOUNTS = parlons.DEMO_ACCOUNTS


def _typed(demo_store: Path, peers: tuple[str, ...] = ACCOUNTS.peers, **period: Any) -> list[Any]:
    """parlons' own audit of the workspace's choice, round-tripped through its JSON form as the cache keeps it."""
    con = parlons.open_posts(demo_store)
    try:
        results = parlons.run_audit(con, [ACCOUNTS.account, *peers], together=list(ACCOUNTS.together),
                                    label="Kerbrat", settings=parlons.AuditSettings(timezone="Europe/Paris"), **period)
    finally:
        con.close()
    loaded: list[Any] = parlons.load_audits(parlons.dump_audits(results))
    return loaded


def _same_drawing(svg: str) -> str:
    """The drawing without its gradient and clip ids, which vl-convert numbers across its calls in a process."""
    return re.sub(r"(gradient_|clip)\d+", r"\1", svg)


def _figures(page: str) -> list[lxml.html.HtmlElement]:
    return list(lxml.html.fromstring(page).cssselect("figure.chart"))


@pytest.mark.parametrize(("family", "names"), [("responsiveness", ["answer-times"]), ("conversation", ["post-mix"]),
                                               ("content", ["heatmap", "weekly"]), ("function", ["functions"]),
                                               ("voice", []), ("broadcast", []), ("coverage", [])])
def test_each_family_page_shows_the_charts_the_report_has_in_that_section(world: World, client: Client,
                                                                          family: str, names: list[str]) -> None:
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/{family}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    figures = _figures(page)
    assert [f.get("id") for f in figures] == [f"chart-{family}-{n}" for n in names]
    for figure, name in zip(figures, names, strict=True):
        src = figure.cssselect("img")[0].get("src")
        assert urlsplit(src).path == f"/w/{world.a.pk}/audit/{family}/{name}.svg"
        assert parse_qs(urlsplit(src).query)["lang"] == ["en"]


def test_chart_image_is_the_reports_own_drawing_with_its_caption_and_alt(world: World, client: Client,
                                                                          demo_store: Path) -> None:
    expected = {c.name: c for c in parlons.audit_charts(_typed(demo_store), "en", "content")}
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/content/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = {f.get("id").removeprefix("chart-content-"): f for f in _figures(page)}
    assert set(shown) == {"heatmap", "weekly"} == set(expected)
    for name, figure in shown.items():
        img = figure.cssselect("img")[0]
        assert img.get("alt") == expected[name].alt and figure.cssselect("figcaption")[0].text == expected[name].caption
        response = client.get(img.get("src"))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
        policy = response["Content-Security-Policy"]
        assert "sandbox" in policy and "default-src 'none'" in policy
        assert _same_drawing(response.content.decode()) == _same_drawing(expected[name].svg)
        root = ET.fromstring(response.content)
        assert (root.get("width"), root.get("height")) == (img.get("width"), img.get("height"))
    assert "Europe/Paris" in shown["heatmap"].cssselect("figcaption")[0].text


def test_charts_follow_the_language_of_the_page(world: World, client: Client, demo_store: Path) -> None:
    french = {c.name: c for c in parlons.audit_charts(_typed(demo_store), "fr", "function")}["functions"]
    client.force_login(world.viewer)
    page = client.get(f"/w/{world.a.pk}/audit/function/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    (figure,) = _figures(page)
    assert figure.cssselect("figcaption")[0].text == french.caption
    assert "Lovejoy et Saxton" in french.caption
    served = client.get(figure.cssselect("img")[0].get("src")).content.decode()
    assert _same_drawing(served) == _same_drawing(french.svg)


def test_period_and_peers_chosen_on_the_page_are_those_of_its_charts(world: World, client: Client,
                                                                     demo_store: Path) -> None:
    one_peer = ACCOUNTS.peers[:1]
    typed = _typed(demo_store, one_peer, since=parlons_day("2024-03-01"), until=parlons_day("2024-09-30", end=True))
    expected = parlons.audit_charts(typed, "en", "peers")[0]
    client.force_login(world.viewer)
    query = f"chosen=1&since=2024-03-01&until=2024-09-30&peer={one_peer[0]}"
    page = client.get(f"/w/{world.a.pk}/?{query}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    (figure,) = _figures(page)
    src = figure.cssselect("img")[0].get("src")
    assert parse_qs(urlsplit(src).query) == {"chosen": ["1"], "since": ["2024-03-01"], "until": ["2024-09-30"],
                                             "peer": [one_peer[0]], "lang": ["en"]}
    svg = client.get(src).content.decode()
    assert _same_drawing(svg) == _same_drawing(expected.svg)
    assert one_peer[0] in svg and ACCOUNTS.peers[1] not in svg
    alone = client.get(f"/w/{world.a.pk}/?chosen=1", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _figures(alone) == []  # no peer chosen: no peers, no peers chart
    assert client.get(f"/w/{world.a.pk}/audit/peers/key-shares.svg?chosen=1").status_code == 404


def parlons_day(day: str, end: bool = False) -> Any:
    from datetime import UTC, datetime, time

    return datetime.combine(datetime.fromisoformat(day).date(), time.max if end else time.min, UTC)


def test_charts_are_drawn_once_then_read_from_the_cache_until_an_import(world: World, client: Client,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from parlons.web.audits.models import AuditResult, RenderedCharts
    from parlons.web.workspaces.models import Workspace

    client.force_login(world.viewer)
    url = f"/w/{world.a.pk}/audit/content/"
    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert list(RenderedCharts.objects.values_list("lang", "section")) == [("en", "content")]
    drawn: list[str] = []
    original = parlons.audit_charts

    def counted(audits: list[Any], lang: str = "fr", section: str | None = None) -> list[Any]:
        drawn.append(f"{lang}/{section}")
        result: list[Any] = original(audits, lang, section)
        return result

    monkeypatch.setattr(parlons, "audit_charts", counted)
    again = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    src = _figures(again)[0].cssselect("img")[0].get("src")
    assert client.get(src).status_code == 200 and drawn == []
    assert [lxml.html.tostring(f) for f in _figures(again)] == [lxml.html.tostring(f) for f in _figures(first)]
    client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert drawn == ["fr/content"]
    Workspace.objects.filter(pk=world.a.pk).update(generation=F("generation") + 1)  # what an import does
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert drawn == ["fr/content", "en/content"]
    generation = Workspace.objects.get(pk=world.a.pk).generation
    assert set(AuditResult.objects.values_list("generation", flat=True)) == {generation}
    assert list(RenderedCharts.objects.values_list("lang", "audit__generation")) == [("en", generation)]


def test_unknown_charts_and_sections_are_404(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    for path in ("audit/content/nonsense.svg", "audit/voice/heatmap.svg", "audit/maturity/heatmap.svg",
                 "audit/function/heatmap.svg"):
        assert client.get(f"/w/{world.a.pk}/{path}").status_code == 404, path
    assert client.get(f"/w/{world.a.pk}/audit/content/heatmap.svg?lang=xx").status_code == 200


def _with_n(family: dict[str, Any], prefix: str = "") -> dict[str, int]:
    """Every figure of a family of the audit's JSON that has a denominator: dotted key → n."""
    out: dict[str, int] = {}
    for key, value in family.items():
        if isinstance(value, dict) and "value" in value and "n" in value:
            if value["n"] is not None:
                out[prefix + key] = value["n"]
        elif isinstance(value, dict) and key not in {"reference", "evidence"}:
            out.update(_with_n(value, f"{prefix}{key}."))
    return out


FAMILIES = ("responsiveness", "conversation", "broadcast", "voice", "content", "function", "coverage")


def test_every_figure_on_the_audit_pages_has_its_n_and_a_definition_that_exists(world: World, client: Client,
                                                                                demo_store: Path) -> None:
    audits = [a.model_dump(mode="json") for a in _typed(demo_store)]
    client.force_login(world.viewer)
    for lang, thousands in (("en", ","), ("fr", "\u202f")):
        definitions = lxml.html.fromstring(client.get("/definitions/", HTTP_ACCEPT_LANGUAGE=lang).content)
        anchors = {e.get("id") for e in definitions.cssselect("dt[id], h2[id]")}
        for family in FAMILIES:
            page = lxml.html.fromstring(client.get(f"/w/{world.a.pk}/audit/{family}/", HTTP_ACCEPT_LANGUAGE=lang)
                                        .content)
            rows = {r.get("data-metric"): r for r in page.cssselect("table.figures tbody tr[data-metric]")}
            expected = _with_n(audits[0][family])
            assert expected or family == "coverage", family
            for key, n in expected.items():
                cells = rows[f"{family}.{key}"].cssselect("td")
                assert f"n = {n:,}".replace(",", thousands) in cells[0].text_content(), (lang, family, key)
            for row in rows.values():
                link = row.cssselect("th a")[0].get("href")
                assert link.startswith("/definitions/#") and link.split("#", 1)[1] in anchors, (family, link)
        verdict = lxml.html.fromstring(client.get(f"/w/{world.a.pk}/", HTTP_ACCEPT_LANGUAGE=lang).content)
        rows = {r.get("data-metric"): r for r in verdict.cssselect("table.figures tbody tr")}
        evidence, benchmark = audits[0]["maturity"]["evidence"], audits[0]["benchmark"]
        assert set(rows) == set(evidence) | set(benchmark)
        for metric, row in rows.items():
            assert row.cssselect("th a")[0].get("href").split("#", 1)[1] in anchors, metric
            family, key = metric.split(".", 1)
            figure = audits[0][family] if "." not in key else audits[0][family][key.split(".")[0]]
            n = figure[key.rsplit(".", 1)[-1]]["n"]
            assert f"n = {n:,}".replace(",", thousands) in row.text_content(), (lang, metric)


def test_definitions_come_from_the_public_dictionary_in_the_readers_language(world: World, client: Client) -> None:
    client.force_login(world.viewer)
    for lang in ("fr", "en"):
        page = lxml.html.fromstring(client.get("/definitions/", HTTP_ACCEPT_LANGUAGE=lang).content)
        for entry in parlons.metric_definitions(lang):
            for anchor in entry.anchors:
                (term,) = page.cssselect(f'dt[id="{anchor}"]')
                assert term.text.strip() == entry.label
        titles = [h.text for h in page.cssselect("h2")]
        assert titles == list(dict.fromkeys(e.family_title for e in parlons.metric_definitions(lang)))
    french = lxml.html.fromstring(client.get("/definitions/", HTTP_ACCEPT_LANGUAGE="fr").content)
    assert french.cssselect('dt[id="responsiveness.answered_share"]')[0].text.strip() == "Avec réponse"
