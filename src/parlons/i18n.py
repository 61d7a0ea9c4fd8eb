"""French and English through the standard gettext machinery.

Messages are written in English in the code and templates; translations live in
``locale/<lang>/LC_MESSAGES/parlons.po`` and are compiled to ``parlons.mo`` with Babel
(``docs/report.md`` gives the commands). The language is ``--lang`` when given, else the first
supported one named by ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (in gettext's order),
else French. :func:`format_count` writes a count for the reader's locale (``1 234`` in French).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from babel.numbers import format_decimal

__all__ = ["DEFAULT_LANGUAGE", "DOMAIN", "LANGUAGES", "LOCALE_DIR", "N_", "format_count", "resolve_language",
           "translator"]

DOMAIN = "parlons"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def resolve_language(lang: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """``lang`` if given (``fr``, ``en``, ``fr_FR.UTF-8``...), else the environment's, else French."""
    if lang:
        code = _code(lang)
        if code not in LANGUAGES:
            raise ValueError(f"unsupported language {lang!r}: choose one of {', '.join(LANGUAGES)}")
        return code
    env = os.environ if environ is None else environ
    for variable in ENVIRONMENT:
        for value in env.get(variable, "").split(":"):
            if _code(value) in LANGUAGES:
                return _code(value)
    return DEFAULT_LANGUAGE


def _code(value: str) -> str:
    return value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]


@lru_cache(maxsize=8)
def translator(lang: str | None = None) -> gettext.NullTranslations:
    """The catalog of ``lang`` (resolved as above): use its ``gettext`` and ``ngettext``.

    English is the language of the messages themselves, so a missing English catalog falls back
    to them; a missing French catalog is an installation error.
    """
    code = resolve_language(lang)
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=code == "en")


def format_count(value: float, lang: str) -> str:
    """A whole number with the locale's grouping: ``1\u202f234`` in French, ``1,234`` in English."""
    return format_decimal(value, format="#,##0", locale=lang)
