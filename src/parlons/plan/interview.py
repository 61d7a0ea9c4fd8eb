"""The interview of ``parlons plan new``: the plan built step by step in the terminal, in French or English.

The three questions of the seed 004 come first (objective, resources, skills), then the organization
and its audiences, the archetypes, the platforms (with parlons' recommendations and their reasons),
the lines of work, the inventory, the actions and the KPIs. The file is saved after every step. A
step whose section is already in the file is skipped: the interview resumes where it stopped, and
any step can be written in the file by hand instead.
"""

from __future__ import annotations

import re
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
from .measure import parse_target
from .schema import ACTION_KINDS, ARCHETYPES, INVENTORY_KINDS, MARKETS, per_week
from .words import label, metric_label, place, read, read_metric, similar_metrics

__all__ = ["QUESTIONS", "STEPS", "Interview"]

SUGGESTED_METRICS = ("responsiveness.answered_share", "responsiveness.median_first_response_s",
                     "responsiveness.answered_within_24h_share", "conversation.replies_to_others_share",
                     "conversation.questions_share", "broadcast.automated_share", "function.community_share",
                     "content.images_share", "content.cadence.posts_per_week", "maturity.level")


QUESTIONS: dict[str, tuple[str, str]] = {
    "objectives.intro": ("Start from a real problem: social media only if they are part of its solution.",
                         "Partez d'un problème réel : les médias sociaux seulement s'ils font partie de la solution."),
    "objectives.text": ("What is your objective on social media?", "Quel est votre objectif sur les médias sociaux ?"),
    "objectives.problem": ("Which real, concrete problem does it address?",
                           "À quel problème réel et concret répond-il ?"),
    "objectives.deadline": ("By when? (YYYY-MM-DD)", "Pour quand ? (JJ/MM/AAAA ou AAAA-MM-JJ)"),
    "resources.hours": ("How many hours a week are really available?",
                        "Combien d'heures par semaine sont vraiment disponibles ?"),
    "resources.budget": ("What budget (money), per year?", "Quel budget (argent), par an ?"),
    "skills.name": ("Who will do the work (a name)?", "Qui fera le travail (un nom) ?"),
    "skills.role": ("Role?", "Rôle ?"),
    "skills.holds": ("Skills held (comma-separated)?", "Compétences (séparées par des virgules) ?"),
    "skills.hours": ("Hours a week for this plan?", "Heures par semaine pour ce plan ?"),
    "skills.needed": ("Which skills does the plan need?", "De quelles compétences le plan a-t-il besoin ?"),
    "organization.name": ("Name of the organization?", "Nom de l'organisation ?"),
    "organization.values": ("Its values, its DNA (comma-separated)?",
                            "Ses valeurs, son ADN (séparées par des virgules) ?"),
    "organization.sector": ("Sector?", "Secteur ?"),
    "organization.market": ("Market?", "Marché ?"),
    "organization.audience": ("Who do you want to reach?", "Qui voulez-vous atteindre ?"),
    "archetypes.intro": ("Community (Lego), crisis (Leclerc), marketing (Old Spice), campaign (Swiss Vibes).",
                         "Communauté (Lego), crise (Leclerc), marketing (Old Spice), campagne (Swiss Vibes)."),
    "archetypes": ("Archetypes?", "Archétypes ?"),
    "platforms.chosen": ("Platforms you choose (comma-separated)?",
                         "Plateformes choisies (séparées par des virgules) ?"),
    "platforms.reason": ("Why this platform?", "Pourquoi cette plateforme ?"),
    "platforms.overrule": ("parlons does not recommend it. Why choose it anyway?",
                           "parlons ne la recommande pas. Pourquoi la choisir quand même ?"),
    "platforms.declined": ("It is recommended: why not?", "Elle est recommandée : pourquoi pas ?"),
    "lines.what": ("What will you say?", "Qu'allez-vous dire ?"),
    "lines.to": ("To whom?", "À qui ?"),
    "lines.form": ("In what form (text, photo, video, article, document...)?",
                   "Sous quelle forme (texte, photo, vidéo, article, document...) ?"),
    "lines.end": ("To what end (objective)?", "Dans quel but (objectif) ?"),
    "lines.platforms": ("On which platforms?", "Sur quelles plateformes ?"),
    "inventory.item": ("What do you already have (brochures, slides, videos, photos, logos, maps, FAQs)?",
                       "Qu'avez-vous déjà (brochures, présentations, vidéos, photos, logos, plans, FAQ) ?"),
    "inventory.kind": ("Kind?", "Type ?"),
    "inventory.where": ("Where could it be shared (comma-separated)?",
                        "Où pourrait-on le partager (séparé par des virgules) ?"),
    "actions.text": ("An action (what you will do regularly)?", "Une action (ce que vous ferez régulièrement) ?"),
    "actions.kind": ("Kind?", "Nature ?"),
    "actions.platform": ("Platform?", "Plateforme ?"),
    "actions.line": ("Line of work?", "Ligne éditoriale ?"),
    "actions.cadence": ("How often (3/week, 1/day, 2/month)?", "À quel rythme (3/semaine, 1/jour, 2/mois) ?"),
    "actions.effort": ("Hours each time?", "Heures à chaque fois ?"),
    "actions.who": ("Who?", "Qui ?"),
    "kpis.intro": ("Audit figures to hold the plan to, e.g.: ", "Mesures de l'audit, par exemple : "),
    "kpis.metric": ("KPI: which audit figure?", "Indicateur : quelle mesure de l'audit ?"),
    "kpis.target": ("Target (>= 0.8, < 3600...)?", "Cible (>= 0.8, < 3600...) ?"),
    "kpis.deadline": ("By when? (YYYY-MM-DD)", "Pour quand ? (JJ/MM/AAAA ou AAAA-MM-JJ)"),
    "kpis.objective": ("For which objective?", "Pour quel objectif ?"),
}
"""Every question of the interview in English and French, by step and field: the terminal asks them
(with the choices written in, where it lists them) and the workspace's wizard shows them
(:mod:`parlons.plan.wizard`)."""


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
        """One question, asked again (with the reason, in the plan's language) until ``proc`` accepts the answer.

        An empty answer gives ``default`` (shown when not empty).
        """
        while True:
            answer = click.prompt(self.t(en, fr), default=default, show_default=bool(default))
            try:
                return (proc or (lambda v: str(v).strip()))(answer)
            except click.BadParameter as exc:
                click.echo(self.t("Error: ", "Erreur : ") + exc.message)

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
        text = str(value).strip()
        day_first = re.match(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$", text)
        try:
            if day_first:
                return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
            return date.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(self.t("a date such as 2025-06-30",
                                            "une date comme 2025-06-30 ou 30/06/2025")) from None

    def listed(self, options: Sequence[str], vocabulary: str | None = None) -> str:
        """``options`` as a person reads them: by their labels in the plan's language."""
        return ", ".join(label(vocabulary, o, self.lang) for o in options) if vocabulary else ", ".join(options)

    def among(self, options: Sequence[str], single: bool = False,
              vocabulary: str | None = None) -> Callable[[str], Any]:
        """A value processor accepting comma-separated words from ``options`` (one when ``single``).

        A word may be the option itself (any case) or, with a ``vocabulary``, its label or another
        word for it in French or English (:mod:`parlons.plan.words`); the option is what is kept.
        """
        def one(word: str) -> str | None:
            if word in options:
                return word
            key = read(vocabulary, word) if vocabulary else None
            return key if key in options else next((o for o in options if o.lower() == word.lower()), None)

        def proc(value: str) -> Any:
            keys = [one(w.strip()) for w in str(value).split(",") if w.strip()]
            if None in keys or (single and len(keys) > 1):
                among = self.t("choose among: ", "choisir parmi : ")
                raise click.BadParameter(among + self.listed(options, vocabulary))
            chosen = [k for k in keys if k is not None]
            return (chosen[0] if chosen else "") if single else chosen
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
            click.echo(f"  {label('severity', f.severity, self.lang)} · {place(f.path, self.lang)}"
                       f"{self.t(': ', ' : ')}{f.message}")
        click.echo(self.t(f"Check it again at any time: parlons plan check {self.path}",
                          f"Vérifiez-le à tout moment : parlons plan check {self.path}"))


def _objectives(iv: Interview) -> CommentedSeq:
    click.echo(iv.t(*QUESTIONS["objectives.intro"]))
    problems = _seq()

    def more(text: str, n: int) -> CommentedMap:
        problem = iv.ask(*QUESTIONS["objectives.problem"])
        if problem:
            problems.append(_map(id=f"p{len(problems) + 1}", text=problem))
        deadline = iv.ask(*QUESTIONS["objectives.deadline"], proc=iv.day)
        return _map(id=f"o{n}", text=text, problem=problems[-1]["id"] if problem else None, deadline=deadline)

    objectives = iv.loop(*QUESTIONS["objectives.text"], more)
    iv.doc["problems"] = problems
    return objectives


def _resources(iv: Interview) -> CommentedMap:
    hours = iv.number(*QUESTIONS["resources.hours"])
    budget = iv.number(*QUESTIONS["resources.budget"], default="0")
    return _map(hours_per_week=hours, budget=budget, budget_per="year" if budget is not None else None)


def _skills(iv: Interview) -> CommentedMap:
    known = skills()
    click.echo(iv.t("Skills: ", "Compétences : ") + iv.listed(known, "skill"))

    def more(name: str, n: int) -> CommentedMap:
        role = iv.ask(*QUESTIONS["skills.role"])
        holds = iv.ask(*QUESTIONS["skills.holds"], proc=iv.among(known, vocabulary="skill"))
        hours = iv.number(*QUESTIONS["skills.hours"])
        return _map(name=name, role=role, holds=_flow(holds), hours_per_week=hours)

    people = iv.loop(*QUESTIONS["skills.name"], more)
    needed = iv.ask(*QUESTIONS["skills.needed"], proc=iv.among(known, vocabulary="skill"))
    return _map(needed=_flow(needed), people=people)


def _organization(iv: Interview) -> CommentedMap:
    name = iv.ask(*QUESTIONS["organization.name"])
    values = iv.ask(*QUESTIONS["organization.values"],
                    proc=lambda v: [w.strip() for w in str(v).split(",") if w.strip()])
    sector = iv.ask(*QUESTIONS["organization.sector"])
    markets = iv.listed(MARKETS, "market")
    market = iv.ask(f"Market ({markets})?", f"Marché ({markets}) ?", proc=iv.among(MARKETS, True, "market"))
    audiences = iv.loop(*QUESTIONS["organization.audience"], lambda who, n: _map(id=f"a{n}", who=who))
    return _map(name=name, values=_flow(values), sector=sector, market=market, audiences=audiences)


def _archetypes(iv: Interview) -> CommentedSeq:
    click.echo(iv.t(*QUESTIONS["archetypes.intro"]))
    listed = iv.listed(ARCHETYPES, "archetype")
    return _flow(iv.ask(f"Archetypes ({listed}; comma-separated)?",
                        f"Archétypes ({listed} ; séparés par des virgules) ?",
                        proc=iv.among(ARCHETYPES, vocabulary="archetype")))


def _platforms(iv: Interview) -> CommentedSeq:
    fits = recommend(plain(iv.doc), iv.lang)
    for fit in fits:
        mark = "*" if fit.recommended else " "
        click.echo(f" {mark} {fit.platform.name:<14} {fit.score:>3}  " + "; ".join(r.text for r in fit.reasons[:3]))
    recommended = [f.platform.id for f in fits if f.recommended]
    chosen = iv.ask(*QUESTIONS["platforms.chosen"],
                    default=iv.listed(recommended[:3], "platform"),
                    proc=iv.among([f.platform.id for f in fits], vocabulary="platform"))
    out = _seq()
    for key in chosen:
        fit = next(f for f in fits if f.platform.id == key)
        name = fit.platform.name
        reason = iv.ask(f"Why {name}?", f"Pourquoi {name} ?")
        overrule = None if fit.recommended else iv.ask(
            f"parlons does not recommend {name} (score {fit.score}). Why choose it anyway?",
            f"parlons ne recommande pas {name} (score {fit.score}). Pourquoi le choisir quand même ?")
        out.append(_map(id=key, reason=reason, overrule=overrule))
    declined = _seq()
    for key in (k for k in recommended if k not in chosen):
        name = label("platform", key, iv.lang)
        why = iv.ask(f"{name} is recommended: why not?", f"{name} est recommandé : pourquoi pas ?")
        if why:
            declined.append(_map(id=key, reason=why))
    if declined:
        iv.doc["declined"] = declined
    return out


def _lines(iv: Interview) -> CommentedSeq:
    audiences, objectives, platforms = iv.items("organization.audiences"), iv.items("objectives"), iv.items("platforms")

    def more(what: str, n: int) -> CommentedMap:
        to = iv.ask(f"To whom ({', '.join(audiences)})?", f"À qui ({', '.join(audiences)}) ?", proc=iv.among(audiences))
        form = iv.ask(*QUESTIONS["lines.form"],
                      proc=lambda v: [w.strip() for w in str(v).split(",") if w.strip()])
        end = iv.ask(f"To what end (objective: {', '.join(objectives)})?", f"Dans quel but (objectif : "
                     f"{', '.join(objectives)}) ?", proc=iv.among(objectives, single=True))
        names = iv.listed(platforms, "platform")
        where = iv.ask(f"On which platforms ({names})?", f"Sur quelles plateformes ({names}) ?",
                       proc=iv.among(platforms, vocabulary="platform"))
        return _map(id=f"l{n}", what=what, to=_flow(to), form=_flow(form), end=end, platforms=_flow(where))

    return iv.loop(*QUESTIONS["lines.what"], more)


def _inventory(iv: Interview) -> CommentedSeq:
    def more(item: str, n: int) -> CommentedMap:
        kinds = iv.listed(INVENTORY_KINDS, "inventory")
        kind = iv.ask(f"Kind ({kinds})?", f"Type ({kinds}) ?", default=label("inventory", "other", iv.lang),
                      proc=iv.among(INVENTORY_KINDS, True, "inventory"))
        where = iv.ask(*QUESTIONS["inventory.where"],
                       proc=lambda v: [w.strip() for w in str(v).split(",") if w.strip()])
        return _map(item=item, kind=kind, where=_flow(where))

    return iv.loop(*QUESTIONS["inventory.item"], more)


def _cadence(iv: Interview) -> Callable[[str], str]:
    def proc(value: str) -> str:
        if str(value).strip() and per_week(str(value)) is None:
            raise click.BadParameter(iv.t("such as 3/week, 1/day, 2/month", "comme 3/semaine, 1/jour, 2/mois"))
        return str(value).strip()
    return proc


def _actions(iv: Interview) -> CommentedSeq:
    platforms, lines, people = iv.items("platforms"), iv.items("lines_of_work"), iv.items("skills.people", "name")

    def more(text: str, n: int) -> CommentedMap:
        kinds = iv.listed(ACTION_KINDS, "action")
        kind = iv.ask(f"Kind ({kinds})?", f"Nature ({kinds}) ?", default=label("action", "publish", iv.lang),
                      proc=iv.among(ACTION_KINDS, True, "action"))
        names = iv.listed(platforms, "platform")
        platform = iv.ask(f"Platform ({names})?", f"Plateforme ({names}) ?",
                          proc=iv.among(platforms, True, "platform")) if platforms else iv.ask("Platform?",
                                                                                                "Plateforme ?")
        line = iv.ask(f"Line of work ({', '.join(lines)})?", f"Ligne éditoriale ({', '.join(lines)}) ?",
                      proc=iv.among(lines, single=True)) if lines else None
        cadence = iv.ask(*QUESTIONS["actions.cadence"], proc=_cadence(iv))
        effort = iv.number(*QUESTIONS["actions.effort"])
        who = iv.ask(f"Who ({', '.join(people)})?", f"Qui ({', '.join(people)}) ?",
                     proc=iv.among(people, single=True)) if people else None
        return _map(text=text, kind=kind, platform=platform, line=line, cadence=cadence, effort_hours=effort, who=who)

    return iv.loop(*QUESTIONS["actions.text"], more)


def _metric(iv: Interview) -> Callable[[str], str]:
    """A KPI's figure, by its readable name (any language) or its code; the code is kept."""
    def proc(value: str) -> str:
        text = str(value).strip()
        if not text:
            return ""
        found = read_metric(text, iv.lang)
        if found is None:
            close = [metric_label(m, iv.lang) for m in similar_metrics(text, iv.lang)]
            hint = iv.t(f"; did you mean {' or '.join(f'«{c}»' for c in close)}?",
                        f" ; vouliez-vous dire {' ou '.join(f'« {c} »' for c in close)} ?")
            raise click.BadParameter(iv.t(f"no audit figure is called «{text}»", f"aucune mesure de l'audit ne "
                                          f"s'appelle « {text} »") + (hint if close else iv.t(
                                              " (the figures: docs/metrics.md)", " (les mesures : docs/metrics.md)")))
        return found
    return proc


def _target(iv: Interview) -> Callable[[str], str]:
    def proc(value: str) -> str:
        if parse_target(str(value)) is None:
            raise click.BadParameter(iv.t("such as >= 0.8 or < 3600", "comme >= 0.8 ou < 3600"))
        return str(value).strip()
    return proc


def _kpis(iv: Interview) -> CommentedSeq:
    objectives = iv.items("objectives")
    click.echo(iv.t(*QUESTIONS["kpis.intro"])
               + "; ".join(metric_label(m, iv.lang) for m in SUGGESTED_METRICS))

    def more(metric: str, n: int) -> CommentedMap:
        target = iv.ask(*QUESTIONS["kpis.target"], proc=_target(iv))
        deadline = iv.ask(*QUESTIONS["kpis.deadline"], proc=iv.day)
        listed = ", ".join(objectives)
        objective = iv.ask(f"For which objective ({listed})?", f"Pour quel objectif ({listed}) ?",
                           proc=iv.among(objectives, single=True)) if objectives else None
        return _map(id=f"k{n}", metric=metric, objective=objective, target=target, deadline=deadline)

    out = _seq()
    while metric := iv.ask("KPI: which audit figure (empty to finish)?",
                           "Indicateur : quelle mesure de l'audit (vide pour terminer) ?", proc=_metric(iv)):
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
