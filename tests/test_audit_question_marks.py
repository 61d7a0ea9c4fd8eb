"""A question mark asks only in the words: not in a link's query string, and full-width ones count.

Real data showed both: a Mastodon archive where 12 of the 14 posts with "?" had it only in a link
(``https://y.music.163.com/m/program?app_version=...``), its Chinese questions ending in "？";
a WordPress comment sharing ``https://bitcointalk.org/index.php?topic=413196.0`` listed as an
unanswered request "because: question mark".
"""

from __future__ import annotations

from pathlib import Path

from parlons.audit import run_audit
from parlons.audit.result import Figure
from parlons.store import Store

from .test_audit_responsiveness import SETTINGS, build, post

ROWS = [
    post("p1", "org", 0, "Écoutez l'émission de samedi https://www.youtube.com/watch?v=abc123"),
    post("p2", "org", 10, "Le compte rendu est en ligne https://blog.example/?p=1153"),
    post("p3", "org", 20, "Vous venez à la fête du quartier samedi ?"),
    post("p4", "org", 30, "明天我们一起去海边吗？"),
    post("r1", "alice", 40, "@org Merci, le fil est ici : https://forum.example/index.php?topic=413196.0",
         mentions=["org"]),
    post("r2", "bob", 50, "@org Merci, où est le formulaire ?", mentions=["org"]),
    post("p5", "org", 3 * 24 * 60, "Bonne semaine à toutes et à tous"),
]


def test_a_question_mark_in_a_link_asks_nothing_and_a_full_width_one_asks(store: Store, tmp_path: Path) -> None:
    audit = run_audit(build(store, ROWS, tmp_path).con, ["org"], settings=SETTINGS)[0]
    questions = audit.conversation.questions_share
    assert isinstance(questions, Figure) and (questions.value, questions.n) == (0.4, 5)  # p3 and p4
    r = audit.responsiveness
    assert r.status == "ok"
    assert (r.requests, r.by_intent.not_asking.requests) == (1, 1)  # r2 asks; r1 only thanks, with a link
    assert [u.id for u in r.unanswered_requests] == ["r2"]
