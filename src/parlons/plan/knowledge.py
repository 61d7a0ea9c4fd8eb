"""What parlons knows about platforms, and what it reads in a plan's own words.

The platform knowledge base (``data/platforms.toml``) and the cue words (``data/lexicon.toml``) are
editable data, not code. This module loads them, matches cues in French and English texts (lower
case, accents stripped, whole words, ``*`` for a prefix), and derives a plan's audience tags,
objective kinds and formats, each with the reason it was derived (a tag written in the plan, or
the word that fired).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["DATA", "Cues", "Platform", "Tag", "cues", "normalize", "objective_kinds", "plan_audiences", "plan_formats",
           "plan_objectives", "platform_id", "platforms", "skills"]

DATA = Path(__file__).with_name("data")

FORMAT_ALIASES = {
    "video": "video", "vidéo": "video", "videos": "video", "photo": "image", "photos": "image", "picture": "image",
    "pictures": "image", "images": "image", "image": "image", "slides": "document", "brochure": "document",
    "pdf": "document", "document": "document", "documents": "document", "article": "article", "articles": "article",
    "billet": "article", "post": "text", "text": "text", "texte": "text", "short_video": "short_video",
    "long_video": "long_video", "live": "live", "link": "link", "lien": "link", "event": "event", "email": "email",
    "faq": "article", "logo": "image", "logos": "image", "map": "image", "maps": "image", "plan": "image",
    "carte": "image", "podcast": "audio", "audio": "audio", "infographic": "image", "infographie": "image",
}
"""Forms written in plans (lines of work, actions, inventory kinds) and the platform format they need."""


@dataclass(frozen=True)
class Platform:
    """One platform of the knowledge base."""

    id: str
    name: str
    aliases: tuple[str, ...]
    audiences: tuple[str, ...]
    formats: tuple[str, ...]
    dialogue: int
    dialogue_note: str
    effort_post_h: float
    min_posts_per_week: float
    objectives: tuple[str, ...]
    b2b: str
    note: str
    dialogue_note_fr: str = ""
    note_fr: str = ""

    def dialogue_in(self, lang: str) -> str:
        """How the dialogue happens there, in ``lang`` (English when no French is written)."""
        return self.dialogue_note_fr or self.dialogue_note if lang == "fr" else self.dialogue_note

    def note_in(self, lang: str) -> str:
        return self.note_fr or self.note if lang == "fr" else self.note

    def takes(self, form: str) -> bool:
        """Whether a post of this form can be published there (``video`` is any kind of video)."""
        return form in self.formats or (form == "video" and any("video" in f for f in self.formats))

    @property
    def weekly_effort_h(self) -> float:
        """Hours a week the least living presence costs."""
        return self.effort_post_h * self.min_posts_per_week


@dataclass(frozen=True)
class Tag:
    """A tag derived from a plan, with why: ``source`` is the plan path, ``cue`` the word that fired (or None)."""

    tag: str
    source: str
    cue: str | None = None


def normalize(text: str) -> str:
    """Lower case, accents stripped, typographic apostrophes made plain, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("ʼ", "'"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())


