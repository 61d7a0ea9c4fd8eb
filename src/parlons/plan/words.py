"""The plan's codes in a person's words, and a person's words read back as codes.

A plan file stores codes (``community_management``, ``b2c``, ``answer``, ``older_adults``); people
read and type words in their language (« animation de communauté », « particuliers », « répondre »,
« personnes âgées »). Each vocabulary below gives every code its French and English label and other
words that mean it; :func:`read` accepts any of them (case, accents, ``_``/``-`` and a trailing
parenthesis ignored: « Communauté (Lego) » reads ``community``), :func:`label` shows the label.
KPIs are read by their readable name too (:func:`metric_label`, :func:`read_metric`), taken from the
report's metric dictionary. Places in a plan (``objectives[0].deadline``) read as « objectif 1
(échéance) » (:func:`place`); the seed posts are named by their titles (:func:`source`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .knowledge import normalize, platform_id, platforms

__all__ = ["VOCABULARIES", "Word", "label", "labels", "metric_label", "place", "read", "read_metric", "similar_metrics",
           "source"]


@dataclass(frozen=True)
class Word:
    """One code with its English and French labels and other words that mean it."""

    key: str
    en: str
    fr: str
    also: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en


def _w(key: str, en: str, fr: str, *also: str) -> Word:
    return Word(key, en, fr, also)


VOCABULARIES: dict[str, tuple[Word, ...]] = {
    "skill": (
        _w("community_management", "community management", "animation de communauté", "community manager", "cm",
           "animation", "moderation", "modération", "gestion de communauté"),
        _w("writing", "writing", "rédaction", "écriture", "redaction web", "copywriting"),
        _w("photo_video", "photo and video", "photo et vidéo", "photo", "photos", "video", "vidéo", "videos",
           "vidéos", "photo/video", "photo/vidéo"),
        _w("design", "design", "graphisme", "graphic design", "graphiste", "infographie"),
        _w("analysis", "analysis", "analyse", "analytics", "statistiques", "mesure"),
        _w("advertising", "advertising", "publicité", "pub", "ads", "publicite en ligne"),
    ),
    "archetype": (
        _w("community", "community", "communauté", "lego"),
        _w("crisis", "crisis", "crise", "leclerc"),
        _w("marketing", "marketing", "marketing", "old spice"),
        _w("campaign", "campaign", "campagne", "swiss vibes"),
    ),
    "market": (
        _w("b2b", "businesses (B2B)", "entreprises (B2B)", "btob", "entreprises", "businesses", "professionnels"),
        _w("b2c", "consumers (B2C)", "particuliers (B2C)", "btoc", "particuliers", "consumers", "grand public"),
        _w("both", "both", "les deux", "b2b et b2c", "b2b and b2c", "mixte"),
        _w("public", "public sector", "secteur public", "public", "collectivité", "administration"),
        _w("nonprofit", "non-profit", "associatif", "association", "non lucratif", "ong", "ngo", "non profit"),
    ),
    "action": (
        _w("publish", "publish", "publier", "publication", "poster"),
        _w("share", "share", "partager", "partage", "relayer"),
        _w("listen", "listen", "écouter", "écoute", "veille"),
        _w("answer", "answer", "répondre", "réponse", "reply"),
        _w("engage", "converse", "dialoguer", "engage", "engager", "dialogue", "animer"),
        _w("advertise", "advertise", "faire de la publicité", "publicité", "pub", "ads", "sponsoriser"),
        _w("measure", "measure", "mesurer", "mesure", "analyser"),
    ),
    "inventory": (
        _w("brochure", "brochure", "brochure", "plaquette", "dépliant", "flyer"),
        _w("slides", "slides", "présentation", "diaporama", "powerpoint", "presentation"),
        _w("video", "video", "vidéo", "film"),
        _w("photo", "photo", "photo", "photos", "image", "images"),
        _w("logo", "logo", "logo", "logos"),
        _w("map", "map", "plan d'accès", "carte", "plan", "maps"),
        _w("faq", "FAQ", "FAQ", "questions fréquentes", "foire aux questions"),
        _w("document", "document", "document", "pdf", "rapport"),
        _w("audio", "audio", "audio", "podcast", "son"),
        _w("other", "other", "autre", "autres"),
    ),
    "audience": (
        _w("general_public", "the general public", "grand public"),
        _w("consumers", "consumers", "consommateurs", "clients"),
        _w("teens", "teenagers", "adolescents"),
        _w("young_adults", "young adults", "jeunes adultes"),
        _w("students", "students", "étudiants et élèves"),
        _w("families", "families", "familles"),
        _w("older_adults", "older adults", "personnes âgées"),
        _w("professionals", "professionals", "professionnels"),
        _w("decision_makers", "decision makers", "décideurs"),
        _w("job_seekers", "job seekers", "chercheurs d'emploi"),
        _w("journalists", "journalists", "journalistes"),
        _w("researchers", "researchers", "chercheurs"),
        _w("tech", "tech people", "public technique"),
        _w("creatives", "creative people", "créatifs"),
        _w("music_fans", "music fans", "amateurs de musique"),
        _w("local_community", "local community", "habitants du territoire"),
        _w("public_sector", "public sector", "secteur public"),
        _w("existing_contacts", "existing contacts", "contacts existants"),
    ),
    "objective": (
        _w("sales", "sales", "ventes"),
        _w("leads", "leads", "prospects"),
        _w("customer_service", "customer service", "service client"),
        _w("community", "community", "communauté"),
        _w("awareness", "awareness", "notoriété"),
        _w("recruitment", "recruitment", "recrutement"),
        _w("events", "events", "événements"),
        _w("information", "information", "information"),
        _w("expertise", "expertise", "expertise"),
        _w("crisis", "crisis", "crise"),
        _w("fundraising", "fundraising", "collecte de fonds"),
        _w("media_relations", "media relations", "relations presse"),
    ),
    "format": (
        _w("text", "text", "texte"),
        _w("image", "pictures", "images"),
        _w("video", "video", "vidéo"),
        _w("short_video", "short videos", "vidéos courtes"),
        _w("long_video", "long videos", "vidéos longues"),
        _w("live", "live video", "direct vidéo"),
        _w("link", "links", "liens"),
        _w("article", "articles", "articles"),
        _w("document", "documents", "documents"),
        _w("event", "events", "événements"),
        _w("email", "email", "e-mail"),
        _w("audio", "audio", "audio"),
    ),
    "severity": (
        _w("error", "error", "erreur"),
        _w("warning", "warning", "attention"),
    ),
}


def _bare(text: str) -> str:
    return " ".join(normalize(text).replace("_", " ").replace("-", " ").split())


@lru_cache(maxsize=16)
def _index(vocabulary: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for word in VOCABULARIES[vocabulary]:
        for spelling in (word.key, word.en, word.fr, *word.also):
            index.setdefault(_bare(spelling), word.key)
    return index


def read(vocabulary: str, text: str) -> str | None:
    """The code a person's word means in ``vocabulary`` (any language), else None."""
    if vocabulary == "platform":
        return platform_id(text) or platform_id(re.sub(r"\([^)]*\)", " ", text).strip())
    index = _index(vocabulary)
    bare = _bare(text)
    if bare in index:
        return index[bare]
    outside = _bare(re.sub(r"\([^)]*\)", " ", text))
    inside = re.findall(r"\(([^)]*)\)", text)
    return index.get(outside) or next((index[_bare(i)] for i in inside if _bare(i) in index), None)


