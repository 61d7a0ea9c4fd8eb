"""The checks: the classic mistakes of the seed posts, found in a plan.

Each check has a stable id, a severity (``error``: the plan does not hold together; ``warning``: a
question to ask), the seed post its idea comes from, and a message in French or English naming the
place in the plan. ``run_checks(plan, lang)`` takes the plan as plain dicts (already validated by
the schema) and returns the findings in check order. The lexical checks (``tactic.*``) read the
plan's own texts with the cue words of ``data/lexicon.toml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .fit import recommend
from .knowledge import FORMAT_ALIASES, cues, normalize, objective_kinds, platform_id, platforms
from .measure import metric_problem, parse_target
from .schema import per_week
from .words import label, labels, metric_label, place, similar_metrics, source

__all__ = ["CHECKS", "SEEDS", "Check", "Finding", "run_checks"]

SEEDS = {
    "000": "000_c4702feb2bb5dce2.txt",
    "001": "001_96888e96f6789ea3.txt",
    "002": "002_b35e713deda734e2.txt",
    "003": "003_cf6f2a0ac148b244.txt",
    "004": "004_ba480d8c832da213.txt",
}
DIALOGUE_KINDS = {"listen", "answer", "engage"}
RESPONSE_TIME_SHOWN = ("responsiveness.median_first_response_s", "responsiveness.answered_within_24h_share")
RESPONSE_TIME_METRICS = {"responsiveness.median_first_response_s", "responsiveness.p90_first_response_s",
                         "responsiveness.answered_within_1h_share", "responsiveness.answered_within_24h_share"}


@dataclass(frozen=True)
class Check:
    """A check's identity: id, severity, seed file, and the seed's idea in one sentence (en, fr)."""

    id: str
    severity: str
    seed: str
    idea: tuple[str, str]


@dataclass(frozen=True)
class Finding:
    """One finding: ``message``, ``idea`` and ``source`` are in the plan's language; the rest are codes."""

    id: str
    severity: str
    path: str
    message: str
    seed: str
    idea: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "path": self.path, "message": self.message,
                "seed": self.seed, "idea": self.idea, "source": self.source}


def _check(id_: str, severity: str, seed: str, en: str, fr: str) -> Check:
    return Check(id_, severity, SEEDS[seed], (en, fr))


