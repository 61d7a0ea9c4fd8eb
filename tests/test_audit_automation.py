"""Automation by behaviour (issue 9, item 4), and the readable ``explain``, on hand-built stores."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from parlons.audit import AuditSettings, explain_post, run_audit
from parlons.audit.explain import describe
from parlons.cli import cli
from parlons.store import Store
from tests.test_audit_responsiveness import build, post

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
SETTINGS = AuditSettings(min_n=1)
TITLES = ["Budget participatif : les résultats", "Nouveaux horaires de la médiathèque", "Le marché de Noël revient",
          "Travaux rue de Siam : ce qui change", "Conseil municipal du 14 mars", "Une nouvelle ligne de bus"]


def at(hours: float, minute: int, second: int = 0) -> float:
    """Minutes after T0 for a post ``hours`` later at ``minute``:``second`` of the hour."""
    return hours * 60 + minute + second / 60


def scenario() -> list[dict[str, Any]]:
    rows = []
    # a person on Tweetbot: replies, mentions, links now and then, any minute
    for i, (hour, minute, second) in enumerate([(1, 7, 12), (3, 41, 55), (8, 19, 3), (26, 52, 40), (30, 2, 18),
                                                (49, 33, 9)]):
        text = [f"@bob tout à fait d'accord {i}", f"Lu ce matin https://example.org/{i}", f"Belle journée {i} !"][i % 3]
        fields: dict[str, Any] = {"mentions": ["bob"]} if i % 3 == 0 else {}
        if i % 3 == 0:
            fields |= {"kind": "reply", "in_reply_to_id": f"b{i}", "in_reply_to_account": "bob"}
        rows.append(post(f"h{i}", "human", at(hour, minute, second), text, source="Tweetbot for iOS", **fields))
    # a person who only shares links and never replies: content and silence, but no regular time
    for i, title in enumerate(TITLES):
        rows.append(post(f"l{i}", "reader", at(24 * i + 9, 3 + 11 * i, 5 * i + 2), f"{title} https://news.example/{i}",
                         source="Twitter for iPhone"))
    # a feed bridge with a name nobody listed: blog titles plus links, on the hour, never a reply
    for i, title in enumerate(TITLES):
        rows.append(post(f"f{i}", "org", at(24 * i + 10, 0, 0), f"{title} https://blog.example.fr/{i}",
                         source="Gazette Poster 2.1"))
    # the organization by hand: irregular, conversing
    for i in range(4):
        rows.append(post(f"o{i}", "org", at(24 * i + 14, 11 + 13 * i, 7 * i), f"@alice merci pour votre retour {i}",
                         kind="reply", in_reply_to_id=f"a{i}", in_reply_to_account="alice", mentions=["alice"],
                         source="Twitter Web App"))
    # a listed client, matched exactly
    rows.append(post("d1", "org", at(100, 17, 31), "Inscriptions ouvertes https://example.fr/x", source="dlvr.it"))
    # the same words on Mastodon three minutes after an X post: one signal, not enough alone
    rows.append(post("x1", "org", at(120, 5, 41), "Le programme complet du festival est en ligne",
                     source="Twitter Web App"))
    rows.append(post("m1", "org", at(120, 8, 2), "Le programme complet du festival est en ligne", platform="mastodon"))
    return rows


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Store:
    return build(store, scenario(), tmp_path)


def test_tweetbot_is_a_person_and_an_unknown_bridge_is_automated(filled: Store) -> None:
    human = run_audit(filled.con, ["human"], platform="x", settings=SETTINGS)[0].model_dump()
    assert human["broadcast"]["automated_share"] == {"value": 0.0, "n": 6, "status": "ok", "min_n": 1}
    reader = run_audit(filled.con, ["reader"], platform="x", settings=SETTINGS)[0].model_dump()["broadcast"]
    assert reader["automated_share"] == {"value": 0.0, "n": 6, "status": "ok", "min_n": 1}
    assert reader["automation_signals"] == [
        {"signal": "link posts only", "posts": 6, "automated_posts": 0},
        {"signal": "no replies or mentions", "posts": 6, "automated_posts": 0},
        {"signal": "one template repeated", "posts": 6, "automated_posts": 0}]
    org = run_audit(filled.con, ["org"], platform="x", settings=SETTINGS)[0].model_dump()
    b = org["broadcast"]
    assert b["automated_share"] == {"value": round(7 / 12, 4), "n": 12, "status": "ok", "min_n": 1}
    assert b["automation_clients"] == [{"source": "Gazette Poster 2.1", "posts": 6}, {"source": "dlvr.it", "posts": 1}]
    assert b["automation_signals"] == [
        {"signal": "link posts only", "posts": 6, "automated_posts": 6},
        {"signal": "no replies or mentions", "posts": 6, "automated_posts": 6},
        {"signal": "one template repeated", "posts": 6, "automated_posts": 6},
        {"signal": "regular posting minute", "posts": 6, "automated_posts": 6},
        {"signal": "regular posting second", "posts": 6, "automated_posts": 6},
        {"signal": "client name", "posts": 1, "automated_posts": 1}]
    bridge = next(e for e in b["automated_examples"] if e["id"] == "f5")
    assert bridge["rule"] == ("automation signals: regular posting minute, regular posting second, one template "
                              "repeated, no replies or mentions, link posts only")
    assert explain_post(filled.con, "d1", "x")["automation_rule"] == "automation client: dlvr.it"


def test_a_cross_post_alone_is_a_signal_not_automation(filled: Store) -> None:
    why = explain_post(filled.con, "m1", "mastodon")
    assert (why["automation_rule"], why["automation_signals"]) == (
        None, ["same text on another platform within minutes"])
    assert explain_post(filled.con, "x1", "x")["automation_signals"] == []


def test_explain_reads_in_the_users_language(filled: Store) -> None:
    why = explain_post(filled.con, "f0", "x")
    assert why["automation_rule"].startswith("automation signals: regular posting minute")
    assert describe(why, "en").splitlines() == [
        "Post f0 on x by org (original post)",
        "  Budget participatif : les résultats https://blog.example.fr/0",
        "Language: French (guessed from its words)",
        "Function: information, because: no community or action cue",
        "Automation: automated; signals: regular posting minute, regular posting second, one template repeated, "
        "no replies or mentions, link posts only",
        "Words found: none",
        "Counts: words 4, sentences 1, syllables 11"]
    french = describe(why, "fr").splitlines()
    assert french[0] == "Message f0 sur x par org (message original)"
    assert french[3] == "Fonction\u00a0: information, car\u00a0: aucun indice de communauté ni d’action"


def test_explain_command_prints_text_or_json(filled: Store) -> None:
    path = str(filled.path)
    filled.close()
    runner = CliRunner()
    text = runner.invoke(cli, ["explain", "d1", "--platform", "x", "--store", path, "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert "Function: action, because: call to action: inscriptions ouvertes" in text.output
    assert "Automation: automated; signals: client name" in text.output
    raw = runner.invoke(cli, ["explain", "d1", "--platform", "x", "--store", path, "--json"])
    assert raw.exit_code == 0, raw.output
    assert '"automation_rule": "automation client: dlvr.it"' in raw.output


def test_explain_says_whether_a_message_to_an_account_asks(filled: Store) -> None:
    why = explain_post(filled.con, "h0", "x")
    assert (why["request_asks"], why["request_not_asking_rule"]) == (False, "thanks or praise: d accord")
    assert describe(why, "fr").splitlines()[4] == (
        "Adressé à un compte, il ne demande rien, car\u00a0: remerciement ou compliment\u00a0: d'accord")
