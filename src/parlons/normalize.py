"""Small, pure helpers shared by importers: handles, HTML to text, entities, times, mojibake.

None of these functions executes or renders anything from its input: HTML is parsed into a tree
and only its text is kept.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

__all__ = [
    "client_name",
    "handle",
    "hashtags_in",
    "html_links",
    "html_media",
    "html_to_text",
    "mentions_in",
    "parse_time",
    "repair_mojibake",
    "unique",
    "urls_in",
    "without_quote_fallback",
]

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(p|div|li|blockquote|h[1-6]|pre|tr)\s*>", re.IGNORECASE)
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TAG = re.compile(r"<[^>]+>")
_MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)")
_HASHTAG = re.compile(r"(?<![\w&/])#(\w*[^\W\d]\w*)")
_URL = re.compile(r"https?://[^\s<>\"'»)\]]+[^\s<>\"'»)\].,;:!?]")


QUOTE_FALLBACK = r'(?is)<p class="quote-inline">.*?</p>'
"""The paragraph Mastodon (4.4 and later) puts first in a quote post's HTML for servers that do not show
quotes: ``RE: <a href="…">link to the quoted post</a>``. Its own pages hide it; so does parlons: the quoted
post is the post's ``quote_of_id``, not its text nor one of its links."""
_QUOTE_FALLBACK = re.compile(QUOTE_FALLBACK)


def without_quote_fallback(html: str) -> str:
    """``html`` without Mastodon's quote fallback paragraph (:data:`QUOTE_FALLBACK`)."""
    return _QUOTE_FALLBACK.sub("", html) if "quote-inline" in html else html


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, breaks kept as newlines."""
    if not html:
        return ""
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", _BREAK.sub("\n", html))
    tree = LexborHTMLParser(f"<body>{marked}</body>")
    for node in tree.css("script, style, template"):
        node.decompose()
    body = tree.body
    text = body.text(separator="") if body is not None else ""
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def client_name(source: str | None) -> str | None:
    """The client app's name from an X ``source`` (``<a href=...>TweetDeck</a>``) or plain text."""
    if not source:
        return None
    if "<" not in source:
        return source.strip() or None
    return html_to_text(source) or _TAG.sub("", source).strip() or None


def repair_mojibake(text: str) -> str:
    """Undo Facebook/Instagram's escaping of UTF-8 bytes as ``\\u00c3\\u00a9`` (latin-1 → UTF-8)."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def unique(items: list[str]) -> list[str]:
    """Items in order, repeats removed."""
    return list(dict.fromkeys(i for i in items if i))


def handle(platform: str, raw: str | None, *, instance: str | None = None) -> str | None:
    """A handle normalized for ``platform``: ``org`` on X, ``@org@instance`` on Mastodon, ..."""
    if raw is None:
        return None
    value = raw.strip()
    if not value:
        return None
    if platform == "x":
        return value.lstrip("@")
    if platform == "mastodon":
        return _mastodon_handle(value, instance)
    if platform == "bluesky":
        return value.lstrip("@").lower()
    return value


def _mastodon_handle(value: str, instance: str | None) -> str:
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        user = parts.path.rstrip("/").rsplit("/", 1)[-1].lstrip("@")
        return f"@{user}@{parts.hostname}"
    user, _, host = value.lstrip("@").partition("@")
    host = host or instance or ""
    return f"@{user}@{host.lower()}" if host else f"@{user}"


def mentions_in(text: str, platform: str = "x") -> list[str]:
    """Handles mentioned with ``@`` in plain text, normalized for ``platform``."""
    found = (handle(platform, m) for m in _MENTION.findall(text or ""))
    return unique([h for h in found if h])


def hashtags_in(text: str) -> list[str]:
    """Hashtags (without ``#``) in plain text, as written."""
    return unique(_HASHTAG.findall(text or ""))


def urls_in(text: str) -> list[str]:
    """Links written in plain text."""
    return unique(_URL.findall(text or ""))


_TIME_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # X v1.1: Wed Oct 11 06:55:44 +0000 2017
    "%Y-%m-%d %H:%M:%S %z",  # Grailbird: 2012-09-30 20:11:28 +0000
    "%Y-%m-%d %H:%M:%S",  # LinkedIn, WordPress (naive: UTC assumed by caller)
)
_UTC_FORMATS = (
    "%Y/%m/%d %H:%M:%S",  # LinkedIn's exports of 2017-2018: 2017/06/08 08:15:44 UTC
    "%Y-%m-%d %H:%M:%S",
)
"""Formats written with a trailing `` UTC``: the time is UTC whatever the caller assumes of naive ones."""


def parse_time(value: str | int | float | None, *, naive_is_utc: bool = True) -> datetime | None:
    """A UTC datetime from the timestamp styles exports use; None when empty or unparseable."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    text = value.strip()
    parsed = _parse_iso(text) or _parse_formats(text) or _parse_rfc822(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        if not naive_is_utc:
            return None
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_formats(text: str) -> datetime | None:
    if text.endswith(" UTC"):
        for fmt in _UTC_FORMATS:
            try:
                return datetime.strptime(text[:-4], fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _parse_rfc822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


_MEDIA_FILE = re.compile(r"\.(jpe?g|png|gif|webp|svg|bmp|tiff?|mp4|webm|mov|m4v|mp3|ogg|oga|m4a|wav)$",
                         re.IGNORECASE)
_VIDEO_HOSTS = re.compile(r"(^|\.)(youtube\.com|youtube-nocookie\.com|youtu\.be|vimeo\.com|dailymotion\.com|"
                          r"dai\.ly|twitch\.tv|ted\.com|peertube\.[a-z.]+)$", re.IGNORECASE)
_MEDIA_TAGS = {"img": "image", "video": "video", "audio": "audio", "object": "other", "embed": "other"}


def html_links(html: str | None, base: str | None = None) -> list[str]:
    """Absolute http(s) targets of an HTML fragment's ``<a href>``, in order, no repeats.

    Relative links are resolved against ``base``; in-page anchors (``#...``) and links to media
    files (images, video, audio) are left out. Nothing is fetched.
    """
    if not html or "<" not in html:
        return []
    tree = LexborHTMLParser(f"<body>{html}</body>")
    found = (_absolute(node.attributes.get("href"), base) for node in tree.css("a[href]"))
    return unique([url for url in found if url and not _MEDIA_FILE.search(urlsplit(url).path)])


def _absolute(href: str | None, base: str | None) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base, href) if base else href
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def html_media(html: str | None) -> list[str]:
    """Kinds of the media an HTML fragment embeds, in order (model ``media_kinds`` values).

    ``<img>`` is an image, ``<video>`` and iframes from known video hosts are videos, ``<audio>``
    is audio, Flash ``<object>``/``<embed>`` (one per player) is other.
    """
    if not html or "<" not in html:
        return []
    tree = LexborHTMLParser(f"<body>{html}</body>")
    kinds: list[str] = []
    for node in tree.css("img, video, audio, iframe, object, embed"):
        if node.tag == "embed" and node.parent is not None and node.parent.tag == "object":
            continue
        if node.tag == "iframe":
            if _VIDEO_HOSTS.search(_host(node.attributes.get("src"))):
                kinds.append("video")
            continue
        kinds.append(_MEDIA_TAGS.get(node.tag or "", "other"))
    return kinds


def _host(url: str | None) -> str:
    try:
        return urlsplit(url or "").hostname or ""
    except ValueError:
        return ""