CHECKS = {c.id: c for c in (
    _check("plan.no_objective", "error", "004", "Half of organizations go on social media without a plan; the first "
           "question is: what is my objective?", "La moitié des entreprises se lancent sans plan ; première question : "
           "quel est mon objectif ?"),
    _check("objective.no_problem", "error", "002", "The sceptical approach: find the real problem first, then see "
           "whether social media can be part of the solution.", "La démarche sceptique : identifier les vrais "
           "problèmes, puis voir si les médias sociaux peuvent faire partie de la solution."),
    _check("objective.no_deadline", "error", "004", "An objective one can reach has a date.",
           "Un objectif qu'on peut atteindre a une date."),
    _check("deadline.past", "warning", "002", "Test cheaply and adjust as you go: a date already past calls for "
           "a review and a new date.", "Tester à peu de frais et ajuster en cours de route : une échéance passée "
           "appelle un bilan et une nouvelle date."),
    _check("objective.not_measured", "warning", "002", "Test cheaply and adjust as you go: that needs a measure.",
           "Tester à peu de frais et ajuster en cours de route : il faut une mesure."),
    _check("tactic.viral", "warning", "002", "Vulnerability to hype: 'a viral campaign everyone will talk about'.",
           "Vulnérabilité au hype : « une campagne virale dont tout le monde va parler »."),
    _check("tactic.control", "warning", "002", "A clash of cultures: 'we want to control what is said about us'.",
           "Clash culturel : « on veut contrôler ce qui est dit de nous sur Facebook »."),
    _check("tactic.tool_sells", "warning", "002", "A false solution to an ill-defined problem: 'how exactly will "
           "writing a blog sell more soap?'", "Fausse solution à un problème mal identifié : « comment est-ce "
           "qu'écrire un blog va nous faire vendre plus de savons ? »"),
    _check("tactic.presence_only", "warning", "000", "Social media for the sake of social media makes no sense: "
           "the tool serves an objective.", "Les médias sociaux pour le plaisir de faire des médias sociaux, ça n'a "
           "aucun sens : l'outil sert un objectif."),
    _check("resources.hours_unknown", "warning", "004", "Do I have the resources (time and money) my objective "
           "needs?", "Est-ce que j'ai les ressources nécessaires (temps et argent) ?"),
    _check("resources.hours_exceeded", "error", "004", "Do I have the resources (time and money) my objective "
           "needs?", "Est-ce que j'ai les ressources nécessaires (temps et argent) ?"),
    _check("actions.effort_unknown", "warning", "004", "Resources are time: each action's effort must be known.",
           "Les ressources, c'est du temps : l'effort de chaque action doit être connu."),
    _check("skills.missing", "warning", "004", "Do I have the skills in-house? Too often interns run the community "
           "with no directions.", "Est-ce que j'ai les compétences requises ? Trop souvent, des stagiaires gèrent "
           "la communauté sans directives."),
    _check("platform.audience_absent", "warning", "000", "No one-size-fits-all: a B2B company's best platform is "
           "rarely Facebook; go where your audience is.", "Pas de prêt-à-porter : pour le BtoB, l'outil le mieux "
           "adapté n'est pas forcément Facebook ; allez où est votre public."),
    _check("platform.unknown", "warning", "000", "Each platform is chosen for a reason, from what it offers.",
           "Chaque plateforme se choisit pour une raison, selon ce qu'elle offre."),
    _check("plan.broadcast_only", "warning", "001", "Being social means listening and answering; the ultimate aim "
           "is dialogue, not one-way talk.", "Être social, c'est écouter et répondre ; le but ultime est "
           "d'établir le dialogue."),
    _check("objective.service_without_response_time", "error", "001", "Mentions and direct messages to a health "
           "insurer went unanswered while its web form answered within 24 h: #fail.", "Mentions et DM à une mutuelle "
           "sans réponse, quand le formulaire du site répond sous 24 h : #fail."),
    _check("kpi.unknown_metric", "error", "002", "Adjust as you go: a KPI the audit cannot measure cannot guide.",
           "Ajuster en cours de route : un indicateur que l'audit ne mesure pas ne guide rien."),
    _check("kpi.no_target", "error", "002", "A KPI without a target says nothing of progress.",
           "Un indicateur sans cible ne dit rien du progrès."),
    _check("line.incomplete", "warning", "003", "Decide what to say, to whom, in what form, to what end.",
           "Qu'est-ce que j'ai envie de dire, à qui, sous quelle forme, dans quel but ?"),
    _check("action.platform_outside_line", "warning", "003", "Decide what to say, to whom, in what form, to what "
           "end, and where: an action belongs where its line of work is published.", "Qu'est-ce que j'ai envie de "
           "dire, à qui, sous quelle forme, dans quel but, et où : une action se fait là où sa ligne éditoriale "
           "est publiée."),
    _check("inventory.unshared", "warning", "003", "Share what you already have: brochures on SlideShare, slides, "
           "logos and maps online.", "Partagez ce que vous avez déjà : documents imprimés sur SlideShare, "
           "PowerPoint, logos, plans d'accès en ligne."),
)}


class _Run:
    """One run of the checks over one plan: collects findings in the chosen language."""

    def __init__(self, plan: dict[str, Any], lang: str, today: date) -> None:
        self.plan, self.lang, self.today, self.findings = plan, lang, today, list[Finding]()

    def add(self, check_id: str, path: str, en: str, fr: str) -> None:
        check = CHECKS[check_id]
        fr_ = self.lang == "fr"
        self.findings.append(Finding(check_id, check.severity, path, fr if fr_ else en, check.seed,
                                     check.idea[fr_], source(check.seed, self.lang)))

    def items(self, section: str) -> Iterator[tuple[str, dict[str, Any]]]:
        for i, item in enumerate(self.plan.get(section) or []):
            yield f"{section}[{i}]", item


