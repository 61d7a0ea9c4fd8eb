"""Maturity: the five-level ladder of the brief, placed by stated thresholds on the audit's figures.

1. the upward channel is ignored; 2. social media are listened to (watch); 3. the organization
reacts to some key messages; 4. it proactively encourages discussion; 5. social media are
integrated into customer service and innovation.

Listening without public answers is invisible from outside, so levels 1 and 2 cannot be told
apart: such accounts are "uncertain" (1-2). Each rule below is evaluated top-down; the first
that holds places the account, and its evidence is reported with the next concrete step.

No verdict without evidence: a rule holds only on figures with enough data (status ``ok``). When
none holds (every figure the ladder reads is "too few" or unknown), there is no level: the result
says so, and lists what data would be needed (``needed``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .result import AuditResult, DataNeed, Figure, Maturity

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
    Rule(4, "answered share unknown or too few; replies to others >= 0.2 of posts and (questions >= 0.05 or "
            "community >= 0.25)",
         lambda a: _ge(a, *REPLIES, 0.2) and (_ge(a, *QUESTIONS, 0.05) or _ge(a, *COMMUNITY, 0.25)),
         (REPLIES, QUESTIONS, COMMUNITY),
         "Import incoming posts (mentions, comments) to measure how many requests go unanswered."),
    Rule(3, "answered share unknown or too few; replies to others >= 0.05 of posts",
         lambda a: _ge(a, *REPLIES, 0.05), (REPLIES,),
         "Import incoming posts to check that all requests, not only some, are answered."),
    Rule("uncertain", "answered share unknown or too few; replies to others < 0.05 of posts",
         lambda a: _value(a, *REPLIES) is not None, (REPLIES, QUESTIONS),
         "Reply to the people who write to you, and ask your audience a question each week."),
)


def _evidence(audit: Audit, path: str) -> Figure | None:
    item = audit.at(path)
    return item if isinstance(item, Figure) else None


THIN = ("evidence too thin: no level without the answered share of enough requests that ask, or the replies "
        "to others over enough own posts")
"""The rule reported when no rule holds."""
GATHER = "Gather more data before any verdict: see what data would be needed, at the top of this report."
"""The next step when there is no level."""


def maturity(audit: Audit) -> Maturity:
    """The level, the rule that placed it, its evidence and the next concrete step; or no level, and why."""
    needed = needed_data(audit)
    for rule in RULES:
        if rule.holds(audit):
            level = rule.level
            return Maturity(level=level, range=[1, 2] if level == "uncertain" else [level, level],
                            rule=rule.condition,
                            evidence={f"{f}.{k}": _evidence(audit, f"{f}.{k}") for f, k in rule.evidence},
                            next_step=rule.next_step, needed=needed)
    return Maturity(level=None, range=[], rule=THIN, next_step=GATHER, needed=needed,
                    evidence={f"{f}.{k}": _evidence(audit, f"{f}.{k}") for f, k in (ANSWERED, REPLIES)})


def needed_data(audit: Audit) -> list[DataNeed]:
    """What data the ladder lacks: enough own posts, posts addressed to the account, enough requests that ask."""
    out = []
    replies = _evidence(audit, "conversation.replies_to_others_share")
    if replies is not None and replies.status != "ok":
        out.append(DataNeed(item="own_posts", have=replies.n, need=replies.min_n))
    answered = _evidence(audit, "responsiveness.answered_share")
    if answered is None:
        out.append(DataNeed(item="requests", have=None, need=None))
    elif answered.status != "ok":
        out.append(DataNeed(item="settled_requests", have=answered.n, need=answered.min_n))
    return out
