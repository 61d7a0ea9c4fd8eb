"""Writes the organization's Mastodon archive: ``archive-<date>-<hash>.zip``.

As Mastodon builds it (Preferences → Import and export → Request your archive): ``outbox.json``,
an ActivityStreams ``OrderedCollection`` of ``Create`` activities (statuses with HTML ``content``,
``contentMap``, ``tag``, ``attachment``, ``to``/``cc``) and ``Announce`` activities (boosts), oldest
first; ``actor.json``; ``likes.json`` and ``bookmarks.json``; ``avatar.png``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from .files import EXPORTED, iso, write_zip
from .world import Account, Post, World
from .xtext import short_code

__all__ = ["write_mastodon"]

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = ["https://www.w3.org/ns/activitystreams", {"ostatus": "http://ostatus.org#", "sensitive": "as:sensitive",
                                                     "Hashtag": "as:Hashtag", "conversation": "ostatus:conversation"}]
TOKEN = re.compile(r"https?://\S+|(?<![\w@])@\w+|(?<![\w&/])#\w+")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
                       "rkJggg==")
"""A 1×1 pixel avatar."""


def write_mastodon(world: World, owner: Account, folder: Path) -> Path:
    posts = sorted((p for p in world.posts if p.author is owner and not p.external), key=lambda p: p.created)
    items = [_boost(p, owner) if p.kind == "repost" else _create(p, owner, world.lang) for p in posts]
    outbox = {"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", "type": "OrderedCollection",
              "totalItems": len(items), "orderedItems": items}
    empty = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", "orderedItems": []}
    members = {
        "outbox.json": _json(outbox), "actor.json": _json(_actor(owner)),
        "likes.json": _json({**empty, "id": "likes.json"}), "bookmarks.json": _json({**empty, "id": "bookmarks.json"}),
        "avatar.png": PNG,
    }
    name = f"archive-{EXPORTED:%Y%m%d%H%M%S}-{hashlib.md5(owner.handle.encode()).hexdigest()}.zip"
    return write_zip(folder / name, members)


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


def _actor(owner: Account) -> dict[str, Any]:
    return {"@context": CONTEXT, "id": owner.id, "type": "Organization", "preferredUsername": owner.user,
            "name": owner.name, "summary": f"<p>{html.escape(owner.description)}</p>",
            "url": f"https://{owner.host}/@{owner.user}", "published": iso(owner.created),
            "outbox": "outbox.json", "likes": "likes.json", "bookmarks": "bookmarks.json",
            "icon": {"type": "Image", "mediaType": "image/png", "url": "avatar.png"}}


def _boost(post: Post, owner: Account) -> dict[str, Any]:
    assert post.repost_of is not None
    target = post.repost_of
    return {"id": f"{post.id}/activity", "type": "Announce", "actor": owner.id, "published": iso(post.created),
            "to": [PUBLIC], "cc": [f"https://{target.author.host}/users/{target.author.user}", f"{owner.id}/followers"],
            "object": target.id}


def _create(post: Post, owner: Account, lang: str) -> dict[str, Any]:
    content = _html(post, owner)
    to, cc = _addressing(post, owner)
    status = {
        "id": post.id, "type": "Note", "summary": None,
        "inReplyTo": post.reply_to.id if post.reply_to else None, "published": iso(post.created),
        "url": f"https://{owner.host}/@{owner.user}/{post.extra['number']}", "attributedTo": owner.id,
        "to": to, "cc": cc, "sensitive": False, "atomUri": post.id,
        "inReplyToAtomUri": post.reply_to.id if post.reply_to else None,
        "conversation": f"tag:{owner.host},{post.root.created:%Y-%m-%d}:objectId="
                        f"{post.root.extra.get('number', post.root.id.rsplit('/', 1)[-1])}:objectType=Conversation",
        "content": content, "contentMap": {lang: content},
        "attachment": [_attachment(post, i) for i in range(len(post.media))],
        "tag": _tags(post, owner),
    }
    return {"id": f"{post.id}/activity", "type": "Create", "actor": owner.id, "published": iso(post.created),
            "to": to, "cc": cc, "object": status}


def _addressing(post: Post, owner: Account) -> tuple[list[str], list[str]]:
    mentioned = [f"https://{m.host}/users/{m.user}" for m in post.mentions]
    if post.visibility == "direct":
        return mentioned, []
    return [PUBLIC], [f"{owner.id}/followers", *mentioned]


def _html(post: Post, owner: Account) -> str:
    paragraphs = [_paragraph(p, post, owner) for p in post.text.split("\n\n") if p.strip()]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _paragraph(text: str, post: Post, owner: Account) -> str:
    out, position = [], 0
    for match in TOKEN.finditer(text):
        out.append(html.escape(text[position:match.start()], quote=False))
        out.append(_token(match.group(), post, owner))
        position = match.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out).replace("\n", "<br />")


def _token(token: str, post: Post, owner: Account) -> str:
    if token.startswith("http"):
        scheme, rest = token.split("://", 1)
        return (f'<a href="{html.escape(token)}" target="_blank" rel="nofollow noopener noreferrer" translate="no">'
                f'<span class="invisible">{scheme}://</span><span class="">{html.escape(rest)}</span>'
                f'<span class="invisible"></span></a>')
    if token.startswith("#"):
        return (f'<a href="https://{owner.host}/tags/{html.escape(token[1:].lower())}" class="mention hashtag" '
                f'rel="tag">#<span>{html.escape(token[1:])}</span></a>')
    account = next((m for m in post.mentions if m.user == token[1:]), None)
    if account is None:
        return html.escape(token)
    return (f'<span class="h-card" translate="no"><a href="https://{account.host}/@{account.user}" '
            f'class="u-url mention">@<span>{html.escape(account.user)}</span></a></span>')


def _tags(post: Post, owner: Account) -> list[dict[str, str]]:
    tags = [{"type": "Mention", "href": f"https://{m.host}/users/{m.user}", "name": f"@{m.handle}"}
            for m in post.mentions]
    for tag in dict.fromkeys(t[1:] for t in TOKEN.findall(post.text) if t.startswith("#")):
        tags.append({"type": "Hashtag", "href": f"https://{owner.host}/tags/{tag.lower()}", "name": f"#{tag}"})
    return tags


def _attachment(post: Post, index: int) -> dict[str, Any]:
    video = post.media[index] != "photo"
    number = str(post.extra["number"])
    path = "/".join(number[i:i + 3] for i in range(0, 9, 3))
    name = short_code(f"{post.id}:{index}", 16).lower()
    return {"type": "Document", "mediaType": "video/mp4" if video else "image/jpeg",
            "url": f"/media_attachments/files/{path}/original/{name}.{'mp4' if video else 'jpeg'}",
            "name": None, "blurhash": "UKO2?U%2Tw=w]~RBVZRi};RPxuwH%3s8tLOr", "width": 1280, "height": 960}
