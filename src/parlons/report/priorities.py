"""The three priorities of the report's first page: a small, stated rule set over the audit's figures.

Rules are read in the order below, grouped by family: responsiveness, broadcast, conversation,
function, content, voice. A rule fires only on figures the data supports (status ``ok``), except
the rule about unknown requests. At most one rule fires per family, so that the three priorities
cover three sides of the account; the first three families with a firing rule give them. When
fewer than three families have a firing rule, further firing rules fill the list, in order; when
fewer than three rules fire, the maturity's next step comes next (unless it repeats the advice
to import incoming posts, or to answer the unanswered requests), then the advice to run the
audit again to measure progress. Each rule's text is a concrete next step that quotes the figure
and its denominator. ``docs/report.md`` lists the rules with their thresholds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..audit.result import AuditResult, Figure
from ..i18n import N_
from .audit_text import translate_text
from .figures import Figures

__all__ = ["RULES", "Priority", "PriorityRule", "priorities"]

Audit = AuditResult


@dataclass(frozen=True)
class Priority:
    rule: str
    text: str


@dataclass(frozen=True)
class PriorityRule:
    """``fires`` reads the audit; ``message`` is a gettext msgid whose placeholders ``params`` fills."""

    rule: str
    family: str
    threshold: str
    fires: Callable[[Audit], bool]
    message: str
    params: Callable[[Audit, Figures], dict[str, str]]
    on_one_platform: str | None = None
    """The message when the subject is on one platform only (where "post it elsewhere" makes no sense)."""

    def text(self, audit: Audit) -> str:
        one = "," not in audit.platform
        return self.on_one_platform if one and self.on_one_platform else self.message


def _figure(audit: Audit, path: str) -> Figure:
    item = audit.at(path)
    if not isinstance(item, Figure):
        raise KeyError(f"{path} is not a figure of the audit")
    return item


def _value(audit: Audit, path: str) -> float | None:
    item = audit.at(path)
    return item.value if isinstance(item, Figure) and item.status == "ok" else None


def _below(path: str, limit: float) -> Callable[[Audit], bool]:
    return lambda a: (v := _value(a, path)) is not None and v < limit


def _above(path: str, limit: float) -> Callable[[Audit], bool]:
    return lambda a: (v := _value(a, path)) is not None and v >= limit


def _share(*paths: str) -> Callable[[Audit, Figures], dict[str, str]]:
    """Placeholders ``share``, ``n`` (of the first path), and ``count``, ``median``, ``silence`` where known."""
    def params(audit: Audit, figs: Figures) -> dict[str, str]:
        first = _figure(audit, paths[0])
        out = {"share": figs.fmt.share(first.value or 0.0), "n": figs.fmt.count(first.n)}
        out["count"] = figs.fmt.count(audit.value("responsiveness.unanswered") or 0)
        median = _value(audit, "responsiveness.median_first_response_s")
        out["median"] = figs.fmt.duration(median) if median is not None else ""
        silence = audit.value("content.cadence.longest_silence_s")
        out["silence"] = figs.fmt.duration(silence) if silence else ""
        return out
    return params


def _words_read(audit: Audit) -> bool:
    """Whether most posts are in French or English, the languages whose words the function rules read:
    in another language, a post without reply or question mark is "information" for want of words read."""
    languages = audit.voice.languages
    return 2 * sum(n for k, n in languages.items() if k in ("fr", "en")) > sum(languages.values())


def _unknown(audit: Audit) -> bool:
    return audit.responsiveness.status == "unknown"


def _unanswered(audit: Audit) -> bool:
    return bool(audit.value("responsiveness.unanswered")) and _below("responsiveness.answered_share", 0.9)(audit)


RULES: tuple[PriorityRule, ...] = (
    PriorityRule("responsiveness.unknown", "responsiveness", "requests unknown", _unknown,
                 N_("Import the posts addressed to you (mentions, comments, support messages): without them "
                    "nobody can tell how many requests go unanswered."), lambda a, f: {}),
    PriorityRule("responsiveness.unanswered", "responsiveness", "unanswered > 0 and answered share < 90 %",
                 _unanswered,
                 N_("Answer the %(count)s unanswered requests that ask something (a question, a problem), listed in "
                    "this report, newest first, then read your mentions every working day: %(share)s of %(n)s "
                    "requests that ask, whose answer window has passed, were answered. Thanks and remarks are "
                    "counted apart."),
                 _share("responsiveness.answered_share")),
    PriorityRule("responsiveness.slow", "responsiveness", "median first response > 4 h",
                 lambda a: (v := _value(a, "responsiveness.median_first_response_s")) is not None and v > 4 * 3600,
                 N_("Answer sooner: the median first response takes %(median)s (n = %(n)s answered requests). "
                    "Set two fixed times a day to read mentions and aim for under 4 hours."),
                 _share("responsiveness.median_first_response_s")),
    PriorityRule("broadcast.automated", "broadcast", "automated share >= 20 %",
                 _above("broadcast.automated_share", 0.2),
                 N_("Stop piping feeds unattended: %(share)s of %(n)s posts were made by automation. Write them "
                    "in your own words, or at least watch and answer the replies they get."),
                 _share("broadcast.automated_share")),
    PriorityRule("broadcast.duplicated", "broadcast", "duplicated share >= 20 %",
                 _above("broadcast.duplicated_share", 0.2),
                 N_("Adapt each post to its platform and audience: %(share)s of %(n)s posts repeat a text "
                    "posted elsewhere."), _share("broadcast.duplicated_share"),
                 N_("Write each post for the people who read it: %(share)s of %(n)s posts repeat a text already "
                    "posted; a ready-made answer reads as a robot's.")),
    PriorityRule("broadcast.link_only", "broadcast", "link-only share >= 20 %",
                 _above("broadcast.link_only_share", 0.2),
                 N_("Say something with each link (why it matters, a question): %(share)s of %(n)s posts are "
                    "only a link."), _share("broadcast.link_only_share")),
    PriorityRule("conversation.replies", "conversation", "replies to others < 10 %",
                 _below("conversation.replies_to_others_share", 0.1),
                 N_("Reply to the people who address you, in public: %(share)s of %(n)s posts are replies to "
                    "others."), _share("conversation.replies_to_others_share")),
    PriorityRule("conversation.questions", "conversation", "questions to the audience < 5 % and community < 25 %",
                 lambda a: _below("conversation.questions_share", 0.05)(a)
                 and not _above("function.community_share", 0.25)(a),
                 N_("Ask your audience a real question each week: %(share)s of %(n)s posts ask one."),
                 _share("conversation.questions_share")),
    PriorityRule("function.community", "function", "community share < 16 % (posts mostly in French or English)",
                 lambda a: _words_read(a) and _below("function.community_share", 0.16)(a),
                 N_("Give more room to dialogue (thanks, questions, replies): %(share)s of %(n)s posts, against "
                    "26 %% among the nonprofits studied by Lovejoy & Saxton."), _share("function.community_share")),
    PriorityRule("function.action", "function", "action share < 5 % (posts mostly in French or English)",
                 lambda a: _words_read(a) and _below("function.action_share", 0.05)(a),
                 N_("Make the action you want easy: say what to do (register, come, donate, share) and link to it; "
                    "%(share)s of %(n)s posts ask the reader to act."), _share("function.action_share")),
    PriorityRule("content.cadence", "content", "active weeks < 60 %",
                 _below("content.cadence.active_weeks_share", 0.6),
                 N_("Post at a pace you can keep, every week: %(share)s of %(n)s weeks had a post, and the longest "
                    "silence lasted %(silence)s."), _share("content.cadence.active_weeks_share")),
    PriorityRule("content.images", "content", "posts with images < 25 %",
                 _below("content.images_share", 0.25),
                 N_("Show rather than tell: add a photo or a video to more posts (%(share)s of %(n)s posts carry "
                    "an image); use what you already have."), _share("content.images_share")),
    PriorityRule("voice.you", "voice", "posts saying \"you\" < 10 % (main language)",
                 lambda a: _below(f"voice.{_main_language(a)}.second_person_share", 0.1)(a),
                 N_("Speak to your readers: %(share)s of %(n)s posts address them as \"you\"."),
                 lambda a, f: _share(f"voice.{_main_language(a)}.second_person_share")(a, f)),
    PriorityRule("voice.jargon", "voice", "jargon >= 1.5 per 100 words (main language)",
                 lambda a: _above(f"voice.{_main_language(a)}.jargon_per_100_words", 1.5)(a),
                 N_("Cut the jargon: %(value)s words of jargon per 100 words (n = %(n)s posts). Say it as you "
                    "would to a neighbour."),
                 lambda a, f: _jargon(a, f)),
)

FALLBACK = N_("Run the audit again in three months, on the same period length, to measure progress.")


def _jargon(audit: Audit, figs: Figures) -> dict[str, str]:
    item = _figure(audit, f"voice.{_main_language(audit)}.jargon_per_100_words")
    return {"value": figs.fmt.decimal(item.value or 0.0, 2), "n": figs.fmt.count(item.n)}


def _main_language(audit: Audit) -> str:
    languages = audit.voice.languages
    known = {k: v for k, v in languages.items() if k in ("fr", "en")}
    return max(known, key=lambda k: known[k]) if known else "fr"


def priorities(audit: Audit, figs: Figures, count: int = 3) -> list[Priority]:
    """The first firing rule of each family in order; then further firing rules; then "audit again".

    No priorities without evidence: when the maturity has no level (the evidence is too thin), none.
    """
    if audit.maturity.level is None:
        return []
    firing = [rule for rule in RULES if rule.fires(audit)]
    first: list[PriorityRule] = []
    for rule in firing:
        if rule.family not in {r.family for r in first}:
            first.append(rule)
    ordered = (first + [r for r in firing if r not in first])[:count]
    chosen = [Priority(r.rule, figs.t.gettext(r.text(audit)) % r.params(audit, figs)) for r in ordered]
    step = audit.maturity.next_step
    repeats = step and any((step.startswith("Import") and p.rule == "responsiveness.unknown")
                           or (step.startswith("Start answering") and p.rule == "responsiveness.unanswered")
                           for p in chosen)
    if len(chosen) < count and step and not repeats:
        chosen.append(Priority("maturity.next_step", translate_text(figs.t, step)))
    if len(chosen) < count:
        chosen.append(Priority("fallback", figs.t.gettext(FALLBACK)))
    return chosen
