"""What real accounts' reports showed a reader, each case rebuilt on the town hall's audit.

Read from reports of real exports: a brand's customer-support CSV (twcs, ChipotleTweets: 18 replies,
1 original), an organization's X archive (RTIatMLA), a French association's WordPress export, a
Chinese-speaking Mastodon archive.
"""

from __future__ import annotations

import copy
import re

import lxml.html

from parlons.audit.result import AuditResult, Figure, VoiceExample
from parlons.i18n import translator
from parlons.report import render_html
from parlons.report.figures import Figures
from parlons.report.fmt import Formatter
from parlons.report.priorities import priorities

Audits = list[AuditResult]



def _page(audits: Audits, lang: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_html(audits, lang=lang, charts=False))


def _text(node: lxml.html.HtmlElement) -> str:
    """The node's text with runs of ASCII white space made one space (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", node.text_content()).strip()


def test_a_post_is_not_both_the_most_and_the_least_conversational(audits: Audits) -> None:
    """ChipotleTweets had one original post in English: it was shown under both headings."""
    one = copy.deepcopy(audits[:1])
    voice = one[0].voice.fr
    assert voice is not None
    only = VoiceExample(id="only", text="Passez nous voir samedi, en costume : https://example.org/regles",
                        permalink=None, score=0.0, cues="")
    voice.examples.most_conversational = [only]
    voice.examples.least_conversational = [only]
    page = _page(one, "fr")
    language = page.cssselect('#voice .language[data-lang="fr"]')[0]
    assert [li.get("data-id") for li in language.cssselect("ul.most > li")] == ["only"]
    assert language.cssselect("ul.least > li") == []
    assert "Aucun exemple." in _text(language)


def test_images_are_unknown_when_no_file_describes_media(audits: Audits) -> None:
    """A twcs CSV does not describe media: "Posts with images: too few (n = 0, under the minimum of 5)"."""
    bare = copy.deepcopy(audits[:1])
    content = bare[0].content
    content.media_known_posts = 0
    content.images_share = Figure(value=None, n=0, status="too few", min_n=5)
    content.video_share = Figure(value=None, n=0, status="too few", min_n=5)
    for lang, unknown, why in (
            ("fr", "inconnu", "les fichiers importés ne disent pas quels messages portent une image ou une vidéo"),
            ("en", "unknown", "the imported files do not say which posts carry images or video")):
        section = _page(bare, lang).get_element_by_id("content")
        for metric in ("content.images_share", "content.video_share"):
            row = section.cssselect(f'tr[data-metric="{metric}"]')[0]
            assert row.get("data-status") == "unknown"
            assert row.cssselect("td.value")[0].text_content() == unknown
            assert row.cssselect("td.detail")[0].text_content() == why


def test_the_intent_table_shows_the_unanswered_and_pending_requests(audits: Audits) -> None:
    """ChipotleTweets' thanks and remarks read "8 requests, 6 answered, 100 %": 2 were pending, not shown."""
    one = copy.deepcopy(audits[:1])
    group = one[0].responsiveness.by_intent.not_asking
    group.requests, group.answered, group.pending, group.unanswered = 8, 6, 2, 0
    group.answered_share = Figure(value=1.0, n=6, status="ok", min_n=5)
    for lang, head in (("fr", ["", "Demandes", "Avec réponse", "Sans réponse", "En attente (trop récentes)",
                               "Part avec réponse"]),
                       ("en", ["", "Requests", "Answered", "Not answered", "Pending (too recent)",
                               "Answered share"])):
        table = _page(one, lang).cssselect("table.intent")[0]
        assert [_text(th) for th in table.cssselect("thead th")] == head
        cells = [_text(td) for td in table.cssselect("tbody tr")[1].cssselect("td")]
        assert cells[:4] == ["8", "6", "0", "2"]


def test_no_priority_says_only_zero_percent(audits: Audits) -> None:
    """RTIatMLA: « seuls 0 % des 70 messages sont des réponses aux autres »."""
    silent = copy.deepcopy(audits[2])
    share = silent.conversation.replies_to_others_share
    share.value, share.n, share.status = 0.0, 70, "ok"
    for lang, expected in (("fr", "Répondez en public aux personnes qui s’adressent à vous\u00a0: 0\u00a0% des 70 "
                                  "messages sont des réponses aux autres."),
                           ("en", "Reply to the people who address you, in public: 0% of 70 posts are replies to "
                                  "others.")):
        texts = {p.rule: p.text for p in priorities(silent, Figures(translator(lang), Formatter(lang)))}
        assert texts["conversation.replies"] == expected


