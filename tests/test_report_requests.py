"""Requests that ask come first: the list, the CSV beside the report, and thanks counted apart."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from parlons.audit import AuditSettings, run_audit
from parlons.report import render, render_html
from parlons.report.unanswered import COLUMNS, csv_path
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, build, post

HOSTILE = [post("r5", "=mallory", 100, "=HYPERLINK(\"http://evil.example\") un problème ?", mentions=["org"])]


def test_the_csv_holds_every_unanswered_request_that_asks_and_never_a_formula(store: Store, tmp_path: Path) -> None:
    build(store, [*SCENARIO, *HOSTILE], tmp_path)
    audits = run_audit(store.con, ["org"], platform="x", settings=AuditSettings(min_n=1))
    report = render(audits, tmp_path / "out" / "audit.html", lang="en")
    table = csv_path(report).read_bytes()
    assert table.startswith(b"\xef\xbb\xbf")
    assert table.decode("utf-8-sig").split("\r\n") == [
        ",".join(COLUMNS),
        "org,x,r3,2024-03-04T12:20:00Z,carol,Et pour moi ? Toujours rien,,question mark",
        "org,x,r5,2024-03-04T10:40:00Z,'=mallory,\"'=HYPERLINK(\"\"http://evil.example\"\") un problème ?\",,"
        "question mark",
        ""]



def test_the_csv_beside_a_french_report_is_in_french(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    audits = run_audit(store.con, ["org"], platform="x", settings=AuditSettings(min_n=1))
    report = render(audits, tmp_path / "out" / "audit.html", lang="fr")
    assert csv_path(report).read_bytes().decode("utf-8-sig").split("\r\n") == [
        "compte,plateforme,id,heure_utc,auteur,texte,lien,demande_parce_que",
        "org,x,r3,2024-03-04T12:20:00Z,carol,Et pour moi ? Toujours rien,,point d’interrogation",
        ""]

def test_thanks_are_counted_apart_and_not_listed(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    audits = run_audit(store.con, ["org"], platform="x", settings=AuditSettings(min_n=1))
    page = lxml.html.fromstring(render_html(audits, lang="fr", charts=False, csv_name="audit.unanswered.csv"))
    section = page.get_element_by_id("responsiveness")
    assert [li.get("data-id") for li in section.cssselect("ol.requests > li")] == ["r3"]
    assert section.cssselect("p.apart")[0].text_content() == (
        "Les remerciements et remarques sont comptés à part\u00a0: 1 demande ne pose ni question ni problème "
        "(0 sans réponse)\u00a0; elle n’est pas listée.")
    rows = [[c.text_content().split()[0] for c in tr.cssselect("th, td")][:3]
            for tr in section.cssselect("table.intent tbody tr")]
    assert rows == [["Demande", "3", "1"], ["Sans", "1", "1"], ["Toutes", "4", "2"]]
    assert "La liste entière est dans le fichier audit.unanswered.csv" in section.text_content()
