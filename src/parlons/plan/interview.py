"""The interview of ``parlons plan new``: the plan built step by step in the terminal, in French or English.

The three questions of the seed 004 come first (objective, resources, skills), then the organization
and its audiences, the archetypes, the platforms (with parlons' recommendations and their reasons),
the lines of work, the inventory, the actions and the KPIs. The file is saved after every step. A
step whose section is already in the file is skipped: the interview resumes where it stopped, and
any step can be written in the file by hand instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .checks import run_checks
from .document import plain, save_document
from .fit import recommend
from .knowledge import skills
from .measure import metric_problem, parse_target
from .schema import ACTION_KINDS, ARCHETYPES, INVENTORY_KINDS, MARKETS, per_week

__all__ = ["STEPS", "Interview"]

SUGGESTED_METRICS = ("responsiveness.answered_share", "responsiveness.median_first_response_s",
                     "responsiveness.answered_within_24h_share", "conversation.replies_to_others_share",
                     "conversation.questions_share", "broadcast.automated_share", "function.community_share",
                     "content.images_share", "content.cadence.posts_per_week", "maturity.level")


@dataclass(frozen=True)
class Step:
    key: str
    title: tuple[str, str]
    run: Callable[[Interview], Any]


def _seq(items: Sequence[Any] = ()) -> CommentedSeq:
    seq = CommentedSeq(items)
    return seq


def _flow(items: Sequence[str]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _map(**fields: Any) -> CommentedMap:
    """A mapping of the fields given, leaving out empty answers."""
    return CommentedMap((k, v) for k, v in fields.items() if v not in (None, "", []))


class Interview:
    """One interview over one plan document, saved to ``path`` after every step."""

    def __init__(self, doc: CommentedMap, path: Path, lang: str) -> None:
        self.doc, self.path, self.lang = doc, path, lang

    def t(self, en: str, fr: str) -> str:
        return fr if self.lang == "fr" else en

    def ask(self, en: str, fr: str, default: str = "", proc: Callable[[str], Any] | None = None) -> Any:
        """One question; an empty answer gives ``default`` (shown when not empty)."""
        return click.prompt(self.t(en, fr), default=default, show_default=bool(default),
                            value_proc=proc or (lambda v: str(v).strip()))

    def number(self, en: str, fr: str, default: str = "") -> float | None:
        return self.ask(en, fr, default, self._number)  # type: ignore[no-any-return]

    def _number(self, value: str) -> float | None:
        if not str(value).strip():
            return None
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise click.BadParameter(self.t("a number, please", "un nombre, s'il vous plaît")) from None
        if number < 0:
            raise click.BadParameter(self.t("zero or more", "zéro ou plus"))
        return int(number) if number.is_integer() else number

    def day(self, value: str) -> date | None:
        if not str(value).strip():
            return None
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise click.BadParameter(self.t("a date such as 2025-06-30", "une date comme 2025-06-30")) from None

    def among(self, options: Sequence[str], single: bool = False) -> Callable[[str], Any]:
        """A value processor accepting comma-separated words from ``options`` (one when ``single``)."""
        def proc(value: str) -> Any:
            words = [w.strip() for w in str(value).split(",") if w.strip()]
            wrong = [w for w in words if w not in options]
            if wrong or (single and len(words) > 1):
                raise click.BadParameter(self.t("choose among: ", "choisir parmi : ") + ", ".join(options))
            return (words[0] if words else "") if single else words
        return proc

    def items(self, section: str, field: str = "id") -> list[str]:
        node: Any = self.doc
        for part in section.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return [str(x.get(field)) for x in node or [] if isinstance(x, dict)]

    def loop(self, first_en: str, first_fr: str, more: Callable[[str, int], CommentedMap]) -> CommentedSeq:
        """Items asked one by one until an empty answer to the first question."""
        out = _seq()
        while answer := self.ask(f"{first_en} (empty to finish)", f"{first_fr} (vide pour terminer)"):
            out.append(more(answer, len(out) + 1))
        return out

    def run(self, steps: Sequence[Step] | None = None) -> None:
        """Ask every step whose section is not in the file yet, saving after each."""
        steps = steps or STEPS
        for number, step in enumerate(steps, 1):
            if step.key in self.doc:
                continue
            click.echo(f"\n[{number}/{len(steps)}] {self.t(*step.title)}")
            value = step.run(self)
            self.doc[step.key] = value
            save_document(self.doc, self.path)
        self.summary()

    def summary(self) -> None:
        findings = run_checks(plain(self.doc), self.lang)
        click.echo("\n" + self.t(f"Saved: {self.path}", f"Enregistré : {self.path}"))
        for f in findings:
            click.echo(f"  {f.severity}: {f.message} [{f.id}]")
        click.echo(self.t(f"Check it again at any time: parlons plan check {self.path}",
                          f"Vérifiez-le à tout moment : parlons plan check {self.path}"))


def _objectives(iv: Interview) -> CommentedSeq:
    click.echo(iv.t("Start from a real problem: social media only if they are part of its solution.",
                    "Partez d'un problème réel : les médias sociaux seulement s'ils font partie de la solution."))
    problems = _seq()

    def more(text: str, n: int) -> CommentedMap:
        problem = iv.ask("Which real, concrete problem does it address?",
                         "À quel problème réel et concret répond-il ?")
        if problem:
            problems.append(_map(id=f"p{len(problems) + 1}", text=problem))
        deadline = iv.ask("By when? (YYYY-MM-DD)", "Pour quand ? (AAAA-MM-JJ)", proc=iv.day)
        return _map(id=f"o{n}", text=text, problem=problems[-1]["id"] if problem else None, deadline=deadline)

    objectives = iv.loop("What is your objective on social media?", "Quel est votre objectif sur les médias sociaux ?",
                         more)
    iv.doc["problems"] = problems
    return objectives


def _resources(iv: Interview) -> CommentedMap:
    hours = iv.number("How many hours a week are really available?", "Combien d'heures par semaine sont vraiment "
                      "disponibles ?")
    budget = iv.number("What budget (money), per year?", "Quel budget (argent), par an ?", default="0")
    return _map(hours_per_week=hours, budget=budget, budget_per="year" if budget is not None else None)


def _skills(iv: Interview) -> CommentedMap:
    known = skills()
    click.echo(iv.t("Skills: ", "Compétences : ") + ", ".join(known))

    def more(name: str, n: int) -> CommentedMap:
        role = iv.ask("Role?", "Rôle ?")
        holds = iv.ask("Skills held (comma-separated)?", "Compétences (séparées par des virgules) ?",
                       proc=iv.among(known))
        hours = iv.number("Hours a week for this plan?", "Heures par semaine pour ce plan ?")
        return _map(name=name, role=role, holds=_flow(holds), hours_per_week=hours)

    people = iv.loop("Who will do the work (a name)?", "Qui fera le travail (un nom) ?", more)
    needed = iv.ask("Which skills does the plan need?", "De quelles compétences le plan a-t-il besoin ?",
                    proc=iv.among(known))
    return _map(needed=_flow(needed), people=people)


def _organization(iv: Interview) -> CommentedMap:
    name = iv.ask("Name of the organization?", "Nom de l'organisation ?")
    values = iv.ask("Its values, its DNA (comma-separated)?", "Ses valeurs, son ADN (séparées par des virgules) ?",
                    proc=lambda v: [w.strip() for w in str(v).split(",") if w.strip()])
    sector = iv.ask("Sector?", "Secteur ?")
    market = iv.ask(f"Market ({', '.join(MARKETS)})?", f"Marché ({', '.join(MARKETS)}) ?",
                    proc=iv.among(MARKETS, single=True))
    audiences = iv.loop("Who do you want to reach?", "Qui voulez-vous atteindre ?",
                        lambda who, n: _map(id=f"a{n}", who=who))
    return _map(name=name, values=_flow(values), sector=sector, market=market, audiences=audiences)


def _archetypes(iv: Interview) -> CommentedSeq:
    click.echo(iv.t("Community (Lego), crisis (Leclerc), marketing (Old Spice), campaign (Swiss Vibes).",
                    "Communauté (Lego), crise (Leclerc), marketing (Old Spice), campagne (Swiss Vibes)."))
    listed = ", ".join(ARCHETYPES)
    return _flow(iv.ask(f"Archetypes ({listed}; comma-separated)?",
                        f"Archétypes ({listed} ; séparés par des virgules) ?", proc=iv.among(ARCHETYPES)))


def _platforms(iv: Interview) -> CommentedSeq:
    fits = recommend(plain(iv.doc), iv.lang)
    for fit in fits:
        mark = "*" if fit.recommended else " "
        click.echo(f" {mark} {fit.platform.id:<11} {fit.score:>3}  " + "; ".join(r.text for r in fit.reasons[:3]))
    recommended = [f.platform.id for f in fits if f.recommended]
    chosen = iv.ask("Platforms you choose (comma-separated)?", "Plateformes choisies (séparées par des virgules) ?",
                    default=", ".join(recommended[:3]), proc=iv.among([f.platform.id for f in fits]))
    out = _seq()
    for key in chosen:
        fit = next(f for f in fits if f.platform.id == key)
        reason = iv.ask(f"Why {key}?", f"Pourquoi {key} ?")
        overrule = None if fit.recommended else iv.ask(
            f"parlons does not recommend {key} (score {fit.score}). Why choose it anyway?",
            f"parlons ne recommande pas {key} (score {fit.score}). Pourquoi le choisir quand même ?")
        out.append(_map(id=key, reason=reason, overrule=overrule))
    declined = _seq()
    for key in (k for k in recommended if k not in chosen):
        why = iv.ask(f"{key} is recommended: why not?", f"{key} est recommandé : pourquoi pas ?")
        if why:
            declined.append(_map(id=key, reason=why))
    if declined:
        iv.doc["declined"] = declined
    return out


def _lines(iv: Interview) -> CommentedSeq:
    audiences, objectives, platforms = iv.items("organization.audiences"), iv.items("objectives"), iv.items("platforms")

    def more(what: str, n: int) -> CommentedMap:
        to = iv.ask(f"To whom ({', '.join(audiences)})?", f"À qui ({', '.join(audiences)}) ?", proc=iv.among(audiences))
        form = iv.ask("In what form (text, photo, video, article, document...)?",
                      "Sous quelle forme (texte, photo, vidéo, article, document...) ?",
                      proc=lambda v: [w.strip() for w in str(v).split(",") if w.strip()])
        end = iv.ask(f"To what end (objective: {', '.join(objectives)})?", f"Dans quel but (objectif : "
                     f"{', '.join(objectives)}) ?", proc=iv.among(objectives, single=True))
        where = iv.ask(f"On which platforms ({', '.join(platforms)})?", f"Sur quelles plateformes "
                       f"({', '.join(platforms)}) ?", proc=iv.among(platforms))
        return _map(id=f"l{n}", what=what, to=_flow(to), form=_flow(form), end=end, platforms=_flow(where))

    return iv.loop("What will you say?", "Qu'allez-vous dire ?", more)


def _inventory(iv: Interview) -> CommentedSeq:
    def more(item: str, n: int) -> CommentedMap:
        kind = iv.ask(f"Kind ({', '.join(INVENTORY_KINDS)})?", f"Type ({', '.join(INVENTORY_KINDS)}) ?",
                      default="other", proc=iv.among(INVENTORY_KINDS, single=True))
        where = iv.ask("Where could it be shared (comma-separated)?", "Où pourrait-on le partager (séparé par "
                       "des virgules) ?", proc=lambda v: [w.strip() for w in str(v).split(",") if w.strip()])
        return _map(item=item, kind=kind, where=_flow(where))

    return iv.loop("What do you already have (brochures, slides, videos, photos, logos, maps, FAQs)?",
                   "Qu'avez-vous déjà (brochures, présentations, vidéos, photos, logos, plans, FAQ) ?", more)


def _cadence(iv: Interview) -> Callable[[str], str]:
    def proc(value: str) -> str:
        if str(value).strip() and per_week(str(value)) is None:
            raise click.BadParameter(iv.t("such as 3/week, 1/day, 2/month", "comme 3/semaine, 1/jour, 2/mois"))
        return str(value).strip()
    return proc


def _actions(iv: Interview) -> CommentedSeq:
    platforms, lines, people = iv.items("platforms"), iv.items("lines_of_work"), iv.items("skills.people", "name")

    def more(text: str, n: int) -> CommentedMap:
        kind = iv.ask(f"Kind ({', '.join(ACTION_KINDS)})?", f"Nature ({', '.join(ACTION_KINDS)}) ?",
                      default="publish", proc=iv.among(ACTION_KINDS, single=True))
        platform = iv.ask(f"Platform ({', '.join(platforms)})?", f"Plateforme ({', '.join(platforms)}) ?")
        line = iv.ask(f"Line of work ({', '.join(lines)})?", f"Ligne éditoriale ({', '.join(lines)}) ?",
                      proc=iv.among(lines, single=True)) if lines else None
        cadence = iv.ask("How often (3/week, 1/day, 2/month)?", "À quel rythme (3/semaine, 1/jour, 2/mois) ?",
                         proc=_cadence(iv))
        effort = iv.number("Hours each time?", "Heures à chaque fois ?")
        who = iv.ask(f"Who ({', '.join(people)})?", f"Qui ({', '.join(people)}) ?",
                     proc=iv.among(people, single=True)) if people else None
        return _map(text=text, kind=kind, platform=platform, line=line, cadence=cadence, effort_hours=effort, who=who)

    return iv.loop("An action (what you will do regularly)?", "Une action (ce que vous ferez régulièrement) ?", more)


def _metric(iv: Interview) -> Callable[[str], str]:
    def proc(value: str) -> str:
        problem = metric_problem(str(value).strip()) if str(value).strip() else None
        if problem:
            raise click.BadParameter(problem)
        return str(value).strip()
    return proc


def _target(iv: Interview) -> Callable[[str], str]:
    def proc(value: str) -> str:
        if parse_target(str(value)) is None:
            raise click.BadParameter(iv.t("such as >= 0.8 or < 3600", "comme >= 0.8 ou < 3600"))
        return str(value).strip()
    return proc


def _kpis(iv: Interview) -> CommentedSeq:
    objectives = iv.items("objectives")
    click.echo(iv.t("Audit figures to hold the plan to, e.g.: ", "Mesures de l'audit, par exemple : ")
               + ", ".join(SUGGESTED_METRICS))

    def more(metric: str, n: int) -> CommentedMap:
        target = iv.ask("Target (>= 0.8, < 3600...)?", "Cible (>= 0.8, < 3600...) ?", proc=_target(iv))
        deadline = iv.ask("By when? (YYYY-MM-DD)", "Pour quand ? (AAAA-MM-JJ)", proc=iv.day)
        listed = ", ".join(objectives)
        objective = iv.ask(f"For which objective ({listed})?", f"Pour quel objectif ({listed}) ?",
                           proc=iv.among(objectives, single=True)) if objectives else None
        return _map(id=f"k{n}", metric=metric, objective=objective, target=target, deadline=deadline)

    out = _seq()
    while metric := iv.ask("KPI: audit figure family.key (empty to finish)?",
                           "Indicateur : mesure famille.clé (vide pour terminer) ?", proc=_metric(iv)):
        out.append(more(metric, len(out) + 1))
    return out


STEPS = (
    Step("objectives", ("Objective", "Objectif"), _objectives),
    Step("resources", ("Resources: time and money", "Ressources : temps et argent"), _resources),
    Step("skills", ("Skills: who does what", "Compétences : qui fait quoi"), _skills),
    Step("organization", ("The organization and its audiences", "L'organisation et ses publics"), _organization),
    Step("archetypes", ("Archetypes of the approach", "Archétypes de la démarche"), _archetypes),
    Step("platforms", ("Platforms (* recommended; score and reasons)", "Plateformes (* recommandée ; score et "
                       "raisons)"), _platforms),
    Step("lines_of_work", ("Lines of work: what to say, to whom, in what form, to what end", "Lignes éditoriales : "
                           "quoi dire, à qui, sous quelle forme, dans quel but"), _lines),
    Step("inventory", ("What already exists, and where to share it", "Ce qui existe déjà, et où le partager"),
         _inventory),
    Step("actions", ("Actions: cadence and effort", "Actions : rythme et effort"), _actions),
    Step("kpis", ("KPIs held to the audit", "Indicateurs tenus par l'audit"), _kpis),
)
