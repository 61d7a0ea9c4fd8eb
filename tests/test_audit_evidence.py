"""No verdict without evidence: too thin data gives no level and no priorities, and says what data is needed."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from parlons.audit import AuditSettings, run_audit
from parlons.audit.maturity import GATHER, THIN
from parlons.audit.result import DataNeed, Figure
from parlons.i18n import translator
from parlons.report import render_html
from parlons.report.figures import Figures
from parlons.report.fmt import Formatter
from parlons.report.priorities import priorities
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, build, post

FOUR = [post(f"p{i}", "org", i * 60, f"Annonce numéro {i} de la semaine") for i in range(4)]


def test_four_posts_give_no_level_and_say_what_data_is_needed(store: Store, tmp_path: Path) -> None:
    build(store, FOUR, tmp_path)
    store.con.execute("UPDATE posts SET importer = 'x-archive'")
    audit = run_audit(store.con, ["org"], platform="x")[0]
    m = audit.maturity
    assert (m.level, m.range, m.rule, m.next_step) == (None, [], THIN, GATHER)
    assert m.evidence == {"responsiveness.answered_share": None,
                          "conversation.replies_to_others_share": Figure(value=None, n=4, status="too few", min_n=5)}
    assert m.needed == [DataNeed(item="own_posts", have=4, need=5), DataNeed(item="requests", have=None, need=None)]
    assert priorities(audit, Figures(translator("en"), Formatter("en"))) == []


def test_the_report_opens_with_the_data_that_would_be_needed(store: Store, tmp_path: Path) -> None:
    build(store, FOUR, tmp_path)
    store.con.execute("UPDATE posts SET importer = 'x-archive'")
    page = lxml.html.fromstring(render_html(run_audit(store.con, ["org"], platform="x"), lang="en", charts=False))
    sections = [s.get("id") for s in page.cssselect("main > section")]
    assert sections[:2] == ["needed", "verdict"]
    assert [li.text_content() for li in page.cssselect("#needed li")] == [
        "At least 5 own posts in the period (the data hold 4): import a longer period, or the account's whole "
        "archive.",
        "Posts addressed to the account (mentions, comments, support messages): import a file that holds them, "
        "such as a capture of its mentions; its own archive does not."]
    verdict = page.get_element_by_id("verdict")
    assert [tr.cssselect("td")[0].text_content() for tr in verdict.cssselect("tr[data-metric]")] == [
        "unknown", "too few"]
    assert verdict.cssselect("p.level-title")[0].text_content() == "No level: the evidence is too thin"
    assert verdict.cssselect("ol.ladder li.current") == [] and verdict.cssselect("ol.priorities") == []
    assert verdict.cssselect("p.none")[0].text_content() == (
        "No priorities: they would rest on figures the data cannot support yet.")


def test_too_few_requests_fall_back_on_replies_and_say_so(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    audit = run_audit(store.con, ["org"], platform="x", settings=AuditSettings(min_n=3))[0]
    m = audit.maturity
    # 2 requests that ask are settled (under 3): the level rests on the replies to others (3 of 6 posts)
    assert (m.level, m.rule) == (4, "answered share unknown or too few; replies to others >= 0.2 of posts and "
                                    "(questions >= 0.05 or community >= 0.25)")
    assert m.needed == [DataNeed(item="settled_requests", have=2, need=3)]
    page = lxml.html.fromstring(render_html([audit], lang="en", charts=False))
    assert page.cssselect("#needed") == []
