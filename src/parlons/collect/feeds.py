"""Collect RSS/Atom feeds and the comment feeds they announce, with conditional GET.

Each feed is fetched with ``If-None-Match`` / ``If-Modified-Since`` from the last run (a ``304``
costs nothing and adds nothing); the comment feeds an RSS feed announces (``wfw:commentRss``) or an
Atom feed links (``rel="replies"``) are followed, except those on plain http: each is skipped and
named in the report's notes, and the rest of the feed is collected. What was fetched is read by the feed importer
itself (:mod:`parlons.importers.feeds`), so a blog collected, imported from a saved feed or from
its WXR export is stored once; each row's ``source_file`` is the feed's URL.
"""

from __future__ import annotations

import html
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import CollectError
from ..ingest import import_paths
from ..store import Store
from ._http import HttpClient, NotFound, Reach, RequestCap, plain_http
from ._sink import Batch, CollectReport, Progress, Sink

__all__ = ["collect_feeds"]

MAX_COMMENT_FEEDS = 200
_COMMENT_RSS = re.compile(rb"<wfw:commentRss>\s*([^<\s]+)\s*</wfw:commentRss>", re.IGNORECASE)
_ATOM_REPLIES = re.compile(rb"<link\b[^>]*\brel=[\"']replies[\"'][^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Fetched:
    url: str
    body: bytes | None
    """None when the server answered 304 Not Modified."""


def collect_feeds(store: Store, urls: list[str], *, comments: bool = True, max_requests: int = 2000,
                  client_for: Any = None, progress: Progress | None = None,
                  reach: Reach = "any") -> list[CollectReport]:
    """Fetch each feed (and its comment feeds) and import what changed; one report per feed.

    ``reach="public"`` connects only to public addresses (a server collecting for its users).
    """
    def client(url: str) -> HttpClient:
        return client_for(url) if client_for else HttpClient(url, max_requests=max_requests, reach=reach)

    return [_collect_one(store, url, comments, client, progress) for url in urls]


def _collect_one(store: Store, url: str, comments: bool, client_for: Any,
                 progress: Progress | None) -> CollectReport:
    http: HttpClient = client_for(url)
    report = CollectReport("blog", url, url)
    sink = Sink(store, "feed-collect", report, progress, lambda: http.requests)
    cursor = sink.cursor()
    try:
        main = _fetch(http, url, cursor, main=True)
        fetched = [main]
        if comments and main.body is not None:
            links = _comment_feeds(main.body, url)[:MAX_COMMENT_FEEDS]
            fetched += [_fetch(http, link, cursor, main=False) for link in _secure(links, report)]
        _import(store, [f for f in fetched if f.body is not None], report)
        if main.body is None:
            report.notes.append("not modified since the last run (304)")
    except RequestCap:
        report.complete = False
        report.stopped = f"reached the cap of {http.max_requests} requests; run again to go on"
    except NotFound:
        raise CollectError(f"{url} answered 404: there is no feed at this address") from None
    finally:
        report.requests = http.requests
        http.close()
    sink.commit(Batch(), cursor)
    return report


def _fetch(http: HttpClient, url: str, cursor: dict[str, Any], *, main: bool) -> Fetched:
    known = cursor.get(url, {})
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
    if known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known.get("modified"):
        headers["If-Modified-Since"] = known["modified"]
    try:
        response = http.get(url, headers=headers, ok=(200, 304))
    except NotFound:
        if main:
            raise
        return Fetched(url, None)  # a comment feed that is gone: nothing to read
    cursor[url] = {"etag": response.headers.get("etag"), "modified": response.headers.get("last-modified")}
    return Fetched(url, None if response.status == 304 else response.body)


def _secure(links: list[str], report: CollectReport) -> list[str]:
    """The comment feeds parlons may fetch; each one on plain http is skipped, named in a note (the
    feed's own posts and its other comment feeds are still collected)."""
    for link in links:
        if plain_http(link):
            report.notes.append(f"comment feed skipped: {link} is on plain http, which parlons does not "
                                "fetch (only https); the comments it holds are not collected")
    return [link for link in links if not plain_http(link)]


def _comment_feeds(body: bytes, base: str) -> list[str]:
    links = [m.group(1) for m in _COMMENT_RSS.finditer(body)]
    links += [h.group(1) for tag in _ATOM_REPLIES.findall(body) if (h := _HREF.search(tag))]
    seen: dict[str, None] = {}
    for raw in links:
        link = html.unescape(raw.decode("utf-8", "replace")).strip()
        if link.startswith(("http://", "https://")) and link != base:
            seen.setdefault(link, None)
    return list(seen)


def _member_name(index: int, url: str) -> str:
    """``feed.xml`` for the feed asked for, ``comments-NNN-<its path>.xml`` for a comment feed."""
    if index == 0:
        return "feed.xml"
    parts = urlsplit(url)
    slug = _UNSAFE.sub("-", f"{parts.path}{parts.query}").strip("-")[:100]
    return f"comments-{index:03d}-{slug}.xml" if slug else f"comments-{index:03d}.xml"


def _import(store: Store, fetched: list[Fetched], report: CollectReport) -> None:
    if not fetched:
        return
    with tempfile.TemporaryDirectory(prefix="parlons-feeds-") as folder:
        for index, item in enumerate(fetched):
            (Path(folder) / _member_name(index, item.url)).write_bytes(item.body or b"")
        # one folder, so the importer tells the blog's own comments; one transaction, the URL as source_file
        result = import_paths(store, [folder], source_label=fetched[0].url)
    report.fetched += result.merge.staged
    report.inserted += result.merge.inserted
    report.already_stored += result.merge.already_stored
    report.notes.extend(note for file in result.files for note in file.notes)
