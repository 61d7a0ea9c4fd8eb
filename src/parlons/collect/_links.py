"""The ``Link`` header (RFC 8288) as Mastodon writes it: ``<url>; rel="next", <url>; rel="prev"``."""

from __future__ import annotations

import re

__all__ = ["link_targets"]

_LINK = re.compile(r'<([^<>]*)>\s*((?:;\s*[^;,]*)*)')
_REL = re.compile(r'rel\s*=\s*"?([^";,]+)"?', re.IGNORECASE)


def link_targets(header: str) -> dict[str, str]:
    """``rel`` -> URL for every link of the header (the first of each rel wins)."""
    found: dict[str, str] = {}
    for url, params in _LINK.findall(header or ""):
        rel = _REL.search(params)
        if rel:
            for name in rel.group(1).split():
                found.setdefault(name.lower(), url.strip())
    return found
