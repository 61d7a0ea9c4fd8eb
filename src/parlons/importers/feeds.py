"""RSS and Atom feeds of a blog, with the per-post comment feeds WordPress publishes.

RSS 0.9x-2.0 (no namespace, or UserLand's), RSS 1.0 and 0.90 (RDF) and Atom 1.0 and 0.3 are read
(:class:`Dialect`, :data:`ATOM_DIALECTS`), and JSON Feed 1.0/1.1 (:func:`_json_entries`).

A main feed's items are the blog's posts: RSS ``<item>`` (``guid``, ``link``, ``title``,
``pubDate``, ``dc:creator``, ``content:encoded`` or ``description``, ``enclosure``,
``slash:comments``) or Atom ``<entry>`` (``id``, ``link rel="alternate"``, ``title``,
``published``, ``author/name``, ``content`` or ``summary``, ``thr:total``). A comment feed
(WordPress: ``/post-slug/feed/``, channel title "Comments on: <post>" or "Commentaires sur :
<post>") holds comments whose guid is ``<post guid>#comment-<id>``; Atom comment feeds also say
which comment or post each one answers (``thr:in-reply-to``). RSS comment feeds do not: a reader's
RSS comment answers the post; the blog's own has no ``in_reply_to_id`` (it answers one of the
comments above it, the feed does not say which), only its post as ``conversation_id``, so that the
audit can tell the requests under that post that it may have answered (``untraceable``, see
``docs/metrics.md``).

Feeds are small (the last posts or comments), so each is parsed whole, with the same safe XML
settings as the WXR importer (:mod:`parlons.importers._xml`: nothing fetched, entities refused).
All feeds of one source are read together: the posts' authors (``dc:creator``, ``author/name``)
tell which comments the blog itself wrote, and a post present in both the RSS and the Atom feed
has the same id, so it is stored once. A WordPress post's id is its number within the site
(``host/?p=N``, from a ``post-id`` element or a ``?p=N`` guid), as in the WXR importer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyarrow as pa
from lxml import etree

from ..normalize import html_to_text, mentions_in, parse_time
from ..sources import Member
from ._base import Importer, ReadContext, post_row
from ._blog import body_fields, commenter_account, entities, given_site, site_host, wordpress_key, wordpress_post_id
from ._meta import load_json
from ._xml import parse_document, root_tag

__all__ = ["IMPORTER", "FeedImporter"]

ATOM = "http://www.w3.org/2005/Atom"
ATOM_03 = "http://purl.org/atom/ns#"
RSS_1 = "http://purl.org/rss/1.0/"
RSS_090 = "http://my.netscape.com/rdf/simple/0.9/"
RSS_USERLAND = "http://backend.userland.com/rss2"
JSON_FEED_HEAD = re.compile(r"\s*\{")
JSON_FEED_VERSION = re.compile(r'"version"\s*:\s*"https?:(\\?/){2}jsonfeed\.org\\?/version\\?/1(\.\d+)?"')
PRE_ATOM = re.compile(r"""<feed\b[^>]*\bversion\s*=\s*["']0\.""")
"""Atom before 1.0 under its working names (Echo, Pie, Necho: ``<feed version="0.2">``)."""
RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
WP_POST_ID = "{com-wordpress:feed-additions:1}post-id"
THR = "http://purl.org/syndication/thread/1.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NS = {"a": ATOM, "thr": THR, "content": "http://purl.org/rss/1.0/modules/content/",
      "dc": "http://purl.org/dc/elements/1.1/", "slash": "http://purl.org/rss/1.0/modules/slash/",
      "dcterms": "http://purl.org/dc/terms/", "feedburner": "http://rssnamespace.org/feedburner/ext/1.0"}
RSS_DATES = ("dc:date", "dcterms:issued", "dcterms:created", "a:published", "a:updated", "dcterms:modified")
"""Where an RSS item's date is when it has no ``pubDate``, in order."""
COMMENT_FEED = re.compile(r"^\s*(comments?\s+(on|for)|commentaires?\s+(sur|pour|de))\b", re.IGNORECASE)
XMLNS = re.compile(r'\s+xmlns(:[\w.-]+)?="[^"]*"')
MEDIA_TYPES = {"image": "image", "video": "video", "audio": "audio"}