def test_a_support_account_that_converses_is_not_told_to_ask_questions(audits: Audits) -> None:
    """ChipotleTweets (95 % community, 95 % replies, level 5) was told to ask its audience a question each week."""
    figs = Figures(translator("en"), Formatter("en"))
    support = copy.deepcopy(audits[0])
    support.conversation.questions_share.value = 0.0
    support.function.community_share.value = 0.95
    assert "conversation.questions" not in [p.rule for p in priorities(support, figs, count=20)]
    support.function.community_share.value = 0.10
    assert "conversation.questions" in [p.rule for p in priorities(support, figs, count=20)]


def test_the_function_of_posts_in_other_languages_is_read_with_care(audits: Audits) -> None:
    """A Chinese-speaking Mastodon account: 98 % "information" for want of French or English words, and a
    priority to "give more room to dialogue" drawn from it."""
    figs = Figures(translator("fr"), Formatter("fr"))
    chinese = copy.deepcopy(audits[0])
    chinese.function.community_share.value = 0.016
    chinese.function.action_share.value = 0.0
    assert {"function.community", "function.action"} & {p.rule for p in priorities(chinese, figs, count=20)}
    chinese.voice.languages = {"zh": 1384, "mr": 10, "und": 7, "en": 15}
    assert not {"function.community", "function.action"} & {p.rule for p in priorities(chinese, figs, count=20)}
    note = _page([chinese], "fr").get_element_by_id("function").cssselect("p.other-languages")
    assert [_text(p) for p in note] == [
        "Les règles lisent les mots français et anglais\u00a0: 1\u202f401 messages sur 1\u202f416 sont dans "
        "d’autres langues, où elles ne voient que les réponses et les points d’interrogation\u00a0; lisez ces "
        "parts avec prudence."]
    assert not _page(audits[:1], "fr").get_element_by_id("function").cssselect("p.other-languages")
    chinese.voice.languages = {"zh": 1384, "mr": 10, "und": 7}
    note = _page([chinese], "en").get_element_by_id("function").cssselect("p.other-languages")
    assert [_text(p) for p in note] == [
        "The rules read French and English words, and none of these 1,401 posts is in French or English: they "
        "see only replies and question marks; read these shares with care."]


def test_the_pending_window_is_defined_not_repeated(audits: Audits) -> None:
    methods = _text(_page(audits[:1], "fr").get_element_by_id("methods"))
    assert "La fenêtre d’attente." not in methods
    assert "Durée avant la fin des données pendant laquelle une demande sans réponse est en attente" in methods


def test_a_long_silence_is_written_in_whole_days() -> None:
    """A LinkedIn account's longest silence read "733.2 days" (« 65,1 jours » for RTIatMLA)."""
    assert [Formatter(lang).duration(seconds) for lang in ("fr", "en")
            for seconds in (733.2 * 86400, 65.1 * 86400, 2.5 * 86400)] == [
        "733 jours", "65 jours", "2,5 jours", "733 days", "65 days", "2.5 days"]


def test_the_english_pronoun_is_written_i_among_the_cues() -> None:
    """RTIatMLA's and a Facebook page's most conversational posts read "i, you, ?" under the text."""
    from parlons.report.audit_text import translate_cues

    assert translate_cues(translator("fr"), "i, we, you, ?, jargon: robust") == "I, we, you, ?, jargon\u00a0: robust"
    assert translate_cues(translator("en"), "i'm, me, ?") == "I'm, me, ?"
    assert translate_cues(translator("fr"), "je, il, ?") == "je, il, ?"


def test_a_figure_over_nothing_reads_as_nothing_not_too_few(audits: Audits) -> None:
    """RTIatMLA has no reply to others: "Posts per reply to others: too few, n = 0, under the minimum of 1"."""
    none = copy.deepcopy(audits[:1])
    none[0].conversation.posts_per_reply_to_others = Figure(value=None, n=0, status="too few", min_n=1)
    for lang, detail in (("fr", "n = 0 réponses aux autres"), ("en", "n = 0 replies to others")):
        row = _page(none, lang).cssselect('tr[data-metric="conversation.posts_per_reply_to_others"]')[0]
        assert [_text(td) for td in row.cssselect("td")] == ["–", detail]


def test_a_peer_whose_files_do_not_describe_media_has_its_images_unknown(audits: Audits) -> None:
    """Three twcs brands side by side: "Posts with images: –, n = 0 posts whose media are known" for each."""
    three = copy.deepcopy(audits)
    three[1].content.media_known_posts = 0
    three[1].content.images_share = Figure(value=None, n=0, status="too few", min_n=5)
    cells = _page(three, "en").get_element_by_id("peers").cssselect('tr[data-metric="content.images_share"] td')
    assert _text(cells[1]).startswith("unknownthe imported files do not say which posts carry images or video")
    assert not _text(cells[0]).startswith("unknown")
