"""The report: sections, figures equal to the audit's, the unanswered list, self-containment, PDF, languages."""

from __future__ import annotations

import base64
import copy
import re
import subprocess
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from parlons.audit.result import AuditResult, Figure, ResponsivenessUnknown
from parlons.cli import cli
from parlons.i18n import translator
from parlons.report import charts, render, render_html
from parlons.report.figures import Figures
from parlons.report.fmt import Formatter
from parlons.report.priorities import priorities
from parlons.store import Store

from .test_audit_responsiveness import build
from .test_report_scenario import year_rows

SECTIONS = ("verdict", "responsiveness", "conversation", "voice", "content", "function", "peers", "methods")
FIGURE_SECTIONS = ("responsiveness", "conversation", "content", "function")  # broadcast is in "conversation"
Audits = list[AuditResult]



@pytest.fixture(scope="module")
def pages(audits: Audits) -> dict[str, lxml.html.HtmlElement]:
    return {lang: lxml.html.fromstring(render_html(audits, lang=lang)) for lang in ("fr", "en")}


def _item(audit: AuditResult, metric: str) -> Any:
    return audit.at(metric)


def test_every_section_is_there_with_its_period(pages: dict[str, lxml.html.HtmlElement]) -> None:
    for page in pages.values():
        for section in SECTIONS:
            assert page.get_element_by_id(section) is not None, section
        assert len(page.cssselect("section.page p.period")) == len(SECTIONS) - 2  # all but the verdict and methods
    assert pages["fr"].get("lang") == "fr" and pages["en"].get("lang") == "en"


def test_figures_equal_the_audit_and_state_their_denominator(audits: Audits,
                                                             pages: dict[str, lxml.html.HtmlElement]) -> None:
    main = audits[0]
    rows = [r for section in FIGURE_SECTIONS
            for r in pages["fr"].get_element_by_id(section).cssselect("tr[data-metric]")]
    assert len(rows) > 30
    for row in rows:
        item = _item(main, row.get("data-metric"))
        value = item.value if isinstance(item, Figure) else item
        if value is None:
            assert row.get("data-value") is None and row.get("data-status") != "ok"
            continue
        assert float(row.get("data-value")) == pytest.approx(value), row.get("data-metric")
        if isinstance(item, Figure):
            assert int(row.get("data-n")) == item.n
            assert f"n = {Formatter('fr').count(item.n)}" in row.text_content()


def test_shares_and_durations_are_written_for_the_locale(audits: Audits,
                                                          pages: dict[str, lxml.html.HtmlElement]) -> None:
    r = audits[0].responsiveness
    for lang, share, median in (("fr", "65\u00a0%", "7 h 11"), ("en", "65%", "7.2 h")):
        page = pages[lang]
        row = page.cssselect('#responsiveness tr[data-metric="responsiveness.answered_share"]')[0]
        assert row.cssselect("td.value")[0].text_content() == share
        assert r.answered_share.value == 0.6538  # 51 of 78 that ask, over the period common to the three accounts
        cell = page.cssselect('#responsiveness tr[data-metric="responsiveness.median_first_response_s"] td.value')[0]
        assert cell.text_content() == median


def test_the_unanswered_list_is_complete_and_newest_first(audits: Audits,
                                                           pages: dict[str, lxml.html.HtmlElement]) -> None:
    r = audits[0].responsiveness
    items = pages["en"].cssselect("#responsiveness ol.requests > li")
    assert [li.get("data-id") for li in items] == [u.id for u in r.unanswered_requests]
    assert len(items) == r.unanswered == 27
    times = [li.get("data-time") for li in items]
    assert times == sorted(times, reverse=True)
    first = items[0]
    assert first.cssselect("a")[0].get("href") == r.unanswered_requests[0].permalink
    assert first.cssselect("blockquote")[0].text_content() == r.unanswered_requests[0].text


def test_automated_duplicated_and_voice_examples_are_shown(audits: Audits,
                                                           pages: dict[str, lxml.html.HtmlElement]) -> None:
    page, main = pages["fr"], audits[0]
    automated = page.cssselect("#conversation ul.automated > li")
    assert [li.get("data-id") for li in automated] == [e.id for e in main.broadcast.automated_examples]
    assert "outil d’automatisation\u00a0: dlvr.it" in automated[0].text_content()
    assert page.cssselect("#conversation ul.duplicated > li")
    assert "même texte publié par" in page.get_element_by_id("conversation").text_content()
    most = page.cssselect('#voice .language[data-lang="fr"] ul.most > li')
    expected = main.voice.fr.examples.most_conversational  # three shown, the others are spares
    assert [li.get("data-id") for li in most] == [e.id for e in expected][:3]


