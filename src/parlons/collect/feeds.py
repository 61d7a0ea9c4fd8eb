"""Collect RSS/Atom feeds and the comment feeds they announce, with conditional GET.

Each feed is fetched with ``If-None-Match`` / ``If-Modified-Since`` from the last run (a ``304``
costs nothing and adds nothing); the comment feeds an RSS feed announces (``wfw:commentRss``) or an
Atom feed links (``rel="replies"``) are followed, except those on plain http: each is skipped and
named in the report's notes, and the rest of the feed is collected. What was fetched is read by the feed importer
itself (:mod:`parlons.importers.feeds`), so a blog collected, imported from a saved feed or from
its WXR export is stored once; each row's ``source_file`` is the feed's URL.
"""

from __future__ import annotations

import codecs
import html
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import CollectError, FormatNotRecognised, InputError
from ..importers._base import ImportOptions
from ..ingest import FileReport, import_paths
from ..store import Store
from ._http import HttpClient, NotFound, Reach, RequestCap, plain_http
from ._sink import Batch, CollectReport, Progress, Sink

__all__ = ["collect_feeds"]

MAX_COMMENT_FEEDS = 200
_COMMENT_RSS = re.compile(rb"<wfw:commentRss>\s*([^<\s]+)\s*</wfw:commentRss>", re.IGNORECASE)
_ATOM_REPLIES = re.compile(rb"<link\b[^>]*\brel=[\"']replies[\"'][^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"\bhref=[\"']([^\"']+)[\"']", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CHARSET = re.compile(r"""\bcharset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_DECLARED = re.compile(rb"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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
    if response.status == 304:
        return Fetched(url, None)
    return Fetched(url, _with_http_charset(response.body, response.headers.get("content-type")))


def _with_http_charset(body: bytes, content_type: str | None) -> bytes:
    """The XML body in UTF-8 when the answer's ``Content-Type`` names its charset (RFC 7303: it outranks
    the XML declaration, which is rewritten to say so; a byte order mark outranks both). Unchanged when
    there is none, the body is not XML, or does not decode in that charset (a server's default charset
    on a file written in another: the declaration is then right)."""
    found = _CHARSET.search(content_type or "")
    if found is None or body.startswith(_BOMS) or body.lstrip()[:1] != b"<":
        return body
    try:
        text = body.decode(codecs.lookup(found.group(1)).name)
    except (LookupError, UnicodeDecodeError):
        return body
    return _DECLARED.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)


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
    urls = {_member_name(index, item.url): item.url for index, item in enumerate(fetched)}
    with tempfile.TemporaryDirectory(prefix="parlons-feeds-") as folder:
        for name, item in zip(urls, fetched, strict=True):
            (Path(folder) / name).write_bytes(item.body or b"")
        # one folder, so the importer tells the blog's own comments; one transaction, the URL as source_file;
        # a feed that does not link its site is the blog at the feed's own address
        options = ImportOptions(account=_site(fetched[0].url))
        # without the lookup of stored keys, as the sink writes (see Sink.commit): within a store kept open
        # (the workspace), a feed collected again failed for want of memory when the lookup dropped the cache
        before, store.prefilter = store.prefilter, False
        try:
            result = import_paths(store, [folder], source_label=fetched[0].url, options=options)
        except InputError as exc:
            if exc.member is None or isinstance(exc, FormatNotRecognised):
                raise CollectError(f"{fetched[0].url} did not answer an RSS or Atom feed; give the address of the feed "
                                   "itself (often /feed/, /rss or /atom.xml)") from None
            # named by the temporary folder and its files: name the URLs instead
            where = urls.get(exc.member or "", fetched[0].url)
            record = f", record {exc.record}" if exc.record is not None else ""
            raise CollectError(f"{where}{record}: {exc.reason}") from None
        finally:
            store.prefilter = before
    report.fetched += result.merge.staged
    report.inserted += result.merge.inserted
    report.already_stored += result.merge.already_stored
    for file in result.files:
        report.notes.extend(note for note in file.notes if not note.startswith("--account "))
        report.notes.extend(_left_out(file, urls))


def _site(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _left_out(file: FileReport, urls: dict[str, str]) -> list[str]:
    """One note per reason the feed importer left items out, with the first such item and its feed's URL."""
    notes = []
    for reason, count in file.skipped.items():
        first = next((e for e in file.examples if e.reason == reason), None)
        where = f" (first: {first.record} in {urls.get(first.member, first.member)})" if first else ""
        notes.append(f"{count} {'item' if count == 1 else 'items'} left out: {reason}{where}")
    return notes
