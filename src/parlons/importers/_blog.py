"""Helpers for blog importers (WordPress WXR exports, RSS and Atom feeds), so that both give the same rows.

A blog is the account named by its host (:func:`site_host`), a visitor who comments is named as
they signed (:func:`commenter_account`), and an HTML body gives ``text``, ``html``, links, media
and hashtags the same way whatever the source (:func:`body_fields`, WordPress shortcodes included).
"""

from __future__ import annotations

import html as htmllib
import re
from typing import Any
from urllib.parse import urlsplit

from ..normalize import hashtags_in, html_links, html_media, html_to_text, unique, urls_in

__all__ = ["body_fields", "commenter_account", "entities", "given_site", "site_host", "wordpress_key",
           "wordpress_post_id"]

SHORTCODE = re.compile(r"\[(/?)(caption|wp_caption|gallery|embed|video|audio|playlist)\b([^\]]*)\]")
GALLERY_IDS = re.compile(r"""\bids\s*=\s*["']?([\d,\s]+)""")
WORDPRESS_GUID = re.compile(r"^https?://[^?#]*\?(?:p|page_id)=(\d+)$")


def entities(value: str | None) -> str:
    """Text with HTML character references decoded and surrounding spaces trimmed."""
    return htmllib.unescape(value or "").strip()


def site_host(url: str | None) -> str | None:
    """A blog's account: its host, lowercase, without ``www.`` (``https://www.Site.fr/x`` → ``site.fr``)."""
    try:
        host = urlsplit((url or "").strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def given_site(value: str | None) -> str | None:
    """The site named by ``--account`` (``blog.example``, ``https://blog.example/``), as a URL."""
    value = (value or "").strip()
    if not value:
        return None
    url = value if "://" in value else f"https://{value.lstrip('@')}"
    return url if site_host(url) else None


def wordpress_key(host: str, post_id: str) -> str:
    """The id of WordPress post ``post_id`` of the blog ``host`` (its account): ``site.fr/?p=10``.

    WordPress numbers posts within a site; a post's ``guid`` is not unique (a copied post keeps the
    guid of its model), its number is. WXR exports and feeds give the same key for one post.
    """
    return f"{host}/?p={post_id}"


def wordpress_post_id(guid: str | None, host: str) -> str | None:
    """The WordPress post number in a guid of the site ``host`` (``https://host/?p=10`` → ``10``)."""
    match = WORDPRESS_GUID.match((guid or "").strip())
    if match is None or site_host(guid) != host:
        return None
    return match.group(1)


def commenter_account(name: str | None, url: str | None, site: str) -> str:
    """A commenter's account: the name as written, else their site's host and path, else Anonymous.

    A visitor who signs with the blog's own host (``site``) is marked, so they cannot pass for it.
    """
    account = entities(name)
    host = site_host(url)
    if not account and host:
        account = host + urlsplit((url or "").strip()).path.rstrip("/")
    account = account or "Anonymous"
    return f"{account} (visitor)" if account.casefold() == site.casefold() else account


def body_fields(html: str | None, base: str | None, plain: str | None = None) -> dict[str, Any]:
    """``text``, ``html``, ``urls``, ``media_count``, ``media_kinds`` and hashtags of an HTML body.

    ``plain`` is the text of a source that has no HTML (then ``html`` is None).
    """
    body = html or ""
    text = plain.strip() if html is None and plain is not None else html_to_text(SHORTCODE.sub("", body))
    kinds = html_media(body) + _shortcode_media(body)
    return {"text": text, "html": body or None, "urls": unique(html_links(body, base) + urls_in(text)),
            "media_kinds": kinds, "media_count": len(kinds), "hashtags": hashtags_in(text)}


def _shortcode_media(body: str) -> list[str]:
    kinds: list[str] = []
    for closing, name, attributes in SHORTCODE.findall(body):
        if closing:
            continue
        if name in ("video", "audio"):
            kinds.append(name)
        elif name == "gallery":
            ids = GALLERY_IDS.search(attributes)
            kinds.extend(["image"] * (len([i for i in ids.group(1).split(",") if i.strip()]) if ids else 1))
    return kinds