def _objectives(run: _Run) -> None:
    objectives = run.plan.get("objectives") or []
    if not objectives:
        run.add("plan.no_objective", "objectives", "The plan has no objective: what do you want social media to "
                "achieve?", "Le plan n'a pas d'objectif : qu'attendez-vous des médias sociaux ?")
    measured = {k.get("objective") for k in run.plan.get("kpis") or []}
    for path, o in run.items("objectives"):
        name = o.get("id")
        if not o.get("problem"):
            run.add("objective.no_problem", f"{path}.problem", f"Objective {name} answers no problem: which real, "
                    "concrete problem of the organization does it solve?", f"L'objectif {name} ne répond à aucun "
                    "problème : quel problème réel et concret de l'organisation résout-il ?")
        if not o.get("deadline"):
            run.add("objective.no_deadline", f"{path}.deadline", f"Objective {name} has no deadline.",
                    f"L'objectif {name} n'a pas d'échéance.")
        if name not in measured and not o.get("measure"):
            run.add("objective.not_measured", path, f"Objective {name} has no KPI and no measure: how will you "
                    "know it is reached?", f"L'objectif {name} n'a ni indicateur ni mesure : comment saurez-vous "
                    "qu'il est atteint ?")


def _texts(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for section, field in (("objectives", "text"), ("lines_of_work", "what"), ("actions", "text"),
                           ("platforms", "reason")):
        for i, item in enumerate(plan.get(section) or []):
            if item.get(field):
                yield f"{section}[{i}].{field}", str(item[field])


def _tactics(run: _Run) -> None:
    tactic = cues("tactic")
    for path, text in _texts(run.plan):
        if cue := tactic["viral"].find(text):
            run.add("tactic.viral", path, f"«{text}»: virality cannot be planned (word «{cue}»); what will you do if "
                    "nobody talks about it?", f"« {text} » : le viral ne se planifie pas (mot « {cue} ») ; que "
                    "ferez-vous si personne n'en parle ?")
        if cue := tactic["control"].find(text):
            run.add("tactic.control", path, f"«{text}»: what is said about you cannot be controlled (words «{cue}»); "
                    "it can be listened to and answered.", f"« {text} » : on ne contrôle pas ce qui se dit de vous "
                    f"(mots « {cue} ») ; on peut l'écouter et y répondre.")
        if (tool := tactic["tool_sells.tool"].find(text)) and (sale := tactic["tool_sells.sales"].find(text)):
            run.add("tactic.tool_sells", path, f"«{text}»: how exactly will «{tool}» bring «{sale}»? Write down the "
                    "path from a post to a sale.", f"« {text} » : comment exactement « {tool} » va-t-il mener à "
                    f"« {sale} » ? Décrivez le chemin d'une publication à une vente.")
        if cue := tactic["presence_only"].find(text):
            run.add("tactic.presence_only", path, f"«{text}»: being there (words «{cue}») is a means, not an "
                    "objective; what should it change?", f"« {text} » : être présent (mots « {cue} ») est un moyen, "
                    "pas un objectif ; que doit-il changer ?")


def _weekly_hours(action: dict[str, Any]) -> float | None:
    effort = action.get("effort_hours")
    if not isinstance(effort, int | float):
        return None
    times = per_week(str(action["cadence"])) if action.get("cadence") else 1.0
    return None if times is None else times * effort


def _resources(run: _Run) -> None:
    actions = run.plan.get("actions") or []
    hours = (run.plan.get("resources") or {}).get("hours_per_week")
    if not isinstance(hours, int | float):
        run.add("resources.hours_unknown", "resources.hours_per_week", "The plan does not say how many hours a week "
                "are really available.", "Le plan ne dit pas combien d'heures par semaine sont vraiment disponibles.")
    loads = [(path, a, _weekly_hours(a)) for path, a in run.items("actions")]
    for path, a, load in loads:
        if load is None:
            run.add("actions.effort_unknown", f"{path}.effort_hours", f"Action «{a.get('text')}» has no effort in "
                    "hours.", f"L'action « {a.get('text')} » n'a pas d'effort en heures.")
    total = sum(load for _, _, load in loads if load is not None)
    if actions and isinstance(hours, int | float) and total > hours + 1e-9:
        heaviest = [(a.get("text"), load) for _, a, load in sorted(loads, key=lambda x: -(x[2] or 0))[:3] if load]
        biggest = ", ".join(f"«{text}» {load:.1f} h" for text, load in heaviest)
        biggest_fr = ", ".join(f"« {text} » " + f"{load:.1f} h".replace(".", ",") for text, load in heaviest)
        total_fr, hours_fr = f"{total:.1f}".replace(".", ","), f"{hours:g}".replace(".", ",")
        run.add("resources.hours_exceeded", "actions", f"The actions need {total:.1f} h a week; the plan has {hours:g}"
                f". Largest: {biggest}.", f"Les actions demandent {total_fr} h par semaine ; le plan en a {hours_fr}. "
                f"Les plus lourdes : {biggest_fr}.")


def _forms(plan: dict[str, Any], action: dict[str, Any]) -> set[str]:
    forms = list(action.get("form") or [])
    for line in plan.get("lines_of_work") or []:
        if line.get("id") == action.get("line"):
            forms += line.get("form") or []
    return {FORMAT_ALIASES.get(normalize(str(f)), "") for f in forms}


def _needed_skills(plan: dict[str, Any]) -> dict[str, str]:
    needed = {s: "skills.needed" for s in (plan.get("skills") or {}).get("needed") or []}
    for i, a in enumerate(plan.get("actions") or []):
        path, kind, forms = f"actions[{i}]", a.get("kind") or "publish", _forms(plan, a)
        if kind in DIALOGUE_KINDS:
            needed.setdefault("community_management", path)
        if kind == "advertise":
            needed.setdefault("advertising", path)
        if forms & {"video", "short_video", "long_video", "image", "live"}:
            needed.setdefault("photo_video", path)
        if "article" in forms:
            needed.setdefault("writing", path)
    return needed


def _skills(run: _Run) -> None:
    people = (run.plan.get("skills") or {}).get("people") or []
    held = {s for p in people for s in p.get("holds") or []}
    for skill, needed_by in _needed_skills(run.plan).items():
        if skill not in held:
            name, where = label("skill", skill, run.lang), place(needed_by, run.lang)
            run.add("skills.missing", needed_by, f"The skill «{name}» is needed ({where}) and nobody in the plan "
                    "holds it: train, hire, get help, or drop what needs it.", f"La compétence « {name} » est "
                    f"nécessaire ({where}) et personne ne l'a : former, recruter, se faire aider, ou renoncer à ce "
                    "qui la demande.")


def _platforms(run: _Run) -> None:
    fits = {f.platform.id: f for f in recommend(run.plan, run.lang)}
    for path, p in run.items("platforms"):
        key = platform_id(str(p.get("id")))
        if key is None:
            known = ", ".join(p.name for p in platforms().values())
            run.add("platform.unknown", f"{path}.id", f"parlons knows nothing of «{p.get('id')}»: its fit is not "
                    f"assessed (known: {known}; data/platforms.toml can be extended).",
                    f"parlons ne connaît pas « {p.get('id')} » : son adéquation n'est pas évaluée (connues : "
                    f"{known} ; data/platforms.toml peut être complété).")
        elif not fits[key].audience_match and not p.get("overrule"):
            there = labels("audience", platforms()[key].audiences, run.lang)
            run.add("platform.audience_absent", path, f"{platforms()[key].name} is chosen but none of your audiences "
                    f"is known to be there (there: {there}). Go where they are, or write down why you choose it "
                    "anyway.", f"{platforms()[key].name} est choisi mais aucun de vos publics n'y est (on y "
                    f"trouve : {there}). Allez où ils sont, ou notez pourquoi vous le choisissez quand même.")


def _dialogue(run: _Run) -> None:
    actions = run.plan.get("actions") or []
    if actions and not any((a.get("kind") or "publish") in DIALOGUE_KINDS for a in actions):
        run.add("plan.broadcast_only", "actions", "Every action publishes; none listens, answers or converses "
                "(an action of the kind listen, answer or converse).", "Toutes les actions publient ; aucune "
                "n'écoute, ne répond ni ne dialogue (une action de nature écouter, répondre ou dialoguer).")
    committed = {k.get("metric") for k in run.plan.get("kpis") or []} & RESPONSE_TIME_METRICS
    for path, o in run.items("objectives"):
        if "customer_service" in objective_kinds(o) and not committed:
            en, fr = (" or ".join(metric_label(m, "en") for m in RESPONSE_TIME_SHOWN),
                      " ou ".join(metric_label(m, "fr") for m in RESPONSE_TIME_SHOWN))
            run.add("objective.service_without_response_time", path, f"Objective {o.get('id')} is customer service "
                    f"but no KPI commits to a response time ({en}).", f"L'objectif {o.get('id')} relève du "
                    f"service client mais aucun indicateur n'engage sur un délai de réponse ({fr}).")


def _kpis(run: _Run) -> None:
    for path, k in run.items("kpis"):
        problem = metric_problem(str(k.get("metric")))
        if problem:
            close = similar_metrics(str(k.get("metric")), run.lang)
            hint = (f" ; vouliez-vous dire {' ou '.join(f'« {metric_label(c, run.lang)} »' for c in close)} ?"
                    if close else " (voir docs/metrics.md)")
            run.add("kpi.unknown_metric", f"{path}.metric", f"KPI {k.get('id')}: {problem}.",
                    f"Indicateur {k.get('id')} : aucune mesure de l'audit ne s'appelle « {k.get('metric')} »{hint}.")
        if parse_target(k.get("target")) is None:
            run.add("kpi.no_target", f"{path}.target", f"KPI {k.get('id')} has no target (e.g. '>= 0.8').",
                    f"L'indicateur {k.get('id')} n'a pas de cible (par ex. '>= 0.8').")


def _lines_and_inventory(run: _Run) -> None:
    words = {"what": ("what to say", "quoi dire"), "to": ("to whom", "à qui"), "form": ("in what form",
             "sous quelle forme"), "end": ("to what end", "dans quel but")}
    for path, line in run.items("lines_of_work"):
        missing = [w for w in words if not line.get(w)]
        if missing:
            run.add("line.incomplete", path, f"Line of work {line.get('id')} does not say "
                    f"{', '.join(words[w][0] for w in missing)}.", f"La ligne éditoriale {line.get('id')} ne dit "
                    f"pas {', '.join(words[w][1] for w in missing)}.")
    for path, item in run.items("inventory"):
        if not item.get("where"):
            run.add("inventory.unshared", f"{path}.where", f"«{item.get('item')}» exists but the plan does not say "
                    "where to share it.", f"« {item.get('item')} » existe mais le plan ne dit pas où le partager.")


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _deadlines(run: _Run) -> None:
    """Deadlines already past, of objectives and KPIs."""
    from ..report.fmt import day_text

    for section, (en, fr) in (("objectives", ("Objective", "L'objectif")), ("kpis", ("KPI", "L'indicateur"))):
        for path, item in run.items(section):
            day = _day(item.get("deadline"))
            if day is not None and day < run.today:
                when = day_text(day, "long", run.lang)
                run.add("deadline.past", f"{path}.deadline", f"{en} {item.get('id')}'s deadline, {when}, is past: "
                        "take stock of what was reached and set a new date.", f"{fr} {item.get('id')} avait pour "
                        f"échéance le {when}, date passée : faites le bilan et fixez une nouvelle date.")


def _action_platforms(run: _Run) -> None:
    """Actions on a platform that their line of work does not list."""
    lines = {str(line.get("id")): line for line in run.plan.get("lines_of_work") or []}
    for path, action in run.items("actions"):
        line = lines.get(str(action.get("line")))
        listed = (line or {}).get("platforms") or []
        if not action.get("platform") or not listed:
            continue
        wanted = platform_id(str(action["platform"])) or str(action["platform"])
        if wanted not in {platform_id(str(p)) or str(p) for p in listed}:
            name, names = label("platform", str(action["platform"]), run.lang), labels("platform", listed, run.lang)
            run.add("action.platform_outside_line", f"{path}.platform", f"Action «{action.get('text')}» is on {name}, "
                    f"but its line of work {line.get('id') if line else ''} is published on {names}.",
                    f"L'action « {action.get('text')} » se fait sur {name}, mais sa ligne éditoriale "
                    f"{line.get('id') if line else ''} est publiée sur {names}.")


STEPS: tuple[Callable[[_Run], None], ...] = (_objectives, _deadlines, _tactics, _resources, _skills, _platforms,
                                             _dialogue, _kpis, _action_platforms, _lines_and_inventory)


def run_checks(plan: dict[str, Any], lang: str = "en", today: date | None = None) -> list[Finding]:
    """The findings of every check on ``plan`` (plain dicts), errors and warnings in check order.

    ``today`` (default: the machine's date) decides which deadlines are past.
    """
    run = _Run(plan, lang, today or date.today())
    for step in STEPS:
        step(run)
    return run.findings
