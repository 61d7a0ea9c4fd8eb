"""The Jinja2 environment of the pages: autoescaped, translated, with a few helpers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment

from .i18n import _, current_language, ngettext
from .navigation import section_links, workspace_links

__all__ = ["context", "environment"]


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=current_language())


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, locale=current_language())


def when(value: datetime | str | None, zone: str | None = None) -> str:
    """A moment for the reader: the locale's medium format, in ``zone`` (else UTC)."""
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    try:
        tzinfo = ZoneInfo(zone) if zone else UTC
    except (ValueError, ZoneInfoNotFoundError):
        tzinfo = UTC
    return format_datetime(moment, format="medium", tzinfo=tzinfo, locale=current_language())


def day(value: datetime | str | None, zone: str | None = None) -> str:
    """The date of a moment for the reader (the locale's medium date), in ``zone`` (else UTC)."""
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return format_date(moment.astimezone(_zone(zone)), format="medium", locale=current_language())


def _zone(zone: str | None) -> tzinfo:
    try:
        return ZoneInfo(zone) if zone else UTC
    except (ValueError, ZoneInfoNotFoundError):
        return UTC


def rule(value: str | None) -> str:
    """The rule that made a post a request (``request: svp``): its name in the reader's language, the word kept."""
    if not value:
        return ""
    name, colon, word = value.partition(": ")
    if colon and name and word:
        return _("%(rule)s: %(word)s") % {"rule": _(name), "word": word}
    return _(value)


def environment(**options: Any) -> Environment:
    options.setdefault("autoescape", True)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(url=url, static=static, lang=current_language, tr=_, workspace_links=workspace_links,
                       section_links=section_links)
    env.filters.update(number=number, percent=percent, when=when, day=day, rule=rule)
    return env


def context(request: HttpRequest) -> dict[str, Any]:
    return {"messages": get_messages(request), "user": getattr(request, "user", None),
            "unread_mentions": lambda: _unread_mentions(request)}


def _unread_mentions(request: HttpRequest) -> int:
    """The signed-in user's mentions not read yet, in workspaces they still belong to (the header's count)."""
    from .dialogue.models import Notification

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True,
                                       comment__workspace__memberships__user=user).count()
