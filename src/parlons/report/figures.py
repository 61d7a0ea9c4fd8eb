"""One figure as the reader sees it: label, value in the locale, denominator, or why there is none."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from typing import Any

from ..audit.result import Figure
from .fmt import Formatter
from .methods import entry

__all__ = ["Figures", "Shown"]


@dataclass(frozen=True)
class Shown:
    """A figure ready to print. ``value`` and ``n`` are the audit's own, for the page's data attributes."""

    metric: str
    label: str
    text: str
    detail: str
    status: str
    value: Any = None
    n: int | None = None


class Figures:
    """Turns audit items (a :class:`~parlons.audit.result.Figure` or a plain count) into :class:`Shown`."""

    def __init__(self, t: gettext.NullTranslations, fmt: Formatter) -> None:
        self.t = t
        self.fmt = fmt

    def value_text(self, value: float, style: str) -> str:
        if style == "share":
            return self.fmt.share(value)
        if style == "duration":
            return self.fmt.duration(value)
        if style in ("decimal", "score"):
            return self.fmt.decimal(value, 2 if abs(value) < 10 else 1)
        return self.fmt.count(value)

    def show(self, family: str, key: str, item: Figure | float | None, *, label: str | None = None) -> Shown:
        """``item`` of ``family.key``, labelled and styled from the metric dictionary."""
        meta = entry(family, key)
        name = label or self.t.gettext(meta.label)
        metric = f"{family}.{key}"
        if not isinstance(item, Figure):
            text = "–" if item is None else self.value_text(item, meta.style)
            return Shown(metric, name, text, "", "ok" if item is not None else "none", item, None)
        n = item.n
        if item.status == "too few" and n == 0:  # nothing to count: "–, n = 0 replies to others", not "too few"
            return Shown(metric, name, "–", self.denominator(meta.denominator, 0), item.status, None, 0)
        if item.status == "too few":
            detail = self.t.gettext("n = %(n)s, under the minimum of %(min)s") % {
                "n": self.fmt.count(n), "min": self.fmt.count(item.min_n)}
            return Shown(metric, name, self.t.gettext("too few"), detail, item.status, None, n)
        if item.value is None:
            return Shown(metric, name, "–", self.t.gettext("no value (n = %(n)s)") % {"n": self.fmt.count(n)},
                         "none", None, n)
        return Shown(metric, name, self.value_text(item.value, meta.style), self.denominator(meta.denominator, n),
                     "ok", item.value, n)

    def denominator(self, what: str, n: int | None) -> str:
        if n is None:
            return ""
        if not what:
            return f"n = {self.fmt.count(n)}"
        params = {"n": self.fmt.count(n), "denominator": self.t.gettext(what)}
        return self.t.gettext("n = %(n)s %(denominator)s") % params

    def unknown(self, family: str, key: str, reason: str) -> Shown:
        """A figure the data cannot support, with the reason."""
        return Shown(f"{family}.{key}", self.t.gettext(entry(family, key).label), self.t.gettext("unknown"),
                     self.t.gettext(reason) if reason else "", "unknown")  # gettext("") is the catalog's header
