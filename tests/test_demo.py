"""The demo: written in real export formats, read by the real importers, audited as designed.

The expected figures come from the generator's own plan (``parlons.demo.expected``), not from the
store: the audit of the imported files must find exactly the requests, answers and automated
posts that were planned, and the designed contrasts between the three organizations.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from parlons.audit import AuditSettings, open_posts, run_audit
from parlons.cli import cli
from parlons.demo import ORG_BLOG, ORG_MASTODON, ORG_X, PEER1_X, PEER2_X, Demo, build_demo, plan_demo, write_demo
from parlons.demo.expected import automated, imported, own_span, responsiveness
from parlons.demo.world import RSS_END, RSS_START
from parlons.errors import UsageError
from parlons.ingest import ImportReport, import_paths
from parlons.store import Store

SCALE = 0.1
KNOWN = {"twitter-": ["data/account.js", "data/manifest.js", "data/profile.js"],
         "archive-": ["actor.json", "avatar.png", "bookmarks.json", "likes.json"]}


class Imported:
    """The demo at the test scale, written, imported into a store, and audited once."""

    def __init__(self, folder: Path, lang: str = "fr") -> None:
        self.demo: Demo = plan_demo(lang, SCALE)
        self.paths = write_demo(self.demo, folder / "exports")
        store = Store(folder / "demo.duckdb")
        self.report: ImportReport = import_paths(store, self.paths)
        store.close()
        self.con = open_posts(folder / "demo.duckdb")
        self.audits = run_audit(self.con, [ORG_X, PEER1_X, PEER2_X], settings=AuditSettings(timezone="Europe/Paris"))

    def account(self, key: str) -> Any:
        return self.demo.world.accounts[key]

    def common(self, *groups: list[Any]) -> tuple[datetime, datetime]:
        """The period common to the groups' own data, from the plan."""
        spans = [own_span(self.demo.world.posts, group) for group in groups]
        return max(s for s, _ in spans), min(e for _, e in spans)

    def ends(self, members: list[Any]) -> dict[str, datetime]:
        """Per platform, the last post of the files that hold the members' posts (from the store)."""
        rows = self.con.execute("""
            SELECT platform, max(created_at) FROM posts WHERE source_file IN (
              SELECT source_file FROM posts WHERE list_contains($who, platform || ':' || lower(ltrim(account, '@'))))
            GROUP BY platform""", {"who": [f"{m.platform}:{m.handle.lower().lstrip('@')}" for m in members]}).fetchall()
        return {platform: end for platform, end in rows}


