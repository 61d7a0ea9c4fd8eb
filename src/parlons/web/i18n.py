"""The interface's French and English, from parlons' own gettext catalogs.

Messages are English in the code (``_()``, ``ngettext()``, ``N_()``) and the templates (``_()``,
``ngettext()`` through Jinja2's i18n extension); Babel extracts both into ``parlons.pot`` with the
rest of parlons (``locale/babel.cfg``). The language is the one Django's ``LocaleMiddleware`` chose
for the request: the user's choice (a cookie set by the language form), else the browser's
``Accept-Language``, else French.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

from django.utils import translation

import parlons

__all__ = ["N_", "_", "current_language", "ngettext", "translator"]

LOCALE_DIR = Path(parlons.__file__).parent / "locale"
DOMAIN = "parlons"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; translate it later with :func:`_`."""
    return message


def current_language() -> str:
    """``fr`` or ``en``: the request's language."""
    code = (translation.get_language() or "fr")[:2]
    return code if code in {"fr", "en"} else "fr"


@lru_cache(maxsize=4)
def _catalog(code: str) -> _gettext.NullTranslations:
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=code == "en")


def translator(code: str) -> _gettext.NullTranslations:
    """The catalog of ``code`` (``fr`` or ``en``), whatever the request's language."""
    return _catalog(code if code in {"fr", "en"} else "fr")


def _(message: str) -> str:
    """``message`` in the request's language."""
    return _catalog(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message for ``n``, in the request's language."""
    return _catalog(current_language()).ngettext(singular, plural, n)