def test_voice_shows_the_language_with_the_most_posts_first(audits: Audits) -> None:
    """A real English-speaking account had one French post: its French table, all "too few", came before the
    English one of 1,223 posts."""
    main = audits[0]
    assert main.voice.fr is not None
    english = copy.deepcopy(main)
    english.voice.en = copy.deepcopy(main.voice.fr)
    english.voice.languages = {"en": 1223, "fr": 1, "sv": 1, "in": 2}  # X writes "in" for Indonesian
    page = lxml.html.fromstring(render_html([english], lang="en"))
    assert [div.get("data-lang") for div in page.cssselect("#voice .language")] == ["en", "fr"]
    assert "Posts per language: English 1,223, French 1, Swedish 1, Indonesian 2." in " ".join(
        page.get_element_by_id("voice").cssselect("p.lead")[0].text_content().split())
    english.voice.languages = {"en": 3, "fr": 40}
    page = lxml.html.fromstring(render_html([english], lang="en"))
    assert [div.get("data-lang") for div in page.cssselect("#voice .language")] == ["fr", "en"]


def test_verdict_priorities_and_peers(audits: Audits, pages: dict[str, lxml.html.HtmlElement]) -> None:
    page = pages["fr"]
    assert page.cssselect(".level-title")[0].text_content() == "Niveau 4 sur 5"
    assert [li.get("data-rule") for li in page.cssselect("ol.priorities > li")] == [
        "responsiveness.unanswered", "broadcast.automated", "function.action"]
    first = page.cssselect("ol.priorities > li")[0].text_content()
    assert "27 demandes sans réponse qui posent une question ou un problème" in first
    peers = page.get_element_by_id("peers")
    assert [th.text_content() for th in peers.cssselect("thead th")[1:]] == ["VilleDeKerlann", "PortBlanc", "Lanvoz"]
    row = peers.cssselect('tr[data-metric="responsiveness.answered_share"] td')
    assert [td.get("data-rank") for td in row] == [str(a.benchmark["responsiveness.answered_share"].rank)
                                                   for a in audits]
    median = peers.cssselect('tr[data-metric="responsiveness.median_first_response_s"] td')
    assert median[2].text_content().startswith("–n = 0 demandes avec réponse")  # Lanvoz never answers


def test_nothing_is_fetched_from_another_host(pages: dict[str, lxml.html.HtmlElement]) -> None:
    for page in pages.values():
        assert not page.cssselect("script, link, iframe, object, embed, base")
        for element in page.iter("img", "source", "video", "audio", "input"):
            assert (element.get("src") or "").startswith("data:image/svg+xml;base64,")
        style = "".join(s.text_content() for s in page.iter("style"))
        assert "url(" not in style and "@import" not in style
        assert page.cssselect('meta[http-equiv="Content-Security-Policy"]')[0].get("content").startswith(
            "default-src 'none'")


def test_charts_are_vega_lite_svg_images(pages: dict[str, lxml.html.HtmlElement]) -> None:
    images = pages["fr"].cssselect("figure.chart img")
    assert len(images) == 6  # response times, post mix, heatmap, weekly, function, peers
    for img in images:
        svg = base64.b64decode(img.get("src").split(",", 1)[1]).decode("utf-8")
        assert svg.startswith("<svg") and "<script" not in svg and img.get("alt")
    heatmap = base64.b64decode(images[2].get("src").split(",", 1)[1]).decode("utf-8")
    assert ">lun.<" in heatmap  # day names in French


def test_bar_chart_axis_labels_do_not_run_together() -> None:
    """The demo's response chart read "100 110120": thirteen ticks, the last one flush with the end."""
    rows = [{"label": label, "value": value, "text": str(value)}
            for label, value in [("Within 1 hour", 29), ("1 to 24 hours", 73), ("After 24 hours", 41),
                                 ("Not answered", 118), ("Pending", 0)]]
    chart = charts.render(charts.bars(rows, "Requests", ["#000"] * 5), "alt", "en")
    svg = base64.b64decode(chart.uri.split(",", 1)[1]).decode("utf-8")
    ticks = re.findall(r">(\d+)</text>", svg)[:-5]  # the bars' own labels come last
    assert ticks == ["0", "20", "40", "60", "80", "100", "120"]