@dataclass
class Feed:
    """One feed file: the site it belongs to and whether it lists comments."""

    member: Member
    host: str
    title: str | None
    link: str | None
    description: str | None
    lang: str | None
    generator: str | None
    comments: bool


@dataclass
class Entry:
    """One RSS item or Atom entry, before it becomes a post or a comment."""

    feed: Feed
    id: str | None
    link: str | None
    title: str | None
    html: str | None
    text: str | None
    created_at: datetime | None
    author: str
    author_url: str | None = None
    reply_count: int | None = None
    enclosures: list[str] = field(default_factory=list)
    in_reply_to: str | None = None
    lang: str | None = None

    @property
    def comment(self) -> bool:
        return self.feed.comments or self.in_reply_to is not None or "#comment-" in (self.id or "")

    @property
    def post_of_comment(self) -> str | None:
        """The id of the post a comment belongs to."""
        for ref in (self.id, self.in_reply_to):
            if ref and "#comment-" in ref:
                return ref.split("#comment-", 1)[0]
        return self.in_reply_to


class FeedImporter(Importer):
    name = "feed"
    platform = "blog"
    description = "RSS (0.9x-2.0), Atom (0.3, 1.0) and JSON Feed feeds of a blog, with per-post comment feeds"
    example = "feed.rss2.xml, atom.xml, feed.json, comments-mon-article.rss2.xml"

    def detect(self, member: Member) -> bool:
        head = member.head_text()
        if JSON_FEED_HEAD.match(head):
            return JSON_FEED_VERSION.search(head) is not None
        root = (root_tag(head) or "").rsplit(":", 1)[-1]
        if root == "rss":
            return "wordpress.org/export/" not in head
        if root == "RDF":
            return RSS_1 in head or RSS_090 in head
        if root != "feed":
            return False
        return ATOM in head or ATOM_03 in head or PRE_ATOM.search(head) is not None

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        entries = [entry for member in members for entry in _entries(member, ctx)]
        yield from ctx.batches(Shaper(entries, ctx).rows())


class Shaper:
    """Turns the entries of all feeds of a source into rows, posts first, then comments."""

    def __init__(self, entries: list[Entry], ctx: ReadContext) -> None:
        self.ctx = ctx
        self.posts = _same_posts_once([e for e in entries if not e.comment])
        self.comments = [e for e in entries if e.comment]
        self.authors: dict[str, set[str]] = {}
        self.titles: dict[str, str | None] = {}
        for post in self.posts:
            self.authors.setdefault(post.feed.host, set()).add(post.author.casefold())
            self.titles.setdefault(post.feed.host, post.feed.title)
        self.accounts = {c.id: self.commenter(c) for c in self.comments}
        self._describe_sites(entries)

    def _describe_sites(self, entries: list[Entry]) -> None:
        for feed in {id(e.feed): e.feed for e in entries}.values():
            main = not feed.comments and feed.host in self.titles
            self.ctx.account(feed.member, platform="blog", account=feed.host,
                             display_name=feed.title if main else None, url=feed.link if main else None,
                             description=feed.description if main else None)
        for host in sorted({c.feed.host for c in self.comments} - set(self.authors)):
            self.ctx.note(f"comments of {host} were read without the blog's main feed, so the "
                          "blog's own answers among them cannot be recognised")

    def commenter(self, entry: Entry) -> str:
        host = entry.feed.host
        if entry.author and entry.author.casefold() in self.authors.get(host, set()):
            return host
        return commenter_account(entry.author, entry.author_url, host)

    def rows(self) -> Iterator[dict[str, Any]]:
        for post in self.posts:
            if _readable(post, self.ctx):
                yield self.post(post)
        for comment in self.comments:
            if _readable(comment, self.ctx):
                yield from self.comment(comment)

    def post(self, entry: Entry) -> dict[str, Any]:
        feed, post_id = entry.feed, entry.id
        body = _body(entry)
        return post_row(
            platform="blog", post_id=post_id, account=feed.host, account_name=feed.title,
            created_at=entry.created_at, title=entry.title, lang=entry.lang or feed.lang,
            kind="original", mentions=[], source=feed.generator, reply_count=entry.reply_count,
            permalink=entry.link, source_member=feed.member.name, source_record=post_id, **body)

    def comment(self, entry: Entry) -> Iterator[dict[str, Any]]:
        feed, post = entry.feed, entry.post_of_comment
        if post is None:
            self.ctx.skip(feed.member, entry.id, "comment that names neither its post nor a #comment- guid")
            return
        account = self.accounts[entry.id]
        answers = entry.in_reply_to or (None if account == feed.host else post)
        yield post_row(
            platform="blog", post_id=entry.id, account=account,
            account_name=self.titles.get(feed.host) if account == feed.host else entry.author or None,
            created_at=entry.created_at, kind="comment", in_reply_to_id=answers,
            in_reply_to_account=self._answered_account(entry, answers, account),
            conversation_id=post, permalink=entry.link, source_member=feed.member.name,
            source_record=entry.id, **_comment_body(entry))


    def _answered_account(self, entry: Entry, answers: str | None, account: str) -> str | None:
        """Whom a comment answers: the commenter it replies to when the feed says so; else the blog (a
        comment under its post). The blog's own comment under its own post answers readers, not
        itself: unknown (``None``), so that it is not counted as a thread of the blog with itself."""
        if answers is None:
            return None
        if answers != entry.post_of_comment:
            return self.accounts.get(answers)
        return None if account == entry.feed.host else entry.feed.host


