"""Strangers' content in the report: post texts, names and links.

Texts are escaped first (nothing a stranger wrote is ever markup), then their http(s) links are
turned into plain ``<a href>`` elements, and the result goes through ``nh3`` (ammonia), which
keeps only ``<a href>`` with an http(s) URL and adds ``rel="noopener nofollow"``. Anything else,
including ``javascript:`` and ``data:`` links, ends up as text or nothing.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup, escape

__all__ = ["REL", "linked_text", "safe_url"]

REL = "noopener nofollow"
URL = re.compile(r"https?://[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]")
ALLOWED_SCHEMES = {"http", "https"}


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.netloc or any(c in url for c in "\"'<> \t\n\\"):
        return None
    return url


def linked_text(text: str | None) -> Markup:
    """``text`` escaped, with its http(s) links clickable, sanitized by nh3."""
    text = text or ""
    pieces: list[str] = []
    end = 0
    for match in URL.finditer(text):
        url = escape(match.group(0))
        pieces += [str(escape(text[end:match.start()])), f'<a href="{url}">{url}</a>']
        end = match.end()
    pieces.append(str(escape(text[end:])))
    clean = nh3.clean("".join(pieces), tags={"a"}, attributes={"a": {"href"}}, url_schemes=ALLOWED_SCHEMES,
                      link_rel=REL, strip_comments=True)
    return Markup(clean)
