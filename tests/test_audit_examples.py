"""Examples per class are distinct texts: a cross-posted or repeated text is one example, not three."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from parlons.audit import AuditSettings, run_audit
from parlons.audit.result import BroadcastExample
from parlons.report import render_html
from parlons.store import Store

from .test_audit_responsiveness import build, post

SETTINGS = AuditSettings(min_n=1)
WORKSHOP = "Register now for the repair workshop on Saturday at the library"
ROWS = [
    # the newest action post, cross-posted: once on X with a shortened link, once on Mastodon with the full one
    post("x9", "org", 90, f"{WORKSHOP} https://t.co/abc"),
    post("m9", "org@social.example", 89, f"{WORKSHOP.upper()}   https://library.example/workshop", platform="mastodon"),
    post("x8", "org", 80, f"{WORKSHOP} https://t.co/abc"),
    post("x7", "org", 70, "Sign up for the reading club on Monday evening at the library"),
    post("x6", "org", 60, "Buy tickets for the storytelling show on Sunday at the library"),
    post("x5", "org", 50, "Donate your old books to the library this month please"),
    # voice: the most conversational text, posted three times
    post("x4", "org", 40, "What do you think we should read next? Tell us and we will order it!"),
    post("x3", "org", 30, "What do you think we should read next? Tell us and we will order it!"),
    post("x2", "org", 20, "What do you think we should read next? Tell us and we will order it!"),
    post("x1", "org", 10, "We love hearing from you: what was your favourite book this year?"),
    post("x0", "org", 0, "Our roadmap leverages synergies to deliver holistic stakeholder value"),
]


def test_each_class_gets_distinct_examples_and_spares(store: Store, tmp_path: Path) -> None:
    build(store, ROWS, tmp_path)
    audit = run_audit(store.con, ["x:org"], together=["mastodon:org@social.example"], settings=SETTINGS)[0]
    # up to twice three: spares for a reader that skips the texts it showed elsewhere
    assert [e.id for e in audit.function.examples.action] == ["x9", "x7", "x6", "x5"]
    english = audit.voice.en
    assert english is not None
    most = english.examples.most_conversational
    assert [e.id for e in most][:2] == ["x4", "x1"]
    assert len({e.text for e in most}) == len(most) == 6


def test_the_report_shows_three_per_class_when_a_text_was_shown_elsewhere(store: Store, tmp_path: Path) -> None:
    build(store, ROWS, tmp_path)
    audit = run_audit(store.con, ["x:org"], together=["mastodon:org@social.example"], settings=SETTINGS)[0]
    assert audit.voice.en is not None
    audit.voice.en.examples.most_conversational = audit.voice.en.examples.least_conversational = []
    # the newest action post is also shown as a duplicated post, before the function section
    audit.broadcast.duplicated_examples = [BroadcastExample(id="x8", text=f"{WORKSHOP} https://t.co/abc",
                                                            permalink=None, rule="same text", signals=[])]
    page = lxml.html.fromstring(render_html([audit], lang="en", charts=False))
    lists = {ul.getprevious().text_content(): [li.get("data-id") for li in ul.cssselect("li")]
             for ul in page.cssselect("#function ul.posts")}
    assert lists["Examples: Action"] == ["x7", "x6", "x5"]
    assert page.cssselect("main")[0].text_content().count(WORKSHOP) == 1
