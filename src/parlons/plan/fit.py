"""Platform fit: a transparent score for each platform of the knowledge base, with its reasons.

Points (every one is listed as a reason, so the score can be argued with):

* +2 for each of the plan's audiences that is on the platform;
* +2 for each of the plan's objective kinds the platform serves;
* +1 for each format the plan publishes or holds that the platform takes (at most +2);
* when the plan needs dialogue (archetype community or crisis, an objective of customer service,
  community or crisis): the platform's dialogue level (0-3) minus 1;
* for a B2B organization: +1 when the platform is strong in B2B, -2 when it is weak (seed 000);
* when the plan states its hours: -3 when keeping a living presence there takes more hours a week
  than the plan has, -1 when it takes more than half of them.

A platform is *recommended* at :data:`THRESHOLD` points or more, provided one of the plan's
audiences is there (when the plan names any). The plan may choose otherwise: a chosen platform's
``overrule`` records why, a recommended one left out is listed under ``declined`` with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .knowledge import Platform, Tag, plan_audiences, plan_formats, plan_objectives, platform_id, platforms
from .words import label, place

__all__ = ["THRESHOLD", "Fit", "Reason", "recommend"]

THRESHOLD = 4
DIALOGUE_ARCHETYPES = {"community", "crisis"}
DIALOGUE_OBJECTIVES = {"customer_service", "community", "crisis"}


@dataclass(frozen=True)
class Reason:
    points: int
    text: str


@dataclass
class Fit:
    """One platform's score for a plan."""

    platform: Platform
    reasons: list[Reason] = field(default_factory=list)
    audience_match: bool = False
    chosen: bool = False
    overrule: str | None = None
    declined: str | None = None

    @property
    def score(self) -> int:
        return sum(r.points for r in self.reasons)

    @property
    def recommended(self) -> bool:
        return self.score >= THRESHOLD and self.audience_match

    def as_dict(self) -> dict[str, Any]:
        return {"platform": self.platform.id, "name": self.platform.name, "score": self.score,
                "recommended": self.recommended, "chosen": self.chosen, "overrule": self.overrule,
                "declined": self.declined, "reasons": [{"points": r.points, "text": r.text} for r in self.reasons]}


def _say(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


def _why(tag: Tag, lang: str) -> str:
    """Where a tag was read, in words: « public 1 : « jeunes » », « le marché de l'organisation »."""
    where = place(tag.source, lang)
    if not tag.cue:
        return where
    return f"{where} : « {tag.cue} »" if lang == "fr" else f"{where}: «{tag.cue}»"


def _name(vocabulary: str, tag: Tag, lang: str) -> str:
    return f"« {label(vocabulary, tag.tag, lang)} »" if lang == "fr" else label(vocabulary, tag.tag, lang)


class _Scorer:
    def __init__(self, plan: dict[str, Any], lang: str) -> None:
        self.lang = lang
        self.audiences = plan_audiences(plan)
        self.objectives = plan_objectives(plan)
        self.formats = plan_formats(plan)
        org = plan.get("organization") or {}
        self.b2b = org.get("market") in ("b2b", "both")
        self.hours = (plan.get("resources") or {}).get("hours_per_week")
        kinds = {t.tag for t in self.objectives}
        self.dialogue = bool(set(plan.get("archetypes") or []) & DIALOGUE_ARCHETYPES or kinds & DIALOGUE_OBJECTIVES)

    def score(self, p: Platform) -> Fit:
        fit = Fit(p)
        s = self.lang
        for tag in self.audiences:
            if tag.tag in p.audiences:
                fit.audience_match = True
                audience, why = _name("audience", tag, s), _why(tag, s)
                fit.reasons.append(Reason(2, _say(s, f"audience {audience} is there ({why})",
                                                  f"le public {audience} y est ({why})")))
        for tag in self.objectives:
            if tag.tag in p.objectives:
                objective, why = _name("objective", tag, s), _why(tag, s)
                fit.reasons.append(Reason(2, _say(s, f"serves the objective {objective} ({why})",
                                                  f"sert l'objectif {objective} ({why})")))
        taken = [t for t in self.formats if p.takes(t.tag)][:2]
        for tag in taken:
            form, why = _name("format", tag, s), _why(tag, s)
            fit.reasons.append(Reason(1, _say(s, f"takes {form} ({why})", f"on peut y publier : {form} ({why})")))
        fit.audience_match = fit.audience_match or not self.audiences
        fit.reasons += self._dialogue(p) + self._b2b(p) + self._effort(p)
        return fit

    def _dialogue(self, p: Platform) -> list[Reason]:
        if not self.dialogue:
            return []
        return [Reason(p.dialogue - 1, _say(self.lang, f"the plan needs dialogue; dialogue here {p.dialogue}/3: "
                                            f"{p.dialogue_note}", f"le plan demande du dialogue ; ici "
                                            f"{p.dialogue}/3 : {p.dialogue_in('fr')}"))]

    def _b2b(self, p: Platform) -> list[Reason]:
        if not self.b2b or p.b2b == "medium":
            return []
        if p.b2b == "strong":
            return [Reason(1, _say(self.lang, "strong for B2B", "adapté au B2B"))]
        return [Reason(-2, _say(self.lang, "rarely a B2B company's best platform",
                                "rarement la meilleure plateforme d'une entreprise B2B"))]

    def _effort(self, p: Platform) -> list[Reason]:
        if not isinstance(self.hours, int | float) or p.weekly_effort_h <= self.hours / 2:
            return []
        need = f"{p.weekly_effort_h:g}"
        points = -3 if p.weekly_effort_h > self.hours else -1
        hours = f"{self.hours:g}"
        return [Reason(points, _say(self.lang, f"a living presence takes about {need} h a week of your {hours}",
                                    f"une présence vivante demande environ {_comma(need)} h par semaine sur vos "
                                    f"{_comma(hours)}"))]


def _comma(number: str) -> str:
    """A number written for French readers: a decimal comma (4,5 h, not 4.5 h)."""
    return number.replace(".", ",")


def recommend(plan: dict[str, Any], lang: str = "en") -> list[Fit]:
    """Every platform of the knowledge base scored for ``plan`` (plain dict), best first."""
    scorer = _Scorer(plan, lang)
    fits = {key: scorer.score(p) for key, p in platforms().items()}
    for entry in plan.get("platforms") or []:
        key = platform_id(str(entry.get("id") or ""))
        if key:
            fits[key].chosen = True
            fits[key].overrule = entry.get("overrule")
    for entry in plan.get("declined") or []:
        key = platform_id(str(entry.get("id") or ""))
        if key:
            fits[key].declined = entry.get("reason") or ""
    return sorted(fits.values(), key=lambda f: (-f.score, f.platform.id))
