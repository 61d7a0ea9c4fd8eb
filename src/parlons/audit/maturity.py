"""Maturity: the five-level ladder of the brief, placed by stated thresholds on the audit's figures.

1. the upward channel is ignored; 2. social media are listened to (watch); 3. the organization
reacts to some key messages; 4. it proactively encourages discussion; 5. social media are
integrated into customer service and innovation.

Listening without public answers is invisible from outside, so levels 1 and 2 cannot be told
apart: such accounts are "uncertain" (1-2). Each rule below is evaluated top-down; the first
that holds places the account, and its evidence is reported with the next concrete step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .result import AuditResult, Figure, Maturity

__all__ = ["RULES", "maturity"]

Audit = AuditResult


@dataclass(frozen=True)
class Rule:
    level: int | Literal["uncertain"]
    condition: str
    holds: Callable[[Audit], bool]
    evidence: tuple[tuple[str, str], ...]
    next_step: str


def _value(audit: Audit, family: str, key: str) -> float | None:
    return audit.value(f"{family}.{key}")


def _known(a: Audit) -> bool:
    known = a.coverage.responsiveness.status == "ok"
    return known and _value(a, "responsiveness", "answered_share") is not None


def _ge(a: Audit, family: str, key: str, threshold: float) -> bool:
    value = _value(a, family, key)
    return value is not None and value >= threshold


def _le(a: Audit, family: str, key: str, threshold: float) -> bool:
    value = _value(a, family, key)
    return value is not None and value <= threshold


ANSWERED = ("responsiveness", "answered_share")
MEDIAN = ("responsiveness", "median_first_response_s")
REPLIES = ("conversation", "replies_to_others_share")
QUESTIONS = ("conversation", "questions_share")
COMMUNITY = ("function", "community_share")

RULES: tuple[Rule, ...] = (
    Rule(5, "requests known; answered share >= 0.8 and median first response <= 4 h",
         lambda a: _known(a) and _ge(a, *ANSWERED, 0.8) and _le(a, *MEDIAN, 4 * 3600),
         (ANSWERED, MEDIAN),
         "Keep the pace, and feed what people ask into products and services: a monthly digest of "
         "requests for the teams concerned."),
    Rule(4, "requests known; answered share >= 0.5, and questions share >= 0.05 or community share >= 0.25",
         lambda a: _known(a) and _ge(a, *ANSWERED, 0.5) and (_ge(a, *QUESTIONS, 0.05) or _ge(a, *COMMUNITY, 0.25)),
         (ANSWERED, QUESTIONS, COMMUNITY),
         "Commit to a response time (for example 80 % within 4 h on working days) and tell your audience."),
    Rule(3, "requests known; answered share >= 0.2",
         lambda a: _known(a) and _ge(a, *ANSWERED, 0.2),
         (ANSWERED, MEDIAN),
         "Answer every request, not only some: go through the unanswered list every working day."),
    Rule("uncertain", "requests known; answered share < 0.2 (listening without answering is invisible)",
         _known, (ANSWERED,),
         "Start answering: reply today to the newest unanswered requests listed in this audit."),
    Rule(4, "requests unknown; replies to others >= 0.2 of posts and (questions >= 0.05 or community >= 0.25)",
         lambda a: _ge(a, *REPLIES, 0.2) and (_ge(a, *QUESTIONS, 0.05) or _ge(a, *COMMUNITY, 0.25)),
         (REPLIES, QUESTIONS, COMMUNITY),
         "Import incoming posts (mentions, comments) to measure how many requests go unanswered."),
    Rule(3, "requests unknown; replies to others >= 0.05 of posts",
         lambda a: _ge(a, *REPLIES, 0.05), (REPLIES,),
         "Import incoming posts to check that all requests, not only some, are answered."),
    Rule("uncertain", "requests unknown; replies to others < 0.05 of posts",
         lambda a: True, (REPLIES, QUESTIONS),
         "Reply to the people who write to you, and ask your audience a question each week."),
)


def _evidence(audit: Audit, path: str) -> Figure | None:
    item = audit.at(path)
    return item if isinstance(item, Figure) else None


def maturity(audit: Audit) -> Maturity:
    """The level, the rule that placed it, its evidence and the next concrete step."""
    for rule in RULES:
        if rule.holds(audit):
            level = rule.level
            return Maturity(level=level, range=[1, 2] if level == "uncertain" else [level, level],
                            rule=rule.condition,
                            evidence={f"{f}.{k}": _evidence(audit, f"{f}.{k}") for f, k in rule.evidence},
                            next_step=rule.next_step)
    raise AssertionError("the last maturity rule always holds")  # pragma: no cover
