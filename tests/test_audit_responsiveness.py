"""Responsiveness on hand-built scenarios where every figure is computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from parlons.audit import AuditResult, AuditSettings, open_posts, run_audit
from parlons.audit.result import Figure, Member
from parlons.importers._base import ReadContext, post_row
from parlons.sources import open_source
from parlons.store import Stamp, Store

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
SETTINGS = AuditSettings(min_n=1)


def post(post_id: str, account: str, minutes: float, text: str = "", *, kind: str = "original",
         platform: str = "x", **fields: Any) -> dict[str, Any]:
    return post_row(platform=platform, post_id=post_id, account=account, kind=kind, text=text,
                    created_at=T0 + timedelta(minutes=minutes), mentions=fields.pop("mentions", []),
                    hashtags=[], urls=[], media_kinds=[], source_member="scenario", source_record=post_id,
                    **fields)


def build(store: Store, rows: list[dict[str, Any]], tmp: Path) -> Store:
    """Stage hand-built canonical rows through the store's own staging and merge."""
    marker = tmp / "scenario.txt"
    marker.write_text("scenario")
    with open_source(marker) as source, store.transaction():
        ctx = ReadContext(source)
        stamp = Stamp("scenario", "test", "0", T0)
        for batch in ctx.batches(rows):
            store.stage_batch(batch, stamp)
        store.merge()
    return store


SCENARIO = [
    post("p1", "org", 0, "Notre programme de la semaine"),
    post("p2", "org", 1, "Suite du fil", kind="reply", in_reply_to_id="p1", in_reply_to_account="org"),
    post("r1", "alice", 10, "@org Bonjour, où trouver le formulaire ?", mentions=["org"]),
    post("a1", "org", 20, "@alice Ici !", kind="reply", in_reply_to_id="r1", in_reply_to_account="alice",
         mentions=["alice"]),
    post("a1b", "org", 30, "@alice Et aussi là", kind="reply", in_reply_to_id="r1", in_reply_to_account="alice",
         mentions=["alice"]),
    post("r2", "bob", 60, "Merci pour le programme", kind="reply", in_reply_to_id="p1"),
    post("a2", "org", 180, "@bob Avec plaisir", kind="reply", in_reply_to_id="r2", in_reply_to_account="bob",
         mentions=["bob"]),
    post("r3", "carol", 200, "Et pour moi ? Toujours rien", kind="reply", in_reply_to_id="a2",
         in_reply_to_account="org"),
    post("rt", "dave", 210, "RT @org: Notre programme", kind="repost", mentions=["org"], repost_of_account="org"),
    post("p3", "org", 220, "Et vous, qu'en pensez-vous ? @org", mentions=["org"]),
    post("m1", "org", 230, "Réponse ailleurs", kind="reply", platform="mastodon", in_reply_to_id="r3",
         in_reply_to_account="carol"),
    post("r4", "erin", 3 * 24 * 60 - 60, "@ORG un souci avec le site", mentions=["ORG"]),
    post("end", "zoe", 3 * 24 * 60, "fin des données"),
]


@pytest.fixture
def audited(store: Store, tmp_path: Path) -> AuditResult:
    build(store, SCENARIO, tmp_path)
    return run_audit(store.con, ["org"], platform="x", settings=SETTINGS)[0]


def test_requests_answers_pending_and_unanswered(audited: AuditResult) -> None:
    # the requests that ask: r1 (answered after 10 min), r3 (unanswered), r4 (pending); r2 thanks, apart
    r = audited.responsiveness
    assert (r.requests, r.answered, r.pending, r.unanswered) == (3, 1, 1, 1)
    assert r.answered_share == Figure(value=0.5, n=2, status="ok", min_n=1)
    assert r.median_first_response_s == Figure(value=600.0, n=1, status="ok", min_n=1)
    assert r.p90_first_response_s == Figure(value=600.0, n=1, status="ok", min_n=1)
    assert (r.answered_within_1h, r.answered_within_24h) == (1, 1)
    assert r.answered_within_1h_share == Figure(value=0.5, n=2, status="ok", min_n=1)
    assert [u.model_dump() for u in r.unanswered_requests] == [
        {"id": "r3", "author": "carol", "time": "2024-03-04T12:20:00Z", "text": "Et pour moi ? Toujours rien",
         "permalink": None, "rule": "question mark"}]