def label(vocabulary: str, key: str, lang: str) -> str:
    """The label of ``key`` in ``lang`` (the key itself when the vocabulary does not know it)."""
    if vocabulary == "platform":
        known = platforms().get(platform_id(key) or "")
        return known.name if known else key
    return next((w.label(lang) for w in VOCABULARIES[vocabulary] if w.key == key), key)


def labels(vocabulary: str, keys: object, lang: str) -> str:
    """Several labels, comma-separated."""
    items = keys if isinstance(keys, list | tuple) else [keys]
    return ", ".join(label(vocabulary, str(k), lang) for k in items)


# KPIs -----------------------------------------------------------------------------------------------------

VOICE_NAMES = {"fr": ("French", "français"), "en": ("English", "anglais")}


def metric_label(metric: str, lang: str) -> str:
    """A KPI's audit figure by its readable name: « Réactivité : avec réponse » for responsiveness.answered_share."""
    from ..i18n import translator
    from ..report.methods import entry, families

    gettext = translator(lang).gettext
    family, _, key = metric.partition(".")
    language = None
    if family == "voice" and "." in key:
        language, _, key = key.partition(".")
    try:
        found = entry(family, key)
    except KeyError:
        if metric == "maturity.level":
            return "Maturité : niveau" if lang == "fr" else "Maturity: level"
        return metric
    title = next(gettext(f.title) for f in families() if f.key == family)
    if language in VOICE_NAMES:
        title += f" ({VOICE_NAMES[language][lang == 'fr']})"
    return f"{title}{' :' if lang == 'fr' else ':'} {gettext(found.label).lower()}"