@pytest.fixture(scope="module")
def fr(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return Imported(tmp_path_factory.mktemp("demo-fr"))


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    first = build_demo(tmp_path / "a", scale=0.05)
    build_demo(tmp_path / "b", scale=0.05)
    build_demo(tmp_path / "c", scale=0.05, seed=8)
    assert [p.relative_to(tmp_path / "a").as_posix() for p in first] == [
        "twitter-2025-01-02-vpfylgy8hpgxmysh.zip",
        "archive-20250102080000-656f86e6289a303d46a103ee02c5f483.zip",
        "mediatheques.wordpress.2025-01-02.xml",
        "morvezen-feed.rss2.xml",
        "twarc2/mentions-MediasKerbrat.jsonl",
        "twarc2/timeline-MediaPlouvenec.jsonl",
        "twarc2/mentions-MediaPlouvenec.jsonl",
        "twarc2/timeline-BibMorvezen.jsonl",
        "twarc2/mentions-BibMorvezen.jsonl",
    ]
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a") != _digests(tmp_path / "c")


def test_every_file_is_read_by_its_importer_with_only_the_designed_skips(fr: Imported) -> None:
    formats = {Path(f.path).name: f.formats for f in fr.report.files}
    assert [next(iter(f)) for f in formats.values()] == [
        "x-archive", "mastodon-archive", "wordpress-wxr", "feed", *["twitter-api"] * 5]
    for file in fr.report.files:
        assert file.unknown == []
        assert file.notes == []
        prefix = next((k for k in KNOWN if Path(file.path).name.startswith(k)), None)
        assert file.known == (KNOWN[prefix] if prefix else [])
    skipped: dict[str, int] = {}
    for file in fr.report.files:
        for reason, n in file.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    assert skipped == fr.demo.skips
    assert skipped["direct message, not public"] == 2
    assert fr.report.merge.duplicates_in_input == fr.demo.repeated > 0
    assert fr.report.merge.inserted == len(imported(fr.demo.world.posts))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_audit_finds_the_planned_requests_and_answers(fr: Imported) -> None:
    world = fr.demo.world
    common = fr.common(*([fr.account(k)] for k in ("org", "peer1", "peer2")))
    for audit, key in zip(fr.audits, ("org", "peer1", "peer2"), strict=True):
        assert (audit.period.since, audit.period.until, audit.period.basis) == (
            _iso(common[0]), _iso(common[1]), "common with peers")
        planned = responsiveness(world.posts, [fr.account(key)], period=common, ends=fr.ends([fr.account(key)]))
        found = audit.responsiveness.by_intent.all  # every planned request; the headline keeps those that ask
        assert (found.requests, found.answered, found.pending) == (
            planned.requests, planned.answered, planned.pending), key
        assert found.answered_share.n == planned.settled
        assert found.unanswered == planned.settled - planned.answered
        assert len(audit.responsiveness.unanswered_requests) == audit.responsiveness.unanswered


def test_the_three_organizations_differ_as_designed(fr: Imported) -> None:
    org, converses, broadcasts = fr.audits
    shares = [a.responsiveness.answered_share.value for a in fr.audits]
    assert 0.3 <= shares[0] <= 0.7
    assert shares[1] >= 0.8
    assert shares[2] <= 0.2
    assert converses.responsiveness.median_first_response_s.value < 3600
    assert converses.conversation.questions_share.value > org.conversation.questions_share.value
    assert broadcasts.broadcast.automated_share.value >= 0.7
    assert broadcasts.function.information_share.value >= 0.8
    assert [a.maturity.level for a in fr.audits][1:] == [5, "uncertain"]
    assert org.maturity.level in (3, 4)


def test_automated_posts_are_the_planned_ones(fr: Imported) -> None:
    world = fr.demo.world
    common = fr.common(*([fr.account(k)] for k in ("org", "peer1", "peer2")))
    for audit, key in zip(fr.audits, ("org", "peer1", "peer2"), strict=True):
        share = audit.broadcast.automated_share
        assert round(share.value * share.n) == automated(world.posts, fr.account(key), common), key
    clients = {c.source: c.posts for c in fr.audits[0].broadcast.automation_clients}
    assert clients == {"dlvr.it": automated(world.posts, fr.account("org"), common)}
    # the second peer's posts come from the API, which no longer names the client: only titles tell
    assert fr.audits[2].broadcast.automation_clients == []


def test_the_rss_fed_period_is_automated_and_unanswered(fr: Imported) -> None:
    during = run_audit(fr.con, [ORG_X], since=RSS_START, until=RSS_END)[0]
    after = run_audit(fr.con, [ORG_X], since=RSS_END)[0]
    assert during.broadcast.automated_share.value >= 0.5
    assert after.broadcast.automated_share.value == 0
    assert during.responsiveness.answered < during.responsiveness.requests / 2


def test_the_organization_audited_with_its_mastodon_account_and_blog(fr: Imported) -> None:
    world = fr.demo.world
    members = [fr.account("org"), fr.account("org_mastodon")]
    audit = run_audit(fr.con, [ORG_X, PEER1_X], together=[f"@{ORG_MASTODON}"], label=fr.demo.name)[0]
    assert audit.account == "Médiathèques de Kerbrat"
    assert audit.platform == "mastodon, x"
    since, until = common = fr.common(members, [fr.account("peer1")])
    assert audit.conversation.posts == sum(1 for p in imported(world.posts)
                                           if p.author in members and since <= p.created <= until)
    planned = responsiveness(world.posts, members, period=common, ends=fr.ends(members))
    assert (audit.responsiveness.by_intent.all.requests, audit.responsiveness.by_intent.all.answered) == (
        planned.requests, planned.answered)
    assert audit.broadcast.duplicated_share.value >= 0.2  # the same words on X and Mastodon
    blog = run_audit(fr.con, [ORG_X], together=[f"@{ORG_MASTODON}", ORG_BLOG])[0]
    planned = responsiveness(world.posts, [*members, fr.account("org_blog")],
                             ends=fr.ends([*members, fr.account("org_blog")]))
    assert (blog.responsiveness.by_intent.all.requests, blog.responsiveness.by_intent.all.answered) == (
        planned.requests, planned.answered)


def test_in_english(tmp_path: Path) -> None:
    english = Imported(tmp_path, "en")
    assert english.demo.name == "Kerbrat Libraries"
    languages = english.con.execute("SELECT DISTINCT lang FROM posts WHERE lang IS NOT NULL").fetchall()
    assert sorted(row[0] for row in languages) == ["en", "en-GB"]
    assert set(english.audits[0].voice.languages) == {"en"}
    common = english.common(*([english.account(k)] for k in ("org", "peer1", "peer2")))
    planned = responsiveness(english.demo.world.posts, [english.account("org")], period=common,
                             ends=english.ends([english.account("org")]))
    assert english.audits[0].responsiveness.by_intent.all.requests == planned.requests


def test_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="fr or en"):
        build_demo(tmp_path, lang="de")


def test_parlons_demo_end_to_end(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", "-o", str(tmp_path / "out"), "--scale", "0.05", "--lang", "fr"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    audits = json.loads((out / "audit.json").read_text())
    assert [a["account"] for a in audits] == ["Médiathèques de Kerbrat", PEER1_X, PEER2_X]
    assert audits[0]["platform"] == "blog, mastodon, x"
    assert len(list((out / "exports").rglob("*.*"))) == 9
    assert f"audit\u00a0: {out / 'audit.json'}" in result.output
    assert "Demandes (question ou problème)" in result.output
    assert f"rapport\u00a0: {out / 'report.pdf'}" in result.output
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!")
