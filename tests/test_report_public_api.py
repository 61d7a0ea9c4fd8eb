"""The report's parts other programs use (``parlons serve``): its charts, its metric dictionary, the demo's accounts."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import lxml.html
import pytest

import parlons
from parlons.audit.result import AuditResult
from parlons.report.charts import inert
from parlons.report.methods import families


def _drawing(svg: str) -> str:
    return re.sub(r"(gradient_|clip)\d+", r"\1", svg)  # vl-convert numbers gradients and clips across calls


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_charts_are_those_of_the_report_in_its_order_with_its_captions(audits: list[AuditResult],
                                                                      lang: str) -> None:
    charts = parlons.audit_charts(audits, lang)
    assert [(c.section, c.name) for c in charts] == [
        ("responsiveness", "answer-times"), ("conversation", "post-mix"), ("content", "heatmap"),
        ("content", "weekly"), ("function", "functions"), ("peers", "key-shares")]
    page = lxml.html.fromstring(parlons.report.render_html(audits, lang=lang))
    figures = page.cssselect("figure.chart")
    assert [f.cssselect("figcaption")[0].text for f in figures] == [c.caption for c in charts]
    assert [f.cssselect("img")[0].get("alt") for f in figures] == [c.alt for c in charts]
    for figure, chart in zip(figures, charts, strict=True):
        src = figure.cssselect("img")[0].get("src")
        assert _drawing(base64.b64decode(src.split(",", 1)[1]).decode()) == _drawing(chart.svg)
    assert [c.name for c in parlons.audit_charts(audits, lang, "content")] == ["heatmap", "weekly"]
    assert parlons.audit_charts(audits[:1], lang, "peers") == []


def test_chart_requests_that_cannot_be_met_are_usage_errors(audits: list[AuditResult]) -> None:
    with pytest.raises(parlons.UsageError, match="no chart section 'voice'"):
        parlons.audit_charts(audits, "en", "voice")
    with pytest.raises(parlons.UsageError, match="unsupported language"):
        parlons.audit_charts(audits, "de")
    with pytest.raises(parlons.UsageError, match="no audit"):
        parlons.audit_charts([], "en")
    assert parlons.CHART_SECTIONS == ("responsiveness", "conversation", "content", "function", "peers")


SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def test_a_chart_keeps_only_drawing_elements_and_attributes(monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = (f'<svg {SVG} width="10" height="10" onload="alert(1)"><script>alert(2)</script>'
               '<g clip-path="url(#c)" style="background:url(https://evil.example/x)">'
               '<a xlink:href="javascript:alert(3)"><text>link</text></a>'
               '<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></foreignObject>'
               '<image href="https://evil.example/i.png"/><use xlink:href="#p"/>'
               '<path id="p" d="M0,0h1" onclick="alert(4)" fill="url(https://evil.example/f)"/>'
               '<text aria-label="&lt;script&gt;">&lt;script&gt;alert(5)&lt;/script&gt;</text></g></svg>')
    clean = inert(hostile)
    assert clean == ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><g clip-path="url(#c)">'
                     '<path id="p" d="M0,0h1"/><text aria-label="&lt;script&gt;">&lt;script&gt;alert(5)&lt;/script&gt;'
                     '</text></g></svg>')
    monkeypatch.setattr(ET, "_namespace_map", dict(ET._namespace_map))  # put back after the test
    ET.register_namespace("", "http://www.w3.org/1999/xhtml")  # as a library may do, for the whole process
    assert inert(hostile) == clean
    for refused in ('<!DOCTYPE svg [<!ENTITY x "y">]><svg/>', '<?xml-stylesheet href="x.css"?><svg/>'):
        with pytest.raises(parlons.OutputError):
            inert(refused)
    with pytest.raises(parlons.OutputError, match="not an SVG"):
        inert('<html xmlns="http://www.w3.org/1999/xhtml"/>')


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_metric_definitions_are_the_methods_appendix_in_the_readers_language(lang: str) -> None:
    entries = parlons.metric_definitions(lang)
    assert [(e.family, e.keys) for e in entries] == [(f.key, m.keys) for f in families() for m in f.metrics]
    answered = next(e for e in entries if "responsiveness.answered_share" in e.anchors)
    assert (answered.label, answered.style) == ({"fr": "Avec réponse", "en": "Answered"}[lang], "share")
    assert answered.family_title == {"fr": "Réactivité", "en": "Responsiveness"}[lang]
    assert answered.definition and answered.denominator
    with pytest.raises(parlons.UsageError):
        parlons.metric_definitions("xx")


def test_the_demo_accounts_are_those_the_demo_audits(tmp_path: Path) -> None:
    from parlons.demo import ORG_BLOG, ORG_MASTODON, ORG_X, PEER1_X, PEER2_X

    accounts = parlons.DEMO_ACCOUNTS
    assert (accounts.account, accounts.together, accounts.peers) == (
        ORG_X, (f"@{ORG_MASTODON}", ORG_BLOG), (PEER1_X, PEER2_X))
    assert isinstance(accounts, parlons.DemoAccounts)