def test_methods_appendix_in_both_languages(pages: dict[str, lxml.html.HtmlElement]) -> None:
    fr, en = (pages[lang].get_element_by_id("methods") for lang in ("fr", "en"))
    assert fr.cssselect('dt[data-keys="answered_share"]')[0].text_content().startswith("Avec réponse")
    assert en.cssselect('dt[data-keys="answered_share"]')[0].text_content().startswith("Answered")
    assert "dont le délai de réponse est écoulé" in fr.text_content()
    assert "réglée" not in fr.text_content()
    # plain words, not "settled" (read as "resolved"): the requests whose answer window has passed
    assert en.cssselect('dt[data-keys="answered_share"] + dd')[0].text_content() == (
        "Answered requests, out of the requests whose answer window has passed."  # then a line break
        "Denominator: requests whose answer window has passed")
    assert "settled" not in pages["en"].text_content().lower()
    assert "requests known; at least 50% answered, and questions at least 5% of posts" in en.text_content()
    assert ">=" not in pages["en"].text_content() and ">=" not in pages["fr"].text_content()
    assert re.findall(r"\d+ %", pages["en"].text_content()) == []  # "80%" in English, "80 %" in French
    assert len(fr.cssselect("table.rules tbody tr")) == 7


def test_pdf_opens_with_the_pages_and_text_expected(audits: Audits, tmp_path: Path) -> None:
    path = render(audits, tmp_path / "rapport.pdf", lang="fr")
    reader = PdfReader(path)
    assert 10 <= len(reader.pages) <= 40
    first = reader.pages[0].extract_text()
    assert "VilleDeKerlann" in first and "Niveau 4 sur 5" in first and "Trois priorités" in first
    text = "\n".join(page.extract_text() for page in reader.pages)
    for title in ("Réactivité", "Conversation ou diffusion", "Ton", "Contenus et rythme", "Ce que font vos messages",
                  "Où sont vos pairs", "Méthodes"):
        assert title in text, title
    assert not any(_raster_images(page) for page in reader.pages)  # charts are vector drawings
    # the PDF lists the 20 newest unanswered requests that ask; the whole list is in the CSV beside it
    shown = [Formatter("fr", "Europe/Paris").datetime(u.time) for u in audits[0].responsiveness.unanswered_requests]
    assert [when in text for when in shown] == [True] * 20 + [False] * 7
    whole = "La liste entière est dans le fichier rapport.unanswered.csv, à côté de ce rapport."
    assert whole in " ".join(text.split())
    lines = (tmp_path / "rapport.unanswered.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 27


def _raster_images(node: Any, depth: int = 0) -> bool:
    resources = node.get("/Resources") if depth else node["/Resources"]
    if resources is None or depth > 5:
        return False
    for xobject in (resources.get_object().get("/XObject") or {}).values():
        obj = xobject.get_object()
        if obj.get("/Subtype") == "/Image" or (obj.get("/Subtype") == "/Form" and _raster_images(obj, depth + 1)):
            return True
    return False


def test_html_file_is_written_whole(audits: Audits, tmp_path: Path) -> None:
    path = render(audits[:1], tmp_path / "out" / "report.html", lang="en")
    page = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    assert page.cssselect("#peers") == [] and page.get_element_by_id("verdict") is not None
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html", "report.unanswered.csv"]


def test_priorities_follow_the_rules(audits: Audits) -> None:
    figs = Figures(translator("en"), Formatter("en"))
    assert [p.rule for p in priorities(audits[2], figs)] == [
        "responsiveness.unanswered", "broadcast.duplicated", "conversation.replies"]
    quiet = copy.deepcopy(audits[1])
    quiet.responsiveness.unanswered = 0
    for path in ("conversation.replies_to_others_share", "conversation.questions_share", "function.community_share",
                 "function.action_share", "content.images_share", "voice.fr.second_person_share"):
        _item(quiet, path).value = 0.5
    quiet.broadcast.duplicated_share.value = 0.0
    assert [p.rule for p in priorities(quiet, figs)] == ["maturity.next_step", "fallback"]
    unknown = copy.deepcopy(audits[0])
    unknown.responsiveness = ResponsivenessUnknown(reason="only the account's own archive was imported")
    assert priorities(unknown, figs)[0].rule == "responsiveness.unknown"
    unknown.maturity.next_step = "Import incoming posts to check that all requests, not only some, are answered."
    assert "maturity.next_step" not in [p.rule for p in priorities(unknown, figs)]


def test_report_command(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    with Store(store) as opened:
        build(opened, year_rows(), tmp_path)
    out = tmp_path / "rapport.html"
    result = CliRunner().invoke(cli, ["report", "VilleDeKerlann", "--vs", "PortBlanc", "--platform", "x",
                                      "--store", str(store), "--timezone", "Europe/Paris", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    page = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert page.get("lang") == "fr" and page.get_element_by_id("peers") is not None
    wrong = CliRunner().invoke(cli, ["report", "VilleDeKerlann", "--platform", "x", "--store", str(store),
                                     "-o", str(tmp_path / "r.docx")])
    assert wrong.exit_code != 0 and "must end in .html or .pdf" in str(wrong.exception)


def test_the_cover_and_the_methods_name_things_in_words_not_codes(audits: Audits,
                                                                  pages: dict[str, lxml.html.HtmlElement]) -> None:
    from parlons.audit.result import Member

    mixed = copy.deepcopy(audits)
    mixed[0].platform = "blog, mastodon, x"
    mixed[0].members = [Member(platform="x", account="Org"), Member(platform="mastodon", account="@org@social.example"),
                        Member(platform="blog", account="org.example")]
    mixed[0].coverage.importers = ["mastodon-archive", "wordpress-wxr", "x-archive", "new-format"]
    for lang, platforms, together, sources in (  # no nested brackets: "Org (X (Twitter))" was hard to read
            ("fr", "Plateforme\u00a0: Blog, Mastodon, X (Twitter) · comptes audités ensemble\u00a0: "
                   "Org sur X (Twitter), @org@social.example sur Mastodon, org.example sur le blog", "",
             "issus de\u00a0: Archive Mastodon, Export WordPress, Archive X, new-format."),
            ("en", "Platform: Blog, Mastodon, X (Twitter) · accounts audited together: Org on X (Twitter), "
                   "@org@social.example on Mastodon, org.example on the blog", "",
             "from: Mastodon archive, WordPress export, X archive, new-format.")):
        page = lxml.html.fromstring(render_html(mixed, lang=lang, charts=False))
        assert page.cssselect("p.meta")[0].text_content() == platforms + together
        assert sources in page.cssselect("p.coverage")[0].text_content()
    for lang, label in (("fr", "Avec réponse"), ("en", "Answered")):
        methods = pages[lang].get_element_by_id("methods")
        assert methods.cssselect('dt[data-keys="answered_share"]')[0].text_content() == label
        assert methods.cssselect("code") == []
        assert re.findall(r"\b[a-z]+_[a-z0-9_]+\b", methods.text_content()) == []  # no code keys such as answered_share


def _font_names(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get_object().get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


@pytest.mark.skipif(b"Noto Color Emoji" not in subprocess.run(["fc-list"], capture_output=True, check=False).stdout,
                    reason="the emoji font (Debian: fonts-noto-color-emoji) is not installed; CI installs it")
def test_the_pdf_draws_emoji_with_the_emoji_font(audits: Audits, tmp_path: Path) -> None:
    from parlons.report import _pdf

    page = render_html(audits, lang="fr", charts=False)
    head = page[:page.index("<main")]
    path = tmp_path / "emoji.pdf"
    path.write_bytes(_pdf(head + "<main><h2>Niveau 4 sur 5</h2><blockquote>@org Merci à vous ! 💛 🎄</blockquote>"
                               "</main></body></html>"))
    reader = PdfReader(path)
    assert "Noto-Color-Emoji" in _font_names(reader)
    text = reader.pages[0].extract_text()
    assert "Niveau 4 sur 5" in text and "💛" in text  # digits and spaces stay in the text font


def test_a_cross_posted_text_appears_once_among_the_examples(audits: Audits) -> None:
    from parlons.report.view import distinct

    twice = [{"id": "m1", "text": "Réservation ouverte pour le spectacle ! https://social.example/@m/1"},
             {"id": "x1", "text": "Réservation ouverte  pour le spectacle ! https://t.co/abc"},
             {"id": "x2", "text": "Horaires d'été"}, {"id": "x3", "text": ""}, {"id": "x4", "text": None}]
    assert [e["id"] for e in distinct(twice)] == ["m1", "x2", "x3", "x4"]
    seen: set[str] = set()
    assert [e["id"] for e in distinct(twice[:1], seen)] == ["m1"]
    assert [e["id"] for e in distinct(twice[1:3], seen)] == ["x2"]  # one list after the other, as the report does
    from parlons.audit.result import Example

    crossed = copy.deepcopy(audits)
    text = "Inscriptions ouvertes pour l'atelier, c'est gratuit."
    crossed[0].function.examples.action = [
        Example(id="a1", text=text, permalink=None, rule="call to action: inscriptions"),
        Example(id="a2", text=text + " https://t.co/xyz", permalink=None, rule="call to action: inscriptions")]
    page = lxml.html.fromstring(render_html(crossed, lang="fr", charts=False))
    assert page.get_element_by_id("function").text_content().count("Inscriptions ouvertes pour l'atelier") == 1
    crossed[0].broadcast.duplicated_examples = [Example(id="m9", text=text, permalink=None, rule="same text")]
    crossed[0].function.examples.action += [Example(id=f"a{n}", text=f"Billets en vente, série {n}", permalink=None,
                                                    rule="r") for n in (3, 4, 5)]  # the audit's spares
    page = lxml.html.fromstring(render_html(crossed, lang="fr", charts=False))
    everywhere = page.cssselect("main")[0].text_content()
    assert everywhere.count("Inscriptions ouvertes pour l'atelier") == 1  # shown once in the whole report
    assert "Inscriptions ouvertes pour l'atelier" not in page.get_element_by_id("function").text_content()
    assert page.get_element_by_id("function").text_content().count("Billets en vente, série") == 3
    # too few spares: a text shown elsewhere fills the class rather than "no example"
    del crossed[0].function.examples.action[3:]
    page = lxml.html.fromstring(render_html(crossed, lang="fr", charts=False))
    assert page.get_element_by_id("function").text_content().count("Inscriptions ouvertes pour l'atelier") == 1
    assert [e["id"] for e in distinct(twice, {"horaires d'été"}, limit=2)] == ["m1", "x3"]
    assert [e["id"] for e in distinct(twice, {"horaires d'été", "x"}, limit=4)] == ["m1", "x2", "x3", "x4"]


def test_the_answer_time_chart_counts_the_requests_that_ask_as_its_caption_says(
        audits: Audits, pages: dict[str, lxml.html.HtmlElement]) -> None:
    r = audits[0].responsiveness
    assert r.by_intent.not_asking.requests > 0  # the chart's n is not every request received
    for lang, caption in (("en", "Time to the first answer, per request that asks (n = requests that ask in the "
                                 "period)."),
                          ("fr", "Délai de première réponse, par demande qui pose une question ou un problème "
                                 "(n = demandes de ce type sur la période).")):
        figure = pages[lang].get_element_by_id("responsiveness").cssselect("figure.chart")[0]
        assert figure.cssselect("figcaption")[0].text_content() == caption
        parts = re.findall(r"(\d+)(?:;|\.$)", figure.cssselect("img")[0].get("alt"))
        assert sum(int(p) for p in parts) == r.requests + r.pending


def test_languages_are_named_in_words(audits: Audits) -> None:
    named = copy.deepcopy(audits[:1])
    named[0].voice.languages = {"fr": 3, "und": 2, "es": 1}
    for lang, said in (("fr", "Français 3, langue non reconnue 2, Espagnol 1."),
                       ("en", "French 3, language not recognised 2, Spanish 1.")):
        lead = lxml.html.fromstring(render_html(named, lang=lang, charts=False)).cssselect("#voice p.lead")[0]
        assert lead.text_content().endswith(said)


def test_french_sentences_read_as_french(pages: dict[str, lxml.html.HtmlElement]) -> None:
    assert pages["fr"].cssselect("p.coverage")[0].text_content().endswith(
        "Comparé à ses pairs sur la période commune, 1er janvier 2024 – 31 décembre 2024\u00a0; période des données "
        "propres du compte\u00a0: 1er janvier 2024 – 1er janvier 2025.")
    apart = pages["fr"].cssselect("p.apart")[0].text_content()
    assert "ne posent ni question ni problème" in apart and "ne demandent rien" not in apart


def test_an_unknown_family_gives_its_reason_as_a_sentence(audits: Audits) -> None:
    from parlons.audit.coverage import UNKNOWN_OWN_ARCHIVE

    unknown = copy.deepcopy(audits[:1])
    unknown[0].responsiveness = ResponsivenessUnknown(reason=UNKNOWN_OWN_ARCHIVE)
    for lang, start, end in (("en", "Unknown. Only the account's own archive was imported", "captures)."),
                             ("fr", "Inconnu. Seule l’archive du compte a été importée", "Jetstream).")):
        page = lxml.html.fromstring(render_html(unknown, lang=lang, charts=False))
        said = page.cssselect("p.unknown-family")[0].text_content()
        assert said.startswith(start) and said.endswith(end), said


def test_lovejoy_and_saxton_share_is_written_for_the_locale() -> None:
    from parlons.report.priorities import RULES

    message = next(r.message for r in RULES if r.rule == "function.community")
    for lang, reference in (("en", "against 26% among"), ("fr", "contre 26\u00a0% chez")):
        assert reference in translator(lang).gettext(message) % {"share": "5%", "n": "58"}


def test_an_unknown_figure_of_the_verdict_says_why_never_the_catalog_header(audits: Audits) -> None:
    unknown = copy.deepcopy(audits[:1])
    unknown[0].responsiveness = ResponsivenessUnknown(reason="only the account's own archive was imported")
    unknown[0].maturity.evidence = {"responsiveness.answered_share": None}
    for lang, why in (("en", "no file of the data holds the requests to the account"),
                      ("fr", "aucun fichier des données ne contient les demandes adressées au compte")):
        page = lxml.html.fromstring(render_html(unknown, lang=lang, charts=False))
        row = page.get_element_by_id("verdict").cssselect("tr[data-status=unknown]")[0]
        assert row.cssselect("td.detail")[0].text_content() == why
        assert "Project-Id-Version" not in page.text_content()


def test_the_duplicates_priority_speaks_of_other_platforms_only_when_there_are(audits: Audits) -> None:
    figs = Figures(translator("en"), Formatter("en"))
    one = copy.deepcopy(audits[2])
    assert one.platform == "x"
    texts = {p.rule: p.text for p in priorities(one, figs)}
    assert texts["broadcast.duplicated"].startswith("Write each post for the people who read it: ")
    assert "posted elsewhere" not in texts["broadcast.duplicated"]
    one.platform = "mastodon, x"
    texts = {p.rule: p.text for p in priorities(one, figs)}
    assert texts["broadcast.duplicated"].startswith("Adapt each post to its platform and audience: ")


def test_a_long_post_is_quoted_in_part(audits: Audits) -> None:
    from parlons.audit.result import Example

    long = copy.deepcopy(audits[:1])
    article = "Notre association a tenu son assemblée générale. " * 40 + "https://blog.example/ag"
    long[0].function.examples.information = [Example(id="b1", text=article, permalink=None, rule="r")]
    page = lxml.html.fromstring(render_html(long, lang="fr", charts=False))
    quoted = next(q.text_content() for q in page.get_element_by_id("function").cssselect("blockquote")
                  if q.text_content().startswith("Notre association"))
    assert quoted.endswith(" …") and 400 < len(quoted) <= 482 and "https://blog.example/ag" not in quoted


def test_the_next_step_does_not_repeat_the_priority_to_answer(audits: Audits) -> None:
    figs = Figures(translator("fr"), Formatter("fr"))
    alone = copy.deepcopy(audits[2])
    for path in ("conversation.replies_to_others_share", "conversation.questions_share", "function.community_share",
                 "function.action_share", "content.images_share", "voice.fr.second_person_share"):
        _item(alone, path).value = 0.5
    alone.broadcast.duplicated_share.value = 0.0
    alone.maturity.next_step = ("Start answering: reply today to the newest unanswered requests listed in this "
                                "audit.")
    assert [p.rule for p in priorities(alone, figs)] == ["responsiveness.unanswered", "fallback"]
