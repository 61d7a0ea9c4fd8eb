"""WordPress eXtended RSS (WXR): the export of a whole WordPress site (Tools → Export).

An RSS 2.0 document with the ``wp:`` namespace (``http://wordpress.org/export/1.0/`` to ``1.2/``):
``<channel>`` holds the site's ``title``, ``link``, ``language`` and its ``wp:author`` users, then
one ``<item>`` per post, page, attachment, menu entry... with ``wp:post_type``, ``wp:status``,
``guid``, ``link``, ``wp:post_date_gmt``, ``content:encoded`` (the raw post body: HTML without the
paragraphs WordPress adds when rendering, and shortcodes) and its ``wp:comment`` elements
(``wp:comment_id``, ``_author``, ``_author_email``, ``_author_url``, ``_date_gmt``, ``_content``,
``_approved``, ``_type``, ``_parent``, ``_user_id``).

Exports can be hundreds of megabytes, so the file is parsed as a stream, one item at a time.
XML from strangers is parsed without fetching anything and without expanding entities; a document
that declares entities (XXE, "billion laughs") is refused. The blog is the account named by its
host, so a WXR export and the site's feeds (importers/feeds.py) give the same ids: a post is its
number within the site, ``host/?p=<wp:post_id>`` (guids are not unique: a duplicated post keeps
its model's), a comment ``<post id>#comment-<id>`` as in WordPress' comment feeds. The helpers
shared with the feed importer live in :mod:`parlons.importers._xml` (safe XML) and
:mod:`parlons.importers._blog` (accounts, HTML bodies).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyarrow as pa
from lxml import etree

from ..normalize import mentions_in, parse_time
from ..sources import Member
from ._base import Importer, ReadContext, post_row
from ._blog import body_fields, commenter_account, entities, given_site, site_host, wordpress_key
from ._xml import root_tag, xml_elements

__all__ = ["IMPORTER", "WordPressImporter"]

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
WP_DEFAULT = "http://wordpress.org/export/1.2/"
WP_NS = re.compile(r"""xmlns:wp\s*=\s*["'](https?://wordpress\.org/export/[\d.]+/)["']""")
RESERVED_MAIL = re.compile(r"(^|\.)(example\.(com|net|org)|example|invalid|test|localhost)$")
CHANNEL_FIELDS = ("title", "link", "description", "language")
MAX_OFFSET = timedelta(hours=14)


@dataclass
class Site:
    """The exported site: its account and the WordPress users who write for it."""

    host: str
    title: str | None
    link: str | None
    lang: str | None
    author_ids: set[str] = field(default_factory=set)
    author_names: set[str] = field(default_factory=set)
    author_emails: set[str] = field(default_factory=set)

    def wrote(self, comment: Comment) -> bool:
        """True when a comment was written by one of the site's own users."""
        if comment.user_id not in ("", "0") and comment.user_id in self.author_ids:
            return True
        if comment.author.casefold() in self.author_names:
            return True
        return comment.email.casefold() in self.author_emails


@dataclass
class Clock:
    """The export's times: the GMT date WordPress stores beside the site's local one.

    A post or comment whose GMT date is zero (``0000-00-00 00:00:00``: posts created by some
    importers or plugins, old comments) has only its local date; it is read with the offset of
    the last item or comment before it that had both (the site's time zone, unnamed in WXR).
    """

    offset: timedelta | None = None
    local_only: int = 0

    def learn(self, gmt: str, local: str) -> None:
        """Keep the offset of a post or comment that has both dates, imported or not."""
        utc, here = parse_time(gmt), parse_time(local)
        if utc is not None and here is not None and abs(here - utc) <= MAX_OFFSET:
            self.offset = here - utc

    def time(self, gmt: str, local: str) -> datetime | None:
        """The UTC time of a post or comment that is imported."""
        self.learn(gmt, local)
        utc, here = parse_time(gmt), parse_time(local)
        if utc is not None or here is None:
            return utc
        self.local_only += 1
        return here - (self.offset or timedelta(0))

    def note(self) -> str:
        offset = "as UTC (no item had both dates)" if self.offset is None else \
            "with the site's offset on the last item or comment before it that had both dates"
        return (f"{self.local_only} posts or comments have no GMT date (0000-00-00 00:00:00): their "
                f"local date (wp:post_date, wp:comment_date) was read {offset}")


@dataclass
class Comment:
    """One ``wp:comment`` of an item."""

    id: str
    author: str
    email: str
    url: str
    date_gmt: str
    date: str
    content: str
    approved: str
    type: str
    parent: str
    user_id: str
    created_at: datetime | None = None


class WordPressImporter(Importer):
    name = "wordpress-wxr"
    platform = "blog"
    description = "WordPress eXtended RSS export (WXR 1.0-1.2): posts, pages and their comments"
    example = "monsite.wordpress.2024-01-01.xml"

    def detect(self, member: Member) -> bool:
        head = member.head_text()
        return root_tag(head) == "rss" and "wordpress.org/export/" in head

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        for member in members:
            yield from ctx.batches(WxrReader(member, ctx).rows())


class WxrReader:
    """One WXR file read as a stream: the channel first, then item by item."""

    def __init__(self, member: Member, ctx: ReadContext) -> None:
        match = WP_NS.search(member.head_text(16384))
        self.ns = match.group(1) if match else WP_DEFAULT
        self.member, self.ctx = member, ctx
        self.channel: dict[str, str] = {}
        self.authors: list[dict[str, str]] = []
        self._site: Site | None = None
        self.clock = Clock()

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def text(self, element: etree._Element, name: str) -> str:
        return (element.findtext(self.tag(name)) or "").strip()

    def rows(self) -> Iterator[dict[str, Any]]:
        tags = ["item", self.tag("author"), self.tag("base_blog_url"), self.tag("base_site_url"), *CHANNEL_FIELDS]
        for element in xml_elements(self.member, tags):
            parent = element.getparent()
            if element.tag == "item":
                self._site = self._site or self._describe_site()  # the channel is read by now
                yield from self.item(element)
                _release(element)
            elif parent is not None and parent.tag == "channel":
                self.channel_field(element)
        if self.clock.local_only:
            self.ctx.note(f"{self.member.name}: {self.clock.note()}")

    def channel_field(self, element: etree._Element) -> None:
        if element.tag == self.tag("author"):
            self.authors.append({str(child.tag).rsplit("}", 1)[-1]: (child.text or "").strip()
                                 for child in element})
        else:
            self.channel.setdefault(str(element.tag), (element.text or "").strip())

    @property
    def site(self) -> Site:
        assert self._site is not None, "items come after the channel's fields"
        return self._site

    def _site_link(self) -> str:
        """The site's address: the channel's ``link``, else ``wp:base_blog_url``, else ``--account``."""
        given = given_site(self.ctx.options.account)
        for link in (self.channel.get("link"), self.channel.get(self.tag("base_blog_url")),
                     self.channel.get(self.tag("base_site_url")), given):
            if site_host(link) and link is not None:
                if given and link is not given and site_host(given) != site_host(link):
                    self.ctx.note(f"--account {self.ctx.options.account} is not used for {self.member.name}: "
                                  f"the export names its site {site_host(link)}")
                return link
        written = self.channel.get("link")
        what = f"<link>{written}</link> names no site" if written else "has no <link> to the site"
        raise self.member.error(f"the export's <channel> {what} (nor <wp:base_blog_url>), so the blog's "
                                "account is unknown; give --account with the blog's address (blog.example)")

    def _describe_site(self) -> Site:
        link = self._site_link()
        host = site_host(link)
        assert host is not None
        site = Site(host, self.channel.get("title") or None, link, self.channel.get("language") or None)
        for author in self.authors:
            _add_author(site, author)
        self.ctx.account(self.member, platform="blog", account=host, display_name=site.title, url=link,
                         description=self.channel.get("description") or None, is_owner=True)
        return site

    def item(self, item: etree._Element) -> Iterator[dict[str, Any]]:
        fields = _children(item)
        record = self.get(fields, "post_id") or "?"
        self.clock.learn(self.get(fields, "post_date_gmt"), self.get(fields, "post_date"))
        reason = self.item_skip_reason(fields)
        created_at = None if reason else self.created_at(fields)
        if reason is None and created_at is None:
            reason = f"{self.get(fields, 'post_type')} without a valid date"
        if reason is not None:
            self.ctx.skip(self.member, record, reason)
            for comment in item.iterfind(self.tag("comment")):
                self.ctx.skip(self.member, f"{record}#comment-{self.text(comment, 'comment_id')}",
                              "comment on an item that is not imported")
            return
        post = self.post(fields, record, created_at)
        comments = list(self.comments(item, post))
        post["reply_count"] = len(comments)
        yield post
        yield from comments

    def get(self, fields: dict[str, str], name: str) -> str:
        return fields.get(self.tag(name), "").strip()

    def item_skip_reason(self, fields: dict[str, str]) -> str | None:
        kind = self.get(fields, "post_type") or "untyped"
        status = self.get(fields, "status") or "unknown"
        if kind not in ("post", "page"):
            return f"WordPress item of type {kind} (not a post or page)"
        if status != "publish":
            return f"{kind} with status {status} (not published)"
        if self.get(fields, "post_password"):
            return f"{kind} protected by a password (not public)"
        if not (self.get(fields, "post_id") or fields.get("guid", "").strip()):
            return f"{kind} without a post id or a guid"
        return None

    def created_at(self, fields: dict[str, str]) -> datetime | None:
        """``wp:post_date_gmt``; without it, ``pubDate``; when it is zero, ``wp:post_date`` (local).

        WordPress writes ``pubDate`` from the GMT date: a zero one gives 1970-01-01, 1999-11-30
        or -0001-11-30 there, so ``pubDate`` is not read then.
        """
        gmt = self.get(fields, "post_date_gmt")
        if not gmt and (published := parse_time(fields.get("pubDate"))) is not None:
            return published
        return self.clock.time(gmt, self.get(fields, "post_date"))

    def post(self, fields: dict[str, str], record: str, created_at: datetime | None) -> dict[str, Any]:
        site, link = self.site, _absolute(fields.get("link", "").strip(), self.site.link)
        return post_row(
            platform="blog", post_id=self.post_key(fields), account=site.host,
            account_name=site.title, created_at=created_at,
            title=entities(fields.get("title")) or None, lang=site.lang, kind="original",
            mentions=[], source="WordPress", permalink=link, source_member=self.member.name,
            source_record=record, **body_fields(fields.get(CONTENT), link))

    def post_key(self, fields: dict[str, str]) -> str:
        """``site/?p=N`` from ``wp:post_id`` (guids are not unique: copies keep their model's)."""
        number = self.get(fields, "post_id")
        return wordpress_key(self.site.host, number) if number.isdigit() else fields["guid"].strip()

    def comments(self, item: etree._Element, post: dict[str, Any]) -> Iterator[dict[str, Any]]:
        comments = [self.comment(element) for element in item.iterfind(self.tag("comment"))]
        accounts = {c.id: self.site.host if self.site.wrote(c) else
                    commenter_account(c.author, c.url, self.site.host) for c in comments}
        kept = []
        for comment in comments:
            reason = _comment_skip_reason(comment) or self.comment_time(comment)
            if reason is None:
                kept.append(comment)
            else:
                self.ctx.skip(self.member, f"{post['source_record']}#comment-{comment.id}", reason)
        replies = _direct_replies(kept)
        for comment in kept:
            yield self.comment_row(comment, post, accounts, replies[comment.id])

    def comment_time(self, comment: Comment) -> str | None:
        """Sets the time of a comment to import; the reason to skip it when it has none."""
        comment.created_at = self.clock.time(comment.date_gmt, comment.date)
        return None if comment.created_at is not None else "comment without a valid date"

    def comment(self, element: etree._Element) -> Comment:
        fields = _children(element)

        def get(name: str) -> str:
            return self.get(fields, f"comment_{name}")

        return Comment(id=get("id"), author=entities(get("author")), email=get("author_email"),
                       url=get("author_url"), date_gmt=get("date_gmt"), date=get("date"),
                       content=fields.get(self.tag("comment_content"), ""), approved=get("approved"),
                       type=get("type"), parent=get("parent"), user_id=get("user_id"))

    def comment_row(self, comment: Comment, post: dict[str, Any], accounts: dict[str, str],
                    replies: int) -> dict[str, Any]:
        guid, link, own = post["post_id"], post["permalink"], self.site.wrote(comment)
        parent = comment.parent if comment.parent not in ("", "0") else None
        body = body_fields(comment.content, link)
        return post_row(
            platform="blog", post_id=f"{guid}#comment-{comment.id}", account=accounts[comment.id],
            account_id=None if own or comment.user_id in ("", "0") else comment.user_id,
            account_name=self.site.title if own else (comment.author or None),
            created_at=comment.created_at, kind="comment",
            in_reply_to_id=f"{guid}#comment-{parent}" if parent else guid,
            in_reply_to_account=accounts.get(parent) if parent else self.site.host,
            conversation_id=guid, mentions=mentions_in(body["text"], "blog"), reply_count=replies,
            permalink=f"{link}#comment-{comment.id}" if link else None,
            source_member=self.member.name, source_record=f"{post['source_record']}#comment-{comment.id}",
            **body)


def _absolute(link: str, site: str | None) -> str | None:
    """An item's link; Squarespace's exports write the path only (``/blog/post.html``)."""
    if not link or urlsplit(link).scheme or not site:
        return link or None
    return urljoin(site, link)


def _direct_replies(comments: list[Comment]) -> dict[str, int]:
    counts: dict[str, int] = {c.id: 0 for c in comments}
    for comment in comments:
        if comment.parent in counts:
            counts[comment.parent] += 1
    return counts


def _comment_skip_reason(comment: Comment) -> str | None:
    if comment.type in ("pingback", "trackback"):
        return f"{comment.type} (a link from another site, not an audience comment)"
    if comment.type == "note":
        return "editorial note (WordPress 6.9 block notes: the site's team in the editor, not a public comment)"
    if comment.approved == "spam":
        return "comment marked as spam"
    if comment.approved != "1":
        return f"comment not approved (status {comment.approved or 'missing'})"
    if not comment.id:
        return "comment without an id"
    return None


def _add_author(site: Site, author: dict[str, str]) -> None:
    if author.get("author_id"):
        site.author_ids.add(author["author_id"])
    for key in ("author_login", "author_display_name"):
        if author.get(key):
            site.author_names.add(entities(author[key]).casefold())
    email = author.get("author_email", "").casefold()
    if "@" in email and not RESERVED_MAIL.search(email.rsplit("@", 1)[1]):
        site.author_emails.add(email)


def _children(element: etree._Element) -> dict[str, str]:
    """The text of an element's children by tag (Clark notation), the first of each tag."""
    fields: dict[str, str] = {}
    for child in element:
        fields.setdefault(str(child.tag), child.text or "")
    return fields


def _release(element: etree._Element) -> None:
    """Free an item once read, with the siblings before it, so memory stays flat."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


IMPORTER = WordPressImporter()
