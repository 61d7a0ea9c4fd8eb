"""Numbers, shares, durations and dates written for the reader's locale, with Babel.

French: ``1 234,5``, ``67 %``, ``6 h 01``, ``4 mars 2024``. English: ``1,234.5``, ``67%``,
``6.0 h``, ``March 4, 2024``. Times are shown in the audit's time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

__all__ = ["Formatter", "day_text", "parse_time"]

DAY = 86400


def parse_time(value: str) -> datetime:
    """An ISO 8601 UTC time of the audit (``2024-03-04T09:00:00Z``)."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def day_text(day: date, style: str, lang: str) -> str:
    """``day`` written by Babel in ``style`` for ``lang``, with the French ordinal of the first day of a
    month (« 1er mars 2024 »; Babel writes « 1 mars »)."""
    text = format_date(day, format=style, locale=lang)
    return "1er" + text[1:] if lang == "fr" and text.startswith("1 ") else text


class Formatter:
    """Locale-aware formatting for one language and time zone."""

    def __init__(self, lang: str, timezone: str = "UTC") -> None:
        self.lang = lang
        self.timezone = timezone
        self._tz = ZoneInfo(timezone)
        pattern = Locale.parse(lang).percent_formats[None].pattern
        self._percent = pattern
        self._small_percent = pattern.replace("0", "0.#", 1) if "." not in pattern else pattern

    def count(self, value: float) -> str:
        return format_decimal(value, format="#,##0", locale=self.lang)

    def decimal(self, value: float, digits: int = 1) -> str:
        pattern = "#,##0." + "#" * digits if digits else "#,##0"
        return format_decimal(value, format=pattern, locale=self.lang)

    def share(self, value: float) -> str:
        """Whole percents; one decimal under 10 % so that a small share is not shown as 0 %."""
        pattern = self._small_percent if 0 < value < 0.1 else self._percent
        return format_percent(value, format=pattern, locale=self.lang)

    def duration(self, seconds: float) -> str:
        if seconds < 60:
            return f"{self.count(seconds)} s"
        if seconds < 3600:
            return f"{self.count(seconds / 60)} min"
        if seconds < 2 * DAY:
            if seconds % 3600 == 0:
                return f"{self.count(seconds / 3600)} h"
            if self.lang == "fr":
                hours, minutes = divmod(round(seconds / 60), 60)
                return f"{hours} h {minutes:02d}"
            return f"{format_decimal(seconds / 3600, format='#,##0.0', locale=self.lang)} h"
        days = self.decimal(seconds / DAY, 1 if seconds < 10 * DAY else 0)  # "733 days", not "733.2 days"
        return f"{days} jours" if self.lang == "fr" else f"{days} days"

    def date(self, value: str | datetime, style: str = "long") -> str:
        moment = parse_time(value) if isinstance(value, str) else value
        return day_text(moment.astimezone(self._tz).date(), style, self.lang)

    def datetime(self, value: str | datetime) -> str:
        moment = parse_time(value) if isinstance(value, str) else value
        local = moment.astimezone(self._tz)
        when = format_time(local, format="short", tzinfo=self._tz, locale=self.lang)
        return f"{day_text(local.date(), 'medium', self.lang)}, {when}"

    def period(self, since: str | None, until: str | None) -> str:
        if not since or not until:
            return "–"
        return f"{self.date(since)} – {self.date(until)}"