def _spoken(text: str) -> str:
    return " ".join(_bare(text).replace(":", " ").replace("(", " ").replace(")", " ").split())


@lru_cache(maxsize=4)
def _metric_index(lang: str) -> dict[str, str]:
    from .measure import catalogue

    index: dict[str, str] = {}
    for code in ("en", "fr"):
        for metric in catalogue():
            index.setdefault(_spoken(metric_label(metric, code)), metric)
    return index


def read_metric(text: str, lang: str = "fr") -> str | None:
    """The audit figure a KPI names: its code (``responsiveness.answered_share``) or its readable name."""
    from .measure import catalogue

    wanted = text.strip()
    if wanted in catalogue():
        return wanted
    return _metric_index(lang).get(_spoken(wanted))


def similar_metrics(text: str, lang: str = "fr") -> list[str]:
    """The figures whose code or readable name is closest to ``text`` (at most three)."""
    import difflib

    from .measure import catalogue

    index = {**{m: m for m in catalogue()}, **_metric_index(lang)}
    close = difflib.get_close_matches(_spoken(text) if "." not in text else text, index, n=3,
                                      cutoff=0.6)
    return list(dict.fromkeys(index[c] for c in close))


# places and sources ---------------------------------------------------------------------------------------

SECTIONS = {
    "objectives": ("objective", "objectif"), "problems": ("problem", "problème"),
    "organization.audiences": ("audience", "public"), "lines_of_work": ("line of work", "ligne éditoriale"),
    "actions": ("action", "action"), "inventory": ("inventory item", "élément d'inventaire"),
    "platforms": ("platform", "plateforme"), "declined": ("declined platform", "plateforme écartée"),
    "kpis": ("KPI", "indicateur"), "skills.people": ("person", "personne"),
}
FIELDS = {
    "deadline": ("deadline", "échéance"), "problem": ("problem", "problème"), "metric": ("figure", "mesure"),
    "target": ("target", "cible"), "effort_hours": ("hours each time", "heures à chaque fois"),
    "where": ("where to share", "où partager"), "id": ("name", "nom"),
    "overrule": ("why anyway", "pourquoi quand même"),
    "organization.market": ("the organization's market", "le marché de l'organisation"),
    "resources.hours_per_week": ("hours a week available", "heures disponibles par semaine"),
    "skills.needed": ("skills needed", "compétences nécessaires"), "objectives": ("objectives", "objectifs"),
    "actions": ("actions", "actions"), "platform": ("platform", "plateforme"), "text": ("text", "texte"),
    "what": ("what to say", "quoi dire"), "reason": ("reason", "raison"), "to": ("to whom", "à qui"),
    "form": ("form", "forme"), "end": ("to what end", "dans quel but"), "platforms": ("platforms", "plateformes"),
    "kind": ("kind", "nature"), "cadence": ("cadence", "rythme"), "who": ("who", "qui"),
    "line": ("line of work", "ligne éditoriale"), "holds": ("skills held", "compétences"),
}


def place(path: str, lang: str) -> str:
    """A place in the plan in words: ``objectives[0].deadline`` is « objectif 1 (échéance) »."""
    fr = lang == "fr"
    if path in FIELDS:
        return FIELDS[path][fr]
    found = re.match(r"^([a-z_.]+)\[(\d+)\](?:\.([a-z_]+))?$", path)
    if not found or found[1] not in SECTIONS:
        return path
    where = f"{SECTIONS[found[1]][fr]} {int(found[2]) + 1}"
    field = found[3]
    return f"{where} ({FIELDS[field][fr] if field in FIELDS else field})" if field else where


SEEDS = {
    "000": ("«L'expression \"stratégies médias sociaux\" n'a aucun sens»",
            "« L'expression \"stratégies médias sociaux\" n'a aucun sens »"),
    "001": ("«De la vraie fausse démarche \"sociale\"»", "« De la vraie fausse démarche \"sociale\" »"),
    "002": ("«Stratégie médias sociaux: à distance ou en dialogue?»",
            "« Stratégie médias sociaux : à distance ou en dialogue ? »"),
    "003": ("«L'opportunité d'y être»", "« L'opportunité d'y être »"),
    "004": ("«Aveugles et faux prophètes» (2010)", "« Aveugles et faux prophètes » (2010)"),
}


def source(seed_file: str, lang: str) -> str:
    """Where a check's idea comes from, in words: the seed post by its title."""
    title = SEEDS.get(seed_file[:3])
    if title is None:
        return seed_file
    return (f"d'après le billet {title[1]}" if lang == "fr" else f"after the blog post {title[0]} (in French)")