def _same_posts_once(posts: list[Entry]) -> list[Entry]:
    """One entry per post id: a post in both the RSS and the Atom feed is read once.

    The first entry is kept; what only the other feed says (RSS enclosures, a comment count) is
    added to it. An id repeated within one feed is kept as it is, so the import reports it as
    repeated in the input.
    """
    kept: dict[str, Entry] = {}
    repeated: list[Entry] = []
    for index, post in enumerate(posts):
        first = kept.setdefault(post.id or f"\0{index}", post)
        if first is post:
            continue
        if first.feed is post.feed:
            repeated.append(post)
            continue
        first.enclosures = first.enclosures or post.enclosures
        first.reply_count = post.reply_count if first.reply_count is None else first.reply_count
    return list(kept.values()) + repeated


def _body(entry: Entry) -> dict[str, Any]:
    body = body_fields(entry.html, entry.link, entry.text or "")
    body["media_kinds"] = body["media_kinds"] + entry.enclosures
    body["media_count"] = len(body["media_kinds"])
    return body


def _comment_body(entry: Entry) -> dict[str, Any]:
    body = _body(entry)
    body["mentions"] = mentions_in(body["text"], "blog")
    return body


def _readable(entry: Entry, ctx: ReadContext) -> bool:
    record = entry.id or entry.title or "?"
    if not entry.id:
        ctx.skip(entry.feed.member, record, "feed item without a guid, id or link")
    elif entry.created_at is None:
        ctx.skip(entry.feed.member, record, "feed item without a valid date")
    else:
        return True
    return False


# --- reading RSS and Atom -----------------------------------------------------------------------

@dataclass(frozen=True)
class Dialect:
    """One generation of RSS or Atom: the namespace of its own elements and where its items are."""

    name: str
    ns: str
    items_in_channel: bool = True

    def q(self, name: str) -> str:
        """``name`` in this dialect's namespace (Clark notation; ``{}name`` for none)."""
        return f"{{{self.ns}}}{name}"


RSS_DIALECTS = {
    "": Dialect("RSS 2.0", ""),
    RSS_USERLAND: Dialect("RSS 2.0 (UserLand namespace)", RSS_USERLAND),
    RSS_1: Dialect("RSS 1.0", RSS_1, items_in_channel=False),
    RSS_090: Dialect("RSS 0.90", RSS_090, items_in_channel=False),
}
ATOM_DIALECTS = {ATOM: {**NS, "a": ATOM}, ATOM_03: {**NS, "a": ATOM_03}}