class Cues:
    """A list of cue words or phrases, matched as whole words (``*``: any ending)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(words)
        self._patterns = [(w, re.compile(self._pattern(w))) for w in self.words]

    @staticmethod
    def _pattern(cue: str) -> str:
        word = normalize(cue)
        prefix = word.endswith("*")
        body = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
        return r"(?<![\w])" + body + (r"[\w'-]*" if prefix else r"(?![\w])")

    def find(self, text: str) -> str | None:
        """The words of ``text`` that matched the first cue found, as written (accents kept), else None."""
        bare, origin = _bare_with_origin(text)
        for _, pattern in self._patterns:
            if found := pattern.search(bare):
                return text[origin[found.start()]:origin[found.end() - 1] + 1]
        return None


def _bare_with_origin(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased without accents (as :func:`normalize`, spaces kept), each character's index in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        c = "'" if c in "’ʼ" else c
        for part in unicodedata.normalize("NFKD", c):
            if not unicodedata.combining(part):
                lowered = part.lower()
                chars.append(lowered)
                origin.extend([i] * len(lowered))
    return "".join(chars), origin


@lru_cache(maxsize=1)
def platforms() -> dict[str, Platform]:
    """The knowledge base, by platform id, in file order."""
    raw = tomllib.loads((DATA / "platforms.toml").read_text(encoding="utf-8"))["platform"]
    return {key: _platform(key, value) for key, value in raw.items()}


def _platform(key: str, value: dict[str, Any]) -> Platform:
    return Platform(key, value["name"], tuple(value.get("aliases", ())), tuple(value["audiences"]),
                    tuple(value["formats"]), int(value["dialogue"]), value.get("dialogue_note", ""),
                    float(value["effort_post_h"]), float(value["min_posts_per_week"]),
                    tuple(value["objectives"]), value.get("b2b", "medium"), value.get("note", ""),
                    value.get("dialogue_note_fr", ""), value.get("note_fr", ""))


def platform_id(name: str) -> str | None:
    """The knowledge base's id for a platform written in a plan (its id or an alias), else None."""
    wanted = normalize(name)
    for key, platform in platforms().items():
        if wanted == key or wanted in (normalize(a) for a in platform.aliases):
            return key
    return None


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    return tomllib.loads((DATA / "lexicon.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=64)
def cues(section: str) -> dict[str, Cues]:
    """The cue lists of a lexicon section (``audience``, ``objective``, ``tactic``), by name."""
    return {name: Cues(entry["cues"]) for name, entry in _walk(_lexicon()[section], "")}


def _walk(table: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, value in table.items():
        if isinstance(value, dict) and "cues" in value:
            yield prefix + name, value
        elif isinstance(value, dict):
            yield from _walk(value, f"{prefix}{name}.")


def skills() -> tuple[str, ...]:
    """The skills a plan may name."""
    return tuple(_lexicon()["skills"]["known"])


def _tags_in(section: str, text: str, source: str) -> list[Tag]:
    return [Tag(name, source, cue) for name, found in cues(section).items() if (cue := found.find(text))]


def plan_audiences(plan: dict[str, Any]) -> list[Tag]:
    """Audience tags of a plan: written in ``tags``, read in ``who``, implied by the market (b2b, b2c)."""
    org = plan.get("organization") or {}
    found: list[Tag] = []
    for i, audience in enumerate(org.get("audiences") or []):
        where = f"organization.audiences[{i}]"
        found += [Tag(t, where) for t in audience.get("tags") or []]
        found += _tags_in("audience", str(audience.get("who") or ""), where)
    market = org.get("market")
    if market in ("b2b", "both"):
        found.append(Tag("professionals", "organization.market"))
    if market in ("b2c", "both"):
        found.append(Tag("consumers", "organization.market"))
    return _first_of_each(found)


def plan_objectives(plan: dict[str, Any]) -> list[Tag]:
    """Objective kinds of a plan: written in ``kind``, else read in the objective's text."""
    found: list[Tag] = []
    for i, objective in enumerate(plan.get("objectives") or []):
        where = f"objectives[{i}]"
        if objective.get("kind"):
            found.append(Tag(objective["kind"], where))
        else:
            found += _tags_in("objective", str(objective.get("text") or ""), where)
    return _first_of_each(found)


def objective_kinds(objective: dict[str, Any]) -> set[str]:
    """The kinds of one objective (written, else read in its text)."""
    if objective.get("kind"):
        return {str(objective["kind"])}
    return {t.tag for t in _tags_in("objective", str(objective.get("text") or ""), "")}


def plan_formats(plan: dict[str, Any]) -> list[Tag]:
    """Formats the plan means to publish (lines of work, actions) or already holds (inventory)."""
    found: list[Tag] = []
    for section, field in (("lines_of_work", "form"), ("actions", "form"), ("inventory", "kind")):
        for i, item in enumerate(plan.get(section) or []):
            forms = item.get(field) or []
            for form in [forms] if isinstance(forms, str) else forms:
                mapped = FORMAT_ALIASES.get(normalize(str(form)))
                if mapped:
                    found.append(Tag(mapped, f"{section}[{i}]", str(form)))
    return _first_of_each(found)


def _first_of_each(tags: list[Tag]) -> list[Tag]:
    seen: dict[str, Tag] = {}
    for tag in tags:
        seen.setdefault(tag.tag, tag)
    return list(seen.values())
