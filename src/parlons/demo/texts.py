"""The demo's words: templates and vocabulary per language, in ``data/<lang>.toml``.

A template is a Python format string whose fields are filled from the call's context first, then
from the vocabulary (a random entry of the list of that name; ``{Branch}`` gives ``{branch}``
capitalized), then from a few computed fields: ``{n}`` and ``{m}`` (numbers), ``{year}``,
``{date}`` (a day after the post's time, in the language's format), ``{month}`` (the post's month).
"""

from __future__ import annotations

import random
import string
import tomllib
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import UsageError

__all__ = ["LANGUAGES", "Texts"]

LANGUAGES = ("fr", "en")
PARIS = ZoneInfo("Europe/Paris")


class Texts:
    """The templates and vocabulary of one language, with the random source that picks among them."""

    def __init__(self, lang: str, rng: random.Random) -> None:
        if lang not in LANGUAGES:
            raise UsageError(f"the demo speaks {' or '.join(LANGUAGES)}, not {lang!r}")
        source = resources.files(__package__).joinpath("data", f"{lang}.toml").read_text(encoding="utf-8")
        self.data: dict[str, Any] = tomllib.loads(source)
        self.rng = rng
        self.vocab: dict[str, list[str]] = self.data["vocab"]

    def name(self, key: str) -> str:
        return str(self.data["names"][key])

    def bank(self, path: str) -> list[Any]:
        """The list of templates at a dotted path (``org.info``)."""
        node: Any = self.data
        for part in path.split("."):
            node = node[part]
        assert isinstance(node, list), path
        return node

    def choose(self, path: str, **context: Any) -> str:
        return self.fill(self.rng.choice(self.bank(path)), **context)

    def pair(self, path: str, used: set[str] | None = None, **context: Any) -> list[str]:
        """A random entry of a bank of template lists (a title and its body, a request and its answer),
        filled with shared values; with ``used``, the first text is not one already used (and is added)."""
        texts = self.fill_many(self.pick(path), **context)
        for attempt in range(60):
            if used is None or texts[0] not in used:
                break
            texts = self.fill_many(self.pick(path), **context)
            if attempt >= 40:
                texts[0] = f"{texts[0]} ({attempt})"
        if used is not None:
            used.add(texts[0])
        return texts

    def pick(self, path: str) -> Any:
        """One raw entry of a bank (a template, or a list of templates)."""
        return self.rng.choice(self.bank(path))

    def fill(self, template: str, **context: Any) -> str:
        return self.fill_many([template], **context)[0]

    def fill_many(self, templates: list[str], **context: Any) -> list[str]:
        """Fill several templates with the same value for each field (``{book}`` is one book)."""
        values: dict[str, Any] = {}
        for template in templates:
            for _, name, _, _ in string.Formatter().parse(template):
                if name and name not in values:
                    values[name] = self._value(name, context)
        return [template.format(**values) for template in templates]

    def _value(self, name: str, context: dict[str, Any]) -> Any:
        if name in context:
            return context[name]
        if name[0].isupper() and name.lower() in self.vocab:
            value = str(self._value(name.lower(), context))
            return value[0].upper() + value[1:]
        if name in self.vocab:
            return self.rng.choice(self.vocab[name])
        when: datetime = context.get("when") or datetime(2024, 6, 1, tzinfo=PARIS)
        computed: dict[str, Callable[[], Any]] = {
            "n": lambda: self.rng.randint(3, 24),
            "m": lambda: self.rng.randint(40, 480),
            "year": lambda: when.astimezone(PARIS).year,
            "date": lambda: self.date(when + timedelta(days=self.rng.randint(2, 20))),
            "month": lambda: self.vocab["month_names"][when.astimezone(PARIS).month - 1],
        }
        if name not in computed:
            raise KeyError(f"template field {{{name}}} has no value")
        return computed[name]()

    def date(self, when: datetime) -> str:
        """A day in words: ``samedi 12 octobre`` / ``Saturday 12 October``."""
        day = when.astimezone(PARIS)
        return str(self.data["names"]["date_format"]).format(
            weekday=self.vocab["weekday_names"][day.weekday()], day=day.day,
            month=self.vocab["month_names"][day.month - 1])