def test_requests_split_by_intent(audited: AuditResult) -> None:
    intent = audited.responsiveness.by_intent
    assert [(g.requests, g.answered, g.pending, g.unanswered, g.answered_share.value)
            for g in (intent.asking, intent.not_asking, intent.all)] == [
        (3, 1, 1, 1, 0.5), (1, 1, 0, 0, 1.0), (4, 2, 1, 1, round(2 / 3, 4))]


def test_conversation_mix(audited: AuditResult) -> None:
    c = audited.conversation
    assert (c.posts, c.replies_to_others, c.self_replies) == (6, 3, 1)
    assert c.originals_share.value == round(2 / 6, 4)
    assert c.questions_share.value == round(1 / 6, 4)
    assert c.posts_per_reply_to_others.value == 2.0
    assert c.accounts_mentioned == 2


def test_too_few_is_not_a_percentage(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    audit = run_audit(store.con, ["org"], platform="x", settings=AuditSettings(min_n=5))[0]
    assert audit.responsiveness.answered_share == Figure(value=None, n=2, status="too few", min_n=5)


def test_archive_only_means_requests_unknown(store: Store, tmp_path: Path) -> None:
    own_only = [r for r in SCENARIO if r["account"] == "org"]
    build(store, own_only, tmp_path)
    store.con.execute("UPDATE posts SET importer = 'x-archive'")
    audit = run_audit(store.con, ["org"], platform="x", settings=SETTINGS)[0]
    assert audit.responsiveness.status == "unknown"
    assert "own archive" in audit.responsiveness.reason
    assert audit.coverage.responsiveness.status == "unknown"


def test_same_figures_on_store_and_parquet_export(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    on_store = run_audit(store.con, ["org"], platform="x", settings=SETTINGS)
    store.export(tmp_path / "export")
    on_parquet = run_audit(open_posts(tmp_path / "export"), ["org"], platform="x", settings=SETTINGS)
    assert on_parquet == on_store


def test_name_on_several_platforms_needs_platform(store: Store, tmp_path: Path) -> None:
    from parlons.errors import UsageError

    build(store, [*SCENARIO, post("m2", "org", 5, "x", platform="mastodon")], tmp_path)
    with pytest.raises(UsageError, match="several platforms"):
        run_audit(store.con, ["org"])
    with pytest.raises(UsageError, match="no posts by 'nobody'"):
        run_audit(store.con, ["nobody"])


def test_explain_names_the_rules_that_fired(store: Store, tmp_path: Path) -> None:
    from parlons.audit import explain_post

    build(store, SCENARIO, tmp_path)
    why = explain_post(store.con, "p3", "x")
    assert (why["lang"], why["function"], why["function_rule"]) == (
        "fr", "community", "response solicitation: et vous")
    assert why["second_person"] == ["vous", "vous"]
    assert (why["words"], why["sentences"]) == (6, 1)
    request = explain_post(store.con, "r4", "x")
    assert request["request_intent_rule"] == "problem word: souci"


def test_accounts_of_one_organization_audited_together(store: Store, tmp_path: Path) -> None:
    extra = [
        post("mr1", "fan", 40, "@org une question ?", platform="mastodon", mentions=["org"]),
        post("ma1", "org", 45, "@fan voici", platform="mastodon", kind="reply", in_reply_to_id="mr1",
             in_reply_to_account="fan"),
        post("mr2", "org", 50, "@org note interne", platform="mastodon", mentions=["org"]),
    ]
    build(store, [*SCENARIO, *extra], tmp_path)
    audit = run_audit(store.con, ["x:org"], together=["mastodon:org"], label="Org", settings=SETTINGS)[0]
    assert (audit.account, audit.platform) == ("Org", "mastodon, x")
    assert audit.members == [Member(platform="x", account="org"), Member(platform="mastodon", account="org")]
    r = audit.responsiveness
    assert (r.requests, r.answered, r.pending) == (4, 2, 1)  # r1, r3, r4 on X, mr1 on Mastodon ask
    assert r.median_first_response_s.value == 450.0  # 10 min (r1) and 5 min (mr1)
    assert [u.id for u in r.unanswered_requests] == ["r3"]
    assert audit.conversation.posts == 6 + 3


def test_same_handle_on_two_platforms_as_peers_stays_apart(store: Store, tmp_path: Path) -> None:
    extra = [post("mr1", "fan", 40, "@org une question ?", platform="mastodon", mentions=["org"])]
    build(store, [*SCENARIO, *extra], tmp_path)
    on_x, on_mastodon = run_audit(store.con, ["x:org", "mastodon:org"], settings=SETTINGS)
    # peers are compared over the common period: mastodon:org's own data runs from mr1 (09:40) to m1 (12:50)
    assert on_x.period == on_mastodon.period.model_copy(update={"data_end": on_x.period.data_end,
                                                               "own_since": on_x.period.own_since,
                                                               "own_until": on_x.period.own_until})
    assert (on_x.period.since, on_x.period.until, on_x.period.basis) == (
        "2024-03-04T09:40:00Z", "2024-03-04T12:50:00Z", "common with peers")
    assert (on_x.period.own_since, on_x.period.own_until) == ("2024-03-04T09:00:00Z", "2024-03-07T08:00:00Z")
    assert [r.id for r in on_x.responsiveness.unanswered_requests] == ["r3"]
    assert (on_x.responsiveness.by_intent.all.requests, on_x.responsiveness.requests) == (2, 1)  # r2 thanks
    assert on_mastodon.responsiveness.requests == 1


def test_business_hours_split(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    settings = AuditSettings(min_n=1, business_hours=(9, 12), timezone="Europe/Paris")
    hours = run_audit(store.con, ["org"], platform="x", settings=settings)[0].responsiveness.business_hours
    # T0 is Monday 09:00 UTC = 10:00 in Paris: of the requests that ask, r1 (10:10) and r4 (Thursday 09:00)
    # are inside 9-12; r3 (Monday 12:20) is outside.
    assert (hours.inside.requests, hours.inside.answered) == (2, 1)
    assert hours.inside.median_first_response_s.value == 600.0
    assert (hours.outside.requests, hours.outside.answered) == (1, 0)


def blog(post_id: str, account: str, minutes: float, text: str, **fields: Any) -> dict[str, Any]:
    return post(post_id, account, minutes, text, platform="blog", **fields)


# A blog post and its comments as an RSS comment feed gives them: the readers' comments answer the post, the
# blog's own comment (c3) says nothing of the comment it answers (no in_reply_to_id, only its conversation).
BLOG = [
    blog("site/?p=1", "site", 0, "Inscriptions ouvertes"),
    blog("site/?p=1#c1", "ana", 10, "Comment s'inscrire ?", kind="comment", in_reply_to_id="site/?p=1",
         in_reply_to_account="site", conversation_id="site/?p=1"),
    blog("site/?p=1#c2", "ben", 20, "Et le prix ?", kind="comment", in_reply_to_id="site/?p=1",
         in_reply_to_account="site", conversation_id="site/?p=1"),
    blog("site/?p=1#c3", "site", 30, "Par le formulaire, c'est gratuit.", kind="comment",
         conversation_id="site/?p=1"),
    blog("site/?p=1#c4", "cleo", 40, "Ouvert le dimanche ?", kind="comment", in_reply_to_id="site/?p=1",
         in_reply_to_account="site", conversation_id="site/?p=1"),
    blog("site/?p=2", "site", 5 * 24 * 60, "Nouvelles"),
]


def test_a_reply_that_does_not_say_what_it_answers_makes_requests_untraceable(store: Store, tmp_path: Path) -> None:
    build(store, BLOG, tmp_path)
    r = run_audit(store.con, ["site"], platform="blog", settings=SETTINGS)[0].responsiveness
    # c1 and c2 came before the blog's c3 under the same post: it may have answered them, the data cannot
    # tell; c4 came after it: unanswered. The share counts c4 alone.
    assert (r.requests, r.answered, r.untraceable, r.unanswered, r.pending) == (3, 0, 2, 1, 0)
    assert (r.answered_share.value, r.answered_share.n) == (0.0, 1)
    assert [u.id for u in r.unanswered_requests] == ["site/?p=1#c4"]
    assert (r.by_intent.asking.untraceable, r.by_intent.asking.unanswered) == (2, 1)


def test_a_reply_that_says_what_it_answers_leaves_nothing_untraceable(store: Store, tmp_path: Path) -> None:
    traced = [dict(row, in_reply_to_id="site/?p=1#c1", in_reply_to_account="ana")
              if row["post_id"] == "site/?p=1#c3" else row for row in BLOG]
    build(store, traced, tmp_path)
    r = run_audit(store.con, ["site"], platform="blog", settings=SETTINGS)[0].responsiveness
    assert (r.requests, r.answered, r.untraceable, r.unanswered) == (3, 1, 0, 2)
    assert (r.answered_share.value, r.answered_share.n) == (0.3333, 3)
    assert [u.id for u in r.unanswered_requests] == ["site/?p=1#c4", "site/?p=1#c2"]
