"""An account's period and coverage are its own: never the platform's span, never "0 received" by accident."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from parlons.audit import AuditSettings, run_audit
from parlons.audit.coverage import REASONS, UNKNOWN_NO_SOURCE, UNKNOWN_OWN_ARCHIVE
from parlons.audit.result import SourceCoverage
from parlons.audit.scope import Period, choose_periods
from parlons.importers._base import ReadContext
from parlons.sources import open_source
from parlons.store import Stamp, Store

from .test_audit_responsiveness import SCENARIO, T0, post

SETTINGS = AuditSettings(min_n=1)
ORG = [r for r in SCENARIO if r["account"] == "org" and r["platform"] == "x"]
TO_ORG = [r for r in SCENARIO if r["account"] not in ("org", "zoe") and r["kind"] != "repost"]  # r1, r2, r3, r4
OLD_PEER = [post(f"amap-{i}", "amap", -10 * 365 * 24 * 60 + i * 60, f"Distribution numéro {i}") for i in range(3)]
LATE_PEER = [post("amap-9", "amap", 2 * 24 * 60, "Distribution de printemps")]
OTHERS = [post(f"o{i}", f"someone{i}", i * 30, f"@other bonjour {i}", mentions=["other"]) for i in range(4)]


def add(store: Store, tmp: Path, file: str, importer: str, rows: list[dict[str, Any]]) -> None:
    """Import ``rows`` as if ``importer`` had read them from ``file`` (one transaction)."""
    marker = tmp / f"{file}.txt"
    marker.write_text(file)
    with open_source(marker) as source, store.transaction():
        ctx = ReadContext(source)
        for batch in ctx.batches(rows):
            store.stage_batch(batch, Stamp(f"/home/someone/exports/{file}", importer, "1", T0))
        store.merge()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_the_period_is_the_accounts_own_data_not_the_platforms(store: Store, tmp_path: Path) -> None:
    add(store, tmp_path, "org.zip", "x-archive", ORG)
    add(store, tmp_path, "mentions.jsonl", "twitter-api", TO_ORG)
    add(store, tmp_path, "amap-2014.zip", "x-grailbird", OLD_PEER)
    audit = run_audit(store.con, ["org"], platform="x", settings=SETTINGS)[0]
    assert audit.period.model_dump() == {
        "since": "2024-03-04T09:00:00Z", "until": "2024-03-07T08:00:00Z", "data_end": "2024-03-04T12:40:00Z",
        "own_since": "2024-03-04T09:00:00Z", "own_until": "2024-03-07T08:00:00Z", "basis": "own data"}
    assert [w.week for w in audit.content.cadence.weekly] == ["2024-03-04"]
    assert audit.content.cadence.active_weeks_share.value == 1.0


def test_peers_are_compared_over_the_common_period(store: Store, tmp_path: Path) -> None:
    add(store, tmp_path, "org.zip", "x-archive", ORG)
    add(store, tmp_path, "mentions.jsonl", "twitter-api", TO_ORG)
    add(store, tmp_path, "amap.zip", "x-grailbird", OLD_PEER + LATE_PEER)
    org, amap = run_audit(store.con, ["org", "amap"], platform="x", settings=SETTINGS)
    assert (org.period.since, org.period.until, org.period.basis) == (
        "2024-03-04T09:00:00Z", "2024-03-06T09:00:00Z", "common with peers")
    assert (amap.period.since, amap.period.until, amap.period.own_since) == (
        "2024-03-04T09:00:00Z", "2024-03-06T09:00:00Z", "2014-03-07T09:00:00Z")
    # r1 and r3 ask, r2 thanks; r4 comes after the common period
    assert (amap.conversation.posts, org.responsiveness.requests, org.responsiveness.by_intent.all.requests) == (
        1, 2, 3)


def test_accounts_audited_separately_are_each_audited_alone(store: Store, tmp_path: Path) -> None:
    """``separately``: one pass for many accounts, each with its own period and the figures of its own audit."""
    add(store, tmp_path, "org.zip", "x-archive", ORG)
    add(store, tmp_path, "mentions.jsonl", "twitter-api", TO_ORG)
    add(store, tmp_path, "amap.zip", "x-grailbird", OLD_PEER + LATE_PEER)
    org, amap, again = run_audit(store.con, ["org", "amap", "@org"], platform="x", settings=SETTINGS,
                                 separately=True)
    assert (org.period.basis, org.period.since, amap.period.since) == (
        "own data", "2024-03-04T09:00:00Z", "2014-03-07T09:00:00Z")
    assert (org.responsiveness.by_intent.all.requests, amap.conversation.posts, again is org) == (4, 4, True)
    for name, audit in (("org", org), ("amap", amap)):
        assert audit == run_audit(store.con, [name], platform="x", settings=SETTINGS)[0]
    assert not org.benchmark


def test_periods_that_do_not_overlap_stay_each_ones_own() -> None:
    mine, theirs = (utc(2024, 3, 1), utc(2024, 3, 31)), (utc(2014, 1, 1), utc(2014, 12, 31))
    assert choose_periods({"org": mine, "amap": theirs}, None, None) == {
        "org": Period(*mine, *mine, "own data, no common period"),
        "amap": Period(*theirs, *theirs, "own data, no common period")}
    assert choose_periods({"org": mine}, utc(2024, 3, 10), None) == {
        "org": Period(utc(2024, 3, 10), mine[1], *mine, "own data")}
    assert choose_periods({"org": mine}, utc(2024, 3, 10), utc(2024, 3, 20)) == {
        "org": Period(utc(2024, 3, 10), utc(2024, 3, 20), *mine, "given")}


def test_unrelated_posts_of_the_platform_never_make_zero_requests(store: Store, tmp_path: Path) -> None:
    add(store, tmp_path, "org.zip", "x-archive", ORG)
    add(store, tmp_path, "other-capture.jsonl", "twitter-api", OTHERS)
    audit = run_audit(store.con, ["org"], platform="x", settings=SETTINGS)[0]
    assert audit.responsiveness.model_dump() == {"status": "unknown", "reason": UNKNOWN_OWN_ARCHIVE}
    assert audit.coverage.sources == [SourceCoverage(
        platform="x", account="org", file="org.zip", importer="x-archive", imported_at=utc(2024, 3, 4, 9),
        own_posts=6, addressed=0, other_posts=0,
        holds_requests=False, reason=REASONS["own_archive"])]
    assert (audit.coverage.unrelated_files, audit.coverage.unrelated_posts) == (1, 4)
    assert audit.maturity.level is not None


def test_a_capture_of_the_accounts_posts_without_requests_is_not_zero(store: Store, tmp_path: Path) -> None:
    add(store, tmp_path, "search.jsonl", "twitter-api", ORG + OTHERS)
    audit = run_audit(store.con, ["org"], platform="x", settings=SETTINGS)[0]
    assert audit.responsiveness.model_dump() == {"status": "unknown", "reason": UNKNOWN_NO_SOURCE}
    assert audit.coverage.sources == [SourceCoverage(
        platform="x", account="org", file="search.jsonl", importer="twitter-api", imported_at=utc(2024, 3, 4, 9),
        own_posts=6, addressed=0,
        other_posts=4, holds_requests=False, reason=REASONS["no_addressed"])]


def test_requests_are_known_where_a_file_holds_posts_addressed_to_the_account(store: Store, tmp_path: Path) -> None:
    add(store, tmp_path, "org.zip", "x-archive", ORG)
    add(store, tmp_path, "mentions.jsonl", "twitter-api", TO_ORG)
    add(store, tmp_path, "other-capture.jsonl", "twitter-api", OTHERS)
    audit = run_audit(store.con, ["org"], platform="x", settings=SETTINGS)[0]
    assert (audit.responsiveness.status, audit.responsiveness.requests) == ("ok", 3)  # r2 (thanks) does not ask
    assert [(s.file, s.own_posts, s.addressed, s.holds_requests, s.reason) for s in audit.coverage.sources] == [
        ("mentions.jsonl", 0, 4, True, REASONS["addressed"]),
        ("org.zip", 6, 0, False, REASONS["own_archive"])]
    assert (audit.coverage.unrelated_files, audit.coverage.unrelated_posts) == (1, 4)


def test_a_blog_export_without_comments_means_none_received(store: Store, tmp_path: Path) -> None:
    blog = [post(f"b{i}", "blog.example", i * 600, f"Article {i}", platform="blog") for i in range(3)]
    add(store, tmp_path, "blog.xml", "wordpress-wxr", blog)
    audit = run_audit(store.con, ["blog.example"], settings=SETTINGS)[0]
    assert (audit.responsiveness.status, audit.responsiveness.requests) == ("ok", 0)
    assert [(s.file, s.holds_requests, s.reason) for s in audit.coverage.sources] == [
        ("blog.xml", True, REASONS["complete"])]


def test_the_report_shows_each_file_its_decision_and_the_period(store: Store, tmp_path: Path) -> None:
    import lxml.html

    from parlons.report import render_html

    add(store, tmp_path, "org.zip", "x-archive", ORG)
    add(store, tmp_path, "mentions.jsonl", "twitter-api", TO_ORG)
    add(store, tmp_path, "other-capture.jsonl", "twitter-api", OTHERS)
    add(store, tmp_path, "amap.zip", "x-grailbird", OLD_PEER + LATE_PEER)
    audits = run_audit(store.con, ["org", "amap"], platform="x", settings=SETTINGS)
    page = lxml.html.fromstring(render_html(audits, lang="fr", charts=False))
    rows = page.cssselect("table.sources tbody tr")
    assert [(r.get("data-holds"), r.cssselect("th .file")[0].text) for r in rows] == [
        ("yes", "mentions.jsonl"), ("no", "org.zip")]
    reason = "l’archive du compte\u00a0: elle ne contient que ses propres messages"
    assert rows[1].cssselect("td")[2].text_content() == "non" + reason
    assert page.cssselect("p.unrelated")[0].text_content() == (
        "2 autres fichiers de la plateforme (8 messages) ne contiennent aucun message du compte ni aucun qui lui "
        "soit adressé\u00a0: ils ne disent rien de ses demandes.")
    assert ("Comparé à ses pairs sur la période commune, 4 mars 2024 – 6 mars 2024\u00a0; période des données "
            "propres du compte\u00a0: 4 mars 2024 – 7 mars 2024.") in page.cssselect("p.coverage")[0].text_content()