def _entries(member: Member, ctx: ReadContext) -> list[Entry]:
    if JSON_FEED_HEAD.match(member.head_text()):
        return _json_entries(member, ctx)
    root = parse_document(member)
    qname = etree.QName(root)
    if qname.localname in ("rss", "RDF"):
        dialect = _rss_dialect(qname.localname, _rss_namespace(root))
        channel = root.find(dialect.q("channel")) if dialect else None
        if dialect is not None and channel is not None:
            feed = _rss_feed(member, channel, dialect, ctx)
            holder = channel if dialect.items_in_channel else root
            return [_rss_entry(feed, item, dialect) for item in holder.iterfind(dialect.q("item"))]
        if dialect is not None:
            raise member.error(f"is an {dialect.name} document without a <channel>: it holds no feed")
    if qname.localname == "feed" and (qname.namespace in ATOM_DIALECTS or root.get("version", "").startswith("0.")):
        ns = ATOM_DIALECTS.get(qname.namespace or "") or {**NS, "a": qname.namespace or ""}
        feed = _atom_feed(member, root, ns, ctx)
        return [_atom_entry(feed, entry, root, ns) for entry in root.iterfind("a:entry", ns)]
    raise member.error("is neither an RSS feed (0.9x, 1.0 or 2.0: <rss><channel> or <rdf:RDF>) "
                       "nor an Atom feed (0.3 or 1.0: <feed>)")


def _rss_dialect(root: str, namespace: str) -> Dialect | None:
    """RSS as the document writes it; ``<rss>`` in any namespace is RSS 2.0's elements in it
    (UserLand's ``rss``/``rss2``, Harvard's ``tech/rss``...); ``<rdf:RDF>`` is RSS 1.0 or 0.90."""
    known = RSS_DIALECTS.get(namespace)
    if known is not None or root != "rss":
        return known
    return Dialect(f"RSS 2.0 ({namespace} namespace)", namespace)


def _rss_namespace(root: etree._Element) -> str:
    """The namespace of an RSS document's own elements: that of its ``channel``."""
    for child in root:
        if isinstance(child.tag, str) and etree.QName(child).localname == "channel":
            return etree.QName(child).namespace or ""
    return ""


def _text(element: etree._Element, path: str, ns: dict[str, str] = NS) -> str | None:
    value = element.findtext(path, namespaces=ns)
    return value.strip() if value and value.strip() else None


def _feed(member: Member, link: str | None, title: str | None, ctx: ReadContext, **fields: Any) -> Feed:
    given = given_site(ctx.options.account)
    site_link = link if site_host(link) else given
    host = site_host(site_link)
    if host is None:
        raise member.error("the feed has no link to its site, so the blog's account is unknown; "
                           "give --account with the blog's address (blog.example)")
    if site_link is not given and given and site_host(given) != host:
        ctx.note(f"--account {ctx.options.account} is not used for {member.name}: the feed names its site {host}")
    comments = bool(title and COMMENT_FEED.match(title))
    return Feed(member, host, title, site_link, comments=comments, **fields)


def _entry_id(feed: Feed, raw: str | None, number: str | None = None) -> str | None:
    """A post's id (``site/?p=N`` for WordPress posts, else the guid), a comment's with its suffix."""
    if raw is None:
        return None
    post, sep, comment = raw.partition("#comment-")
    number = (number if not sep else None) or wordpress_post_id(post, feed.host)
    return raw if number is None else wordpress_key(feed.host, number) + sep + comment


def _rss_feed(member: Member, channel: etree._Element, dialect: Dialect, ctx: ReadContext) -> Feed:
    q = dialect.q
    link = _text(channel, q("link")) or _atom_link(channel, "alternate", NS) or _first_item_link(channel, dialect)
    return _feed(member, link, _text(channel, q("title")), ctx, description=_text(channel, q("description")),
                 lang=_text(channel, q("language")) or _text(channel, "dc:language"),
                 generator=_generator(_text(channel, q("generator"))))


