"""The audit as a readable table in the terminal (the JSON holds everything), in French or English.

Labels are English msgids translated through parlons' catalogs; the audit's own sentences (next
step, coverage reasons) are translated with the same catalog as the report. Numbers, shares,
durations and dates follow the locale through Babel (``1 234``, ``63 %``, ``6 h 46`` in French;
``1,234``, ``63%``, ``6.8 h`` in English), as in the report.
"""

from __future__ import annotations

import gettext
from datetime import date

from babel.numbers import format_decimal, format_percent
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .audit.result import AuditResult, Figure
from .i18n import N_, format_count, resolve_language, translator
from .report.fmt import day_text
from .report.names import platforms_named

__all__ = ["print_summary"]

ROWS: tuple[tuple[str, str, str, str], ...] = (
    (N_("Requests that ask"), "responsiveness", "requests", "count"),
    (N_("Thanks and remarks (apart)"), "responsiveness", "by_intent.not_asking.requests", "count"),
    (N_("Answered"), "responsiveness", "answered_share", "share"),
    (N_("Median first response"), "responsiveness", "median_first_response_s", "duration"),
    (N_("90th percentile response"), "responsiveness", "p90_first_response_s", "duration"),
    (N_("Answered within 24 h"), "responsiveness", "answered_within_24h_share", "share"),
    (N_("Pending (too recent)"), "responsiveness", "pending", "count"),
    (N_("Answer untraceable"), "responsiveness", "untraceable", "count"),
    (N_("Posts"), "conversation", "posts", "count"),
    (N_("Replies to others"), "conversation", "replies_to_others_share", "share"),
    (N_("Threads (self-replies)"), "conversation", "self_replies_share", "share"),
    (N_("Reposts"), "conversation", "reposts_share", "share"),
    (N_("Questions to the audience"), "conversation", "questions_share", "share"),
    (N_("Automated posts"), "broadcast", "automated_share", "share"),
    (N_("Duplicated posts"), "broadcast", "duplicated_share", "share"),
    (N_("Link-only posts"), "broadcast", "link_only_share", "share"),
    (N_("Posts with links"), "content", "links_share", "share"),
    (N_("Posts with images"), "content", "images_share", "share"),
    (N_("Information"), "function", "information_share", "share"),
    (N_("Community"), "function", "community_share", "share"),
    (N_("Action"), "function", "action_share", "share"),
)
WHEN_ANY = frozenset({"untraceable"})
"""Rows shown only when a figure of one of the accounts is not zero (most sources never have one)."""
LEVELS = (N_("uncertain"),)


class _Cells:
    """Formats the audit's figures for one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.t = translator(lang)

    def cell(self, audit: AuditResult, family: str, key: str, style: str) -> str:
        if family == "responsiveness" and audit.responsiveness.status == "unknown":
            return self.t.gettext("unknown")
        if key == "images_share" and audit.content.posts and not audit.content.media_known_posts:
            return self.t.gettext("unknown")  # no imported file says which posts carry images (as in the report)
        item = audit.at(f"{family}.{key}")
        if isinstance(item, Figure):
            n = format_count(item.n, self.lang)
            if item.status == "too few":
                return self.t.gettext("too few (n = %(n)s)") % {"n": n}
            return "–" if item.value is None else f"{self.format(item.value, style)} (n = {n})"
        return "–" if item is None else self.format(item, style)

    def format(self, value: float, style: str) -> str:
        if style == "share":
            return format_percent(value, locale=self.lang)
        if style == "duration":
            return self.duration(value)
        return format_count(value, self.lang)

    def duration(self, seconds: float) -> str:
        if seconds < 3600:
            return f"{format_count(seconds / 60, self.lang)} min"
        if seconds < 48 * 3600 and self.lang == "fr":
            hours, minutes = divmod(round(seconds / 60), 60)
            return f"{hours} h {minutes:02d}"
        if seconds < 48 * 3600:
            return f"{format_decimal(seconds / 3600, format='#,##0.0', locale=self.lang)} h"
        days = format_decimal(seconds / 86400, format="#,##0.#", locale=self.lang)
        return self.t.gettext("%(days)s days") % {"days": days}

    def date(self, value: str | None) -> str:
        if not value:
            return "–"
        return day_text(date.fromisoformat(value[:10]), "medium", self.lang)


def print_summary(console: Console, audits: list[AuditResult], lang: str | None = None) -> None:
    """One column per account, one row per key figure, then maturity and the next step.

    ``lang`` is ``fr`` or ``en`` (default: from the environment, else French).
    """
    cells = _Cells(resolve_language(lang))
    t = cells.t
    period = audits[0].period
    table = Table(title=t.gettext("Audit %(since)s – %(until)s") % {
        "since": cells.date(period.since), "until": cells.date(period.until)})
    table.add_column("")
    for audit in audits:
        table.add_column(escape(f"{audit.account}\n{platforms_named(t, audit.platform)}"), justify="right")
    for label, family, key, style in ROWS:
        if key in WHEN_ANY and not any(audit.at(f"{family}.{key}") for audit in audits):
            continue
        table.add_row(t.gettext(label), *(cells.cell(a, family, key, style) for a in audits))
    table.add_row(t.gettext("Maturity"), *(_level(t, a.maturity.level) for a in audits))
    console.print(table)
    for audit in audits:
        _print_next_step(console, t, audit, cells.lang)


def _level(t: gettext.NullTranslations, level: object) -> str:
    if level is None:
        return "–"
    if isinstance(level, str):
        return t.gettext(level)
    return t.gettext("Level %(level)s of 5") % {"level": level}  # as the report's verdict says it


def _print_next_step(console: Console, t: gettext.NullTranslations, audit: AuditResult, lang: str) -> None:
    if audit.maturity.level is None:
        from .report.audit_text import needed_sentences

        console.print(t.gettext("%(account)s — no verdict, the evidence is too thin; would be needed:") % {
            "account": f"[bold]{escape(audit.account)}[/bold]"})
        for sentence in needed_sentences(t, audit, lambda n: format_count(n, lang)):
            console.print(f"  • {escape(sentence)}")
        return
    step = escape(t.gettext(audit.maturity.next_step))
    console.print(t.gettext("%(account)s — next step: %(step)s") % {
        "account": f"[bold]{escape(audit.account)}[/bold]", "step": step})
    reason = audit.coverage.responsiveness.reason
    if reason:
        console.print("  " + t.gettext("responsiveness unknown: %(reason)s") % {"reason": escape(t.gettext(reason))})
