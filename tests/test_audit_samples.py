"""The audit on real exports (skipped when ../shared/samples is absent)."""

from __future__ import annotations

from parlons.audit import run_audit
from parlons.audit.result import Figure
from parlons.store import Store

from .conftest import SAMPLES, load, needs_samples

TWCS = SAMPLES / "twcs_customer_support" / "sample.csv"
BRANDS = ["AppleSupport", "comcastcares", "SouthwestAir", "Ask_Spectrum", "ChaseSupport", "British_Airways", "O2",
          "VirginTrains", "SpotifyCares", "sprintcare", "Tesco", "HPSupport", "UPSHelp"]


@needs_samples
def test_apple_support_responsiveness_on_the_twcs_sample(store: Store) -> None:
    load(store, TWCS)
    r = run_audit(store.con, ["AppleSupport"])[0].responsiveness
    assert (r.by_intent.all.requests, r.by_intent.all.answered) == (11, 7)
    assert (r.requests, r.answered) == (10, 7)  # the requests that ask
    assert r.median_first_response_s.value == 21662.0


@needs_samples
def test_all_brands_together_on_the_twcs_sample(store: Store) -> None:
    load(store, TWCS)
    audit = run_audit(store.con, BRANDS[:1], together=BRANDS[1:], label="all brands")[0]
    r = audit.responsiveness
    assert (r.by_intent.all.requests, r.by_intent.all.answered) == (36, 29)
    assert (r.requests, r.answered) == (32, 27)  # the requests that ask
    assert r.median_first_response_s.value == 3226.0
    assert len(audit.members) == 13


@needs_samples
def test_archive_only_sample_reports_requests_unknown(store: Store) -> None:
    load(store, SAMPLES / "twitter_archive_rtiatmla" / "data")
    audit = run_audit(store.con, ["RTIatMLA"])[0]
    assert audit.responsiveness.status == "unknown"
    c = audit.conversation
    assert (c.posts, c.self_replies, c.replies_to_others) == (70, 14, 0)
    assert c.reposts_share.value == round(12 / 70, 4)
    assert audit.maturity.level == "uncertain"


@needs_samples
def test_blog_comments_are_requests_to_the_blog(store: Store) -> None:
    load(store, SAMPLES / "wordpress_wxr_bitcoinfrance_fr")
    r = run_audit(store.con, ["bitcoin-france.org"])[0].responsiveness
    # 86 comments reply to the blog's posts; the blog's 5 own comments answer one of them.
    every = r.by_intent.all
    assert (every.requests, every.answered, every.unanswered) == (86, 1, 85)
    assert every.answered_share == Figure(value=0.0116, n=86, status="ok", min_n=5)
    # the comments that ask; not the one that only shares https://bitcointalk.org/index.php?topic=413196.0
    # ("un post intéressant"): the "?" of a link's query string asks nothing
    assert (r.requests, r.answered, r.unanswered) == (61, 1, 60)


@needs_samples
def test_feed_comments_without_threading(store: Store) -> None:
    load(store, SAMPLES / "rss_atom_blog_sametmax_fr")
    r = run_audit(store.con, ["sametmax.com"])[0].responsiveness
    # 20 comments, 3 by the blog's author: 17 requests. RSS comment feeds carry no parent comment, so none
    # is answered as far as they show; the 10 made before one of the blog's comments under the same post
    # may have been answered (untraceable), the 7 after the blog's last comment under theirs were not.
    every = r.by_intent.all
    assert (every.requests, every.answered, every.untraceable, every.unanswered) == (17, 0, 10, 7)
    assert (r.requests, r.answered, r.untraceable, r.unanswered) == (12, 0, 7, 5)
    assert (r.answered_share.value, r.answered_share.n) == (0.0, 5)