def _first_item_link(channel: etree._Element, dialect: Dialect) -> str | None:
    holder = channel if dialect.items_in_channel else channel.getparent()
    items = holder.iterfind(dialect.q("item")) if holder is not None else iter(())
    links = (_text(item, dialect.q("link")) or _atom_link(item, "alternate", NS) for item in items)
    return next((link for link in links if link), None)


def _rss_entry(feed: Feed, item: etree._Element, dialect: Dialect) -> Entry:
    q = dialect.q
    guid = item.find(q("guid"))
    raw = _text(item, q("guid")) or item.get(RDF_ABOUT)
    link = (_text(item, "feedburner:origLink") or _rss_link(feed, item, q("link")) or _atom_link(item, "alternate", NS)
            or (raw if _permalink(guid, raw) else None))
    raw = raw or _episode(item, dialect) or link
    return Entry(
        feed, id=_entry_id(feed, raw, _text(item, WP_POST_ID)), link=link,
        title=entities(_text(item, q("title"))) or None,
        html=_text(item, "content:encoded") or _text(item, q("description")), text=None,
        created_at=_feed_time(_text(item, q("pubDate"))) or _first_time(item, NS, RSS_DATES),
        author=entities(_text(item, "dc:creator") or _rss_author(_text(item, q("author")))),
        reply_count=_count(_text(item, "slash:comments")),
        enclosures=[_media_kind(e.get("type")) for e in item.iterfind(q("enclosure"))])


def _rss_link(feed: Feed, item: etree._Element, tag: str) -> str | None:
    """An RSS item's ``link``; one written as a path (``/2024/03/post``) is resolved against the
    ``xml:base`` around it, else the feed's site link."""
    element = item.find(tag, namespaces=NS)
    href = (element.text or "").strip() if element is not None else ""
    if not href or urlsplit(href).scheme:
        return href or None
    base = element.base if element is not None else None
    for candidate in (base, feed.link):
        if candidate and urlsplit(candidate).scheme in ("http", "https"):
            return urljoin(candidate, href)
    return href


def _episode(item: etree._Element, dialect: Dialect) -> str | None:
    """The address of an item's audio or video enclosure: a podcast episode without a guid is
    known by it (Apple's rule), since its ``link`` is often the show's page, the same for all."""
    for enclosure in item.iterfind(dialect.q("enclosure")):
        if _media_kind(enclosure.get("type")) in ("audio", "video") and (url := (enclosure.get("url") or "").strip()):
            return url
    return None


def _permalink(guid: etree._Element | None, value: str | None) -> bool:
    """True when an RSS guid is also the item's address (``isPermaLink`` is true by default)."""
    if guid is None or value is None or guid.get("isPermaLink", "true").strip().lower() == "false":
        return False
    return value.startswith(("http://", "https://"))


def _rss_author(value: str | None) -> str:
    """The name in an RSS ``<author>`` (``mail@example.org (Name)``), else the value."""
    match = re.search(r"\(([^)]+)\)", value or "")
    return match.group(1) if match else (value or "")


def _atom_feed(member: Member, root: etree._Element, ns: dict[str, str], ctx: ReadContext) -> Feed:
    link = _atom_link(root, "alternate", ns) or _first_entry_link(root, ns)
    generator = root.find("a:generator", ns)
    name = (generator.text or generator.get("uri") or generator.get("url")) if generator is not None else None
    title = _atom_text(root.find("a:title", ns))
    subtitle = root.find("a:subtitle", ns)
    subtitle = subtitle if subtitle is not None else root.find("a:tagline", ns)
    return _feed(member, link, title[1] or None, ctx, description=_atom_text(subtitle)[1] or None,
                 lang=root.get(XML_LANG), generator=_generator(name))


def _first_entry_link(root: etree._Element, ns: dict[str, str]) -> str | None:
    return next((link for e in root.iterfind("a:entry", ns) if (link := _atom_link(e, "alternate", ns))), None)


