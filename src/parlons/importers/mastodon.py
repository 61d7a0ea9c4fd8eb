"""Mastodon account archive (a folder or zip): ``outbox.json`` with ``actor.json`` beside it.

``outbox.json`` is an ActivityStreams ``OrderedCollection`` whose ``orderedItems`` are the
owner's activities: ``Create`` (its ``object`` is the status, a ``Note`` with HTML ``content``,
``contentMap``, ``published``, ``url``, ``inReplyTo``, ``tag`` mentions and hashtags,
``attachment``, ``to``/``cc`` addressing) and ``Announce`` (a boost; its ``object`` is the URL of
the boosted status). ``actor.json`` describes the owner. ``likes.json``, ``bookmarks.json``,
``avatar.*``, ``header.*`` and ``media_attachments/`` are known companions without posts.

The outbox of a big account runs to a gigabyte, so ``orderedItems`` is streamed with ijson (its
C backend when installed): memory stays bounded whatever the size. Direct messages (addressed
neither to the public nor to the followers) are private conversations, not public posts: they
are skipped and counted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import ijson
import orjson
import pyarrow as pa

from ..normalize import handle, html_to_text, parse_time, unique
from ..sources import Member, Source
from ._base import Importer, ReadContext, post_row

__all__ = ["IMPORTER", "MastodonImporter"]

PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
STATUS_KINDS = frozenset({"Note", "Question", "Article", "Page"})
OUTBOX_ITEMS = re.compile(r'"orderedItems"\s*:\s*\[\s*([{\]])')
ACTIVITY_TYPE = re.compile(r'"type"\s*:\s*"(Create|Announce)"')
STATUS_URI = re.compile(r"^https?://([^/?#]+)/users/([^/?#]+)/statuses/[^/?#]+")
STATUS_URL = re.compile(r"^https?://([^/?#]+)/@([^/?#@]+)/[^/?#]+$")
ANCHOR = re.compile(r"<a\s[^>]*>", re.IGNORECASE)
HREF = re.compile(r'\shref\s*=\s*"([^"]*)"', re.IGNORECASE)
NOT_A_LINK = re.compile(r'\s(class\s*=\s*"[^"]*\b(mention|hashtag)\b|rel\s*=\s*"[^"]*\btag\b)', re.IGNORECASE)
JSON_COMPANIONS = frozenset({"actor.json", "likes.json", "bookmarks.json"})
IMAGE_COMPANIONS = frozenset({"avatar", "header"})


def _ijson() -> Any:
    """ijson's C backend (yajl2_c) when it is installed, else ijson's default."""
    try:
        return ijson.get_backend("yajl2_c")
    except ImportError:
        return ijson


IJSON = _ijson()


@dataclass(frozen=True)
class Owner:
    """The archive's owner; ``account`` is None when only each activity's actor can tell."""

    account: str | None
    account_id: str | None
    name: str | None


class MastodonImporter(Importer):
    name = "mastodon-archive"
    platform = "mastodon"
    description = "Mastodon account archive: outbox.json (statuses and boosts) with actor.json"
    example = "archive-20240101-abc.zip, outbox.json + actor.json"

    def detect(self, member: Member) -> bool:
        if not member.basename.lower().endswith(".json"):
            return False
        head = member.head_text(16384)
        found = OUTBOX_ITEMS.search(head)
        if found is None or '"OrderedCollection"' not in head:
            return False
        if found.group(1) == "]":
            return member.basename.lower() == "outbox.json"
        return ACTIVITY_TYPE.search(head, found.end()) is not None

    def companion(self, member: Member) -> bool:
        path = "/" + member.name.lower()
        if "/media_attachments/" in path:
            return _has_outbox(member.source, path.split("/media_attachments/", 1)[0])
        name = member.basename.lower()
        known = name in JSON_COMPANIONS or name.rsplit(".", 1)[0] in IMAGE_COMPANIONS
        return known and _has_outbox(member.source, path.rsplit("/", 1)[0])

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        for member in members:
            owner = _owner(member, ctx)
            yield from ctx.batches(_rows(member, owner, ctx))


def _sibling(member: Member, basename: str) -> Member | None:
    """The member called ``basename`` in the same folder as ``member``."""
    folder = member.name.rsplit("/", 1)[0] + "/" if "/" in member.name else ""
    return _member_at(member, folder + basename)


_NAMES: WeakKeyDictionary[Source, frozenset[str]] = WeakKeyDictionary()


def _has_outbox(source: Source, folder: str) -> bool:
    """Whether ``folder`` (``""`` or ``/path``, lower case) holds an ``outbox.json``.

    The member names are gathered once per source: an archive can hold tens of thousands of
    media files, and each of them asks.
    """
    if source not in _NAMES:
        _NAMES[source] = frozenset(m.name.lower() for m in source.members)
    return f"{folder}/outbox.json".lstrip("/") in _NAMES[source]


def _member_at(member: Member, name: str) -> Member | None:
    wanted = name.lower()
    return next((m for m in member.source.members if m.name.lower() == wanted), None)


def _owner(outbox: Member, ctx: ReadContext) -> Owner:
    actor = _sibling(outbox, "actor.json")
    if actor is None:
        if ctx.options.account:
            ctx.note(f"actor.json is missing; owner taken from --account: {ctx.options.account}")
            return Owner(handle("mastodon", ctx.options.account), None, None)
        ctx.note(f"actor.json is missing beside {outbox.name}; each post's author is taken "
                 "from its activity's actor URL")
        return Owner(None, None, None)
    return _owner_from_actor(actor, ctx)


def _owner_from_actor(actor: Member, ctx: ReadContext) -> Owner:
    try:
        data = orjson.loads(actor.read_text())
    except orjson.JSONDecodeError as exc:
        raise actor.error(f"actor.json is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not data.get("preferredUsername"):
        raise actor.error("actor.json has no `preferredUsername`, so the archive's owner is unknown")
    actor_id = _text(data.get("id")) or _text(data.get("url"))
    instance = urlsplit(actor_id).hostname if actor_id else None
    account = handle("mastodon", str(data["preferredUsername"]), instance=instance)
    ctx.account(actor, platform="mastodon", account=account, account_id=actor_id,
                display_name=_text(data.get("name")),
                description=html_to_text(_text(data.get("summary"))) or None,
                url=_text(data.get("url")), created_at=parse_time(_text(data.get("published"))),
                is_owner=True)
    return Owner(account, actor_id, _text(data.get("name")))


def _rows(member: Member, owner: Owner, ctx: ReadContext) -> Iterator[dict[str, Any]]:
    index = -1
    with member.open() as stream:
        try:
            for index, item in enumerate(IJSON.items(stream, "orderedItems.item", use_float=True)):
                row = _row(item, str(index), member, owner, ctx)
                if row is not None:
                    yield row
        except ijson.JSONError as exc:
            raise member.error(f"the outbox is not valid JSON after item {index} ({exc}); "
                               "the file may be truncated", index + 1) from None


def _row(item: Any, record: str, member: Member, owner: Owner,
         ctx: ReadContext) -> dict[str, Any] | None:
    kind = item.get("type") if isinstance(item, dict) else None
    if kind == "Create":
        return _status(item, record, member, owner, ctx)
    if kind == "Announce":
        return _boost(item, record, member, owner, ctx)
    ctx.skip(member, record, f"activity of type {kind!r} is not a post")
    return None


def _status(item: dict[str, Any], record: str, member: Member, owner: Owner,
            ctx: ReadContext) -> dict[str, Any] | None:
    status = item.get("object")
    if not isinstance(status, dict) or status.get("type") not in STATUS_KINDS:
        ctx.skip(member, record, "Create activity without an embedded status")
        return None
    if _is_direct(status):
        ctx.skip(member, record, "direct message, not public")
        return None
    content = _text(status.get("content")) or ""
    text = html_to_text(content)
    mentions = _mentions(status.get("tag"))
    reply_to = _text(status.get("inReplyTo"))
    quote = _quote(status)
    return post_row(
        **_author(item, owner), post_id=_text(status.get("id")),
        created_at=parse_time(_text(status.get("published")) or _text(item.get("published"))),
        text=text, html=content or None, lang=_lang(status.get("contentMap")),
        kind="reply" if reply_to else "quote" if quote else "original",
        in_reply_to_id=reply_to, in_reply_to_account=_parent_author(reply_to, mentions, text),
        conversation_id=_text(status.get("conversation")), quote_of_id=quote,
        mentions=mentions, hashtags=_hashtags(status.get("tag")), urls=_links(content),
        **_media(status.get("attachment")), permalink=_text(status.get("url")),
        source_member=member.name, source_record=record)


def _boost(item: dict[str, Any], record: str, member: Member, owner: Owner,
           ctx: ReadContext) -> dict[str, Any] | None:
    target = item.get("object")
    target = target.get("id") if isinstance(target, dict) else target
    activity = _text(item.get("id"))
    if not isinstance(target, str) or not activity:
        ctx.skip(member, record, "boost without the boosted status's URL")
        return None
    return post_row(
        **_author(item, owner), post_id=activity.removesuffix("/activity"),
        created_at=parse_time(_text(item.get("published"))), text="", kind="repost",
        repost_of_id=target, repost_of_account=_author_of(target),
        mentions=[], hashtags=[], urls=[], source_member=member.name, source_record=record)


def _author(item: dict[str, Any], owner: Owner) -> dict[str, Any]:
    account = owner.account
    if account is None and isinstance(item.get("actor"), str):
        account = handle("mastodon", item["actor"])
    return {"platform": "mastodon", "account": account,
            "account_id": owner.account_id or _text(item.get("actor")), "account_name": owner.name}


def _is_direct(status: dict[str, Any]) -> bool:
    """No recipient is the public collection nor a followers collection."""
    recipients = [r for key in ("to", "cc") for r in _strings(status.get(key))]
    return not any(r in PUBLIC or r.endswith("/followers") for r in recipients)


def _author_of(uri: str | None) -> str | None:
    """``@name@host`` from a Mastodon status URI (``/users/name/statuses/id``) or URL (``/@name/id``)."""
    if not uri:
        return None
    found = STATUS_URI.match(uri) or STATUS_URL.match(uri)
    return f"@{found.group(2)}@{found.group(1).lower()}" if found else None


def _parent_author(reply_to: str | None, mentions: list[str], text: str) -> str | None:
    """The replied-to author: from the parent's URI, else a guess among the mentions.

    The guess prefers a mention on the parent's host, then the one written first in the text
    (Mastodon puts the parent's author first when composing a reply).
    """
    if not reply_to:
        return None
    known = _author_of(reply_to)
    if known or not mentions:
        return known
    host = (urlsplit(reply_to).hostname or "").lower()

    def rank(mention: str) -> tuple[bool, int]:
        user, _, mention_host = mention.lstrip("@").partition("@")
        found = text.find("@" + user)
        return mention_host != host, found if found >= 0 else len(text)

    return min(mentions, key=rank)


def _mentions(tags: Any) -> list[str]:
    found = []
    for tag in _dicts(tags):
        name, href = _text(tag.get("name")), _text(tag.get("href"))
        if tag.get("type") == "Mention" and (name or href):
            host = urlsplit(href).hostname if href else None
            found.append(handle("mastodon", name or href, instance=host))
    return unique([m for m in found if m])


def _hashtags(tags: Any) -> list[str]:
    names = (_text(t.get("name")) for t in _dicts(tags) if t.get("type") == "Hashtag")
    return unique([n.lstrip("#") for n in names if n])


def _links(content: str) -> list[str]:
    """Targets of the content's links, leaving out mentions and hashtags."""
    found = []
    for anchor in ANCHOR.findall(content):
        href = HREF.search(anchor)
        if href and not NOT_A_LINK.search(anchor):
            found.append(html.unescape(href.group(1)))
    return unique([u for u in found if u.startswith(("http://", "https://"))])


def _media(attachments: Any) -> dict[str, Any]:
    kinds = [_media_kind(_text(a.get("mediaType"))) for a in _dicts(attachments)]
    return {"media_count": len(kinds), "media_kinds": kinds}


def _media_kind(media_type: str | None) -> str:
    major = (media_type or "").split("/", 1)[0]
    return major if major in ("image", "video", "audio") else "other"


def _quote(status: dict[str, Any]) -> str | None:
    for key in ("quote", "quoteUri", "_misskey_quote"):
        if value := _text(status.get(key)):
            return value
    return None


def _lang(content_map: Any) -> str | None:
    if isinstance(content_map, dict):
        return next((str(k) for k in content_map if k and k != "und"), None)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _dicts(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


IMPORTER = MastodonImporter()
