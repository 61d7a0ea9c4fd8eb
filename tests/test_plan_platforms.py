"""The plan's platform fit knows every platform the audit imports (Threads came with Instagram exports)."""

from __future__ import annotations

from parlons.plan import recommend
from parlons.plan.knowledge import platform_id, platforms
from parlons.report.names import PLATFORMS


def test_every_audited_platform_is_in_the_knowledge_base() -> None:
    audited = [code for code in PLATFORMS if code != "generic"]
    assert [code for code in audited if platform_id(code) != code] == []


def test_threads_is_scored_with_its_reasons_in_both_languages() -> None:
    threads = platforms()["threads"]
    assert (threads.name, threads.dialogue, threads.b2b) == ("Threads", 3, "weak")
    assert platform_id("threads.net") == "threads"
    plan = {"version": 1, "organization": {"audiences": [{"id": "a", "who": "young adults"}]},
            "objectives": [{"id": "o", "kind": "community", "problem": "nobody answers us"}],
            "platforms": [{"id": "Threads"}]}
    fit = {f.platform.id: f for f in recommend(plan, "fr")}["threads"]
    assert fit.chosen and fit.audience_match and fit.recommended
    assert fit.score == sum(r.points for r in fit.reasons) == 6  # audience, objective, dialogue 3 - 1
    assert any("réponses publiques" in r.text for r in fit.reasons)