def _atom_entry(feed: Feed, entry: etree._Element, root: etree._Element, ns: dict[str, str]) -> Entry:
    content = entry.find("a:content", ns)
    html, text = _atom_text(content if content is not None else entry.find("a:summary", ns))
    author = entry.find("a:author", ns)
    author = author if author is not None else root.find("a:author", ns)
    reply = entry.find("thr:in-reply-to", ns)
    link = _text(entry, "feedburner:origLink", ns) or _atom_link(entry, "alternate", ns)
    return Entry(
        feed, id=_entry_id(feed, _text(entry, "a:id", ns) or link), link=link,
        title=_atom_text(entry.find("a:title", ns))[1] or None, html=html, text=text,
        created_at=_first_time(entry, ns, ("a:published", "a:issued", "a:created", "a:updated", "a:modified")),
        author=entities(_text(author, "a:name", ns)) if author is not None else "",
        author_url=(_text(author, "a:uri", ns) or _text(author, "a:url", ns)) if author is not None else None,
        reply_count=_atom_replies(entry, ns),
        in_reply_to=_entry_id(feed, reply.get("ref")) if reply is not None else None,
        enclosures=[_media_kind(e.get("type")) for e in entry.iterfind("a:link[@rel='enclosure']", ns)],
        lang=entry.get(XML_LANG))


MONTHS = {
    "Jan": "jan janv janvier ene gen", "Feb": "fev fevr fevrier feb febr", "Mar": "mar mars mrz maerz marz",
    "Apr": "avr avril abr", "May": "mai may mag", "Jun": "juin jun giu", "Jul": "juil juillet jul lug",
    "Aug": "aout ago", "Sep": "sept set", "Oct": "octobre out ott okt", "Nov": "novembre",
    "Dec": "dec decembre dez dic",
}
LOCAL_MONTHS = {name: english for english, names in MONTHS.items() for name in names.split()}
LOCAL_WORD = re.compile(r"[^\W\d_]+\.?")
WEEKDAY = re.compile(r"^\s*[^\W\d_]+\.?\s*,\s*")


def _feed_time(value: str | None) -> datetime | None:
    """A feed's date; RFC 822 dates written in French, Portuguese, Spanish, Italian or German
    (``Seg, 24 Set 2018 19:42:40 -0300``, ``lun., 3 juin 2024``) are read too."""
    when = parse_time(value)
    if when is not None or not value:
        return when
    text = WEEKDAY.sub("", value)
    text = LOCAL_WORD.sub(lambda m: LOCAL_MONTHS.get(_plain(m.group(0)), m.group(0)), text)
    return parse_time(text)


