"""The whole list of unanswered requests that ask, as a CSV file beside the report.

The report shows the newest ones (the PDF a short list); the file holds all that the audit listed
(``AuditSettings.unanswered_limit``, newest first). Cells that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) are prefixed with an
apostrophe: strangers' texts never execute, in a report or in a spreadsheet. The column names and the
rule that made a request ask are in the report's language (the names in English are :data:`COLUMNS`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..audit.result import AuditResult
from ..i18n import N_, translator
from .audit_text import translate_rule

__all__ = ["COLUMNS", "csv_path", "to_csv"]

COLUMNS = (N_("account"), N_("platform"), N_("id"), N_("time_utc"), N_("author"), N_("text"), N_("link"),
           N_("asks_because"))
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_path(report: Path) -> Path:
    """``report.pdf`` -> ``report.unanswered.csv`` (the HTML and the PDF of one report share it)."""
    return report.with_name(f"{report.stem}.unanswered.csv")


def _cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(audit: AuditResult, lang: str = "en") -> bytes | None:
    """The unanswered requests that ask, one per line (UTF-8 with a byte-order mark, for spreadsheets), in
    ``lang``; None when the requests are unknown."""
    r = audit.responsiveness
    if r.status != "ok":
        return None
    t = translator(lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t.gettext(name) for name in COLUMNS])
    for u in r.unanswered_requests:
        writer.writerow([_cell(audit.account), _cell(audit.platform), _cell(u.id), u.time, _cell(u.author),
                         _cell(u.text), _cell(u.permalink), _cell(translate_rule(t, u.rule))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