def _plain(word: str) -> str:
    """A word lower-cased, without its final dot and accents (``Févr.`` → ``fevr``)."""
    decomposed = unicodedata.normalize("NFKD", word.rstrip(".").lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _first_time(entry: etree._Element, ns: dict[str, str], paths: Sequence[str]) -> datetime | None:
    return next((when for path in paths if (when := _feed_time(_text(entry, path, ns)))), None)


def _atom_link(element: etree._Element, rel: str, ns: dict[str, str]) -> str | None:
    """The ``href`` of the element's Atom link of relation ``rel``, made absolute.

    A relative address is resolved against ``xml:base`` (of the link or its ancestors), else the
    document's ``rel="self"`` link (Sam Ruby's feed writes ``<link href="/blog/"/>``).
    """
    for link in element.iterfind("a:link", ns):
        href = (link.get("href") or "").strip()
        if link.get("rel", "alternate") == rel and href:
            return _absolute(href, link, ns)
    return None


def _absolute(href: str, link: etree._Element, ns: dict[str, str]) -> str:
    if urlsplit(href).scheme:
        return href
    root = link.getroottree().getroot()
    own = next((s.get("href") for s in root.iterfind("a:link", ns) if s.get("rel") == "self"), None)
    base = link.base or own
    if not base or not urlsplit(base).scheme:
        return href
    return urljoin(base, href)


def _atom_text(element: etree._Element | None) -> tuple[str | None, str]:
    """(html, text) of an Atom text construct: html is None for plain text.

    Atom 1.0 says ``type="text|html|xhtml"``; Atom 0.3 gives a MIME type and a ``mode``
    (``xml`` for inline markup, ``escaped`` for HTML as text, ``base64``).
    """
    if element is None:
        return None, ""
    kind, mode = element.get("type", "text").lower(), element.get("mode", "xml").lower()
    if mode == "base64":
        return None, ""
    if kind in ("xhtml", "application/xhtml+xml") or (mode == "xml" and len(element)):
        div = element.find("{http://www.w3.org/1999/xhtml}div")
        parts = [etree.tostring(child, encoding="unicode") for child in (div if div is not None else element)]
        html = XMLNS.sub("", ((div.text if div is not None else element.text) or "") + "".join(parts))
        return html.strip(), html_to_text(html)
    if kind in ("html", "text/html") or mode == "escaped":
        html = (element.text or "").strip()
        return html, html_to_text(html)
    return None, (element.text or "").strip()


def _atom_replies(entry: etree._Element, ns: dict[str, str]) -> int | None:
    total = _count(_text(entry, "thr:total", ns))
    if total is not None:
        return total
    for link in entry.iterfind("a:link[@rel='replies']", ns):
        if (count := _count(link.get(f"{{{THR}}}count"))) is not None:
            return count
    return None


def _count(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _media_kind(mime: str | None) -> str:
    return MEDIA_TYPES.get((mime or "").split("/", 1)[0].lower(), "other")


def _generator(value: str | None) -> str | None:
    """The blog engine's name from ``<generator>`` (``https://wordpress.org/?v=6.4`` → ``WordPress``)."""
    if not value:
        return None
    if "wordpress" in value.lower():
        return "WordPress"
    return site_host(value) if value.startswith(("http://", "https://")) else value.strip()


IMPORTER = FeedImporter()


# --- reading JSON Feed ------------------------------------------------------------------------------

def _json_entries(member: Member, ctx: ReadContext) -> list[Entry]:
    """The items of a JSON Feed (1.0, 1.1): ``{"version", "title", "home_page_url", "items": [...]}``."""
    data = load_json(member)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise member.error("is a JSON Feed without an `items` array")
    feed = _feed(member, _string(data.get("home_page_url")) or _first_json_link(data["items"]),
                 _string(data.get("title")), ctx, description=_string(data.get("description")),
                 lang=_string(data.get("language")), generator=None)
    author = _json_author(data)
    entries = []
    for index, item in enumerate(data["items"]):
        if not isinstance(item, dict):
            ctx.skip(member, index, "JSON Feed item that is not an object")
            continue
        entries.append(_json_entry(feed, item, author))
    return entries


def _json_entry(feed: Feed, item: dict[str, Any], author: tuple[str, str | None]) -> Entry:
    own = _json_author(item)
    name, url = own if own[0] else author
    raw_id = item.get("id")
    link = _string(item.get("url")) or _string(item.get("external_url"))
    attachments = item.get("attachments")
    attachments = attachments if isinstance(attachments, list) else []
    return Entry(
        feed, id=_entry_id(feed, str(raw_id).strip() if isinstance(raw_id, str | int) and str(raw_id).strip()
                           else link),
        link=link, title=_string(item.get("title")), html=_string(item.get("content_html")),
        text=_string(item.get("content_text")) or _string(item.get("summary")),
        created_at=parse_time(_string(item.get("date_published"))) or parse_time(_string(item.get("date_modified"))),
        author=entities(name), author_url=url, lang=_string(item.get("language")),
        enclosures=[_media_kind(a.get("mime_type")) for a in attachments if isinstance(a, dict)])


def _json_author(block: dict[str, Any]) -> tuple[str, str | None]:
    """(name, url) of ``authors[0]`` (1.1) or ``author`` (1.0)."""
    authors = block.get("authors")
    first = authors[0] if isinstance(authors, list) and authors else block.get("author")
    if not isinstance(first, dict):
        return "", None
    return _string(first.get("name")) or "", _string(first.get("url"))


def _first_json_link(items: list[Any]) -> str | None:
    return next((link for item in items if isinstance(item, dict) and (link := _string(item.get("url")))), None)


def _string(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
