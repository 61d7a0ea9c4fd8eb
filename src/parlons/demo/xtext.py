"""A post's text as X shows it: links shortened to t.co, a media link appended, entity offsets.

Shared by the X archive writer and the twarc2 writer. Short links are derived from the post id,
so they are stable across runs. Offsets count code points, as X's ``indices`` do.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .world import Account, Post

__all__ = ["Entity", "XText", "display", "escape", "media_key", "render", "short_code"]

TOKEN = re.compile(r"https?://\S+|(?<![\w@])@\w{1,15}|(?<![\w&/])#\w+")
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def short_code(seed: str, n: int = 10) -> str:
    number = int.from_bytes(hashlib.sha1(seed.encode()).digest()[:12], "big")
    chars = []
    for _ in range(n):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(chars)


def media_key(post: Post, index: int) -> str:
    prefix = "3" if post.media[index] == "photo" else "7" if post.media[index] == "video" else "16"
    return f"{prefix}_{int(post.id) + index + 1}"


@dataclass
class Entity:
    """One entity of a tweet: what it is (handle, tag, expanded URL) and where it sits."""

    value: str
    start: int
    end: int
    short: str = ""
    account: Account | None = None


@dataclass
class XText:
    text: str
    mentions: list[Entity] = field(default_factory=list)
    hashtags: list[Entity] = field(default_factory=list)
    urls: list[Entity] = field(default_factory=list)
    media: Entity | None = None


def render(post: Post, accounts: dict[str, Account]) -> XText:
    """The text with t.co links, and its entities (mentions resolved through ``accounts`` by handle)."""
    out, pieces, position = XText(""), [], 0
    for index, match in enumerate(TOKEN.finditer(post.text)):
        pieces.append(post.text[position:match.start()])
        start = sum(len(p) for p in pieces)
        token = match.group()
        if token.startswith("http"):
            short = f"https://t.co/{short_code(f'{post.id}:{index}')}"
            pieces.append(short)
            out.urls.append(Entity(token, start, start + len(short), short))
        else:
            pieces.append(token)
            entity = Entity(token[1:], start, start + len(token), account=accounts.get(token[1:].lower()))
            (out.mentions if token[0] == "@" else out.hashtags).append(entity)
        position = match.end()
    pieces.append(post.text[position:])
    out.text = "".join(pieces)
    if post.media:
        short = f"https://t.co/{short_code(post.id + ':media')}"
        start = len(out.text) + 1
        out.text += " " + short
        out.media = Entity(short, start, start + len(short), short)
    return out


def display(url: str) -> str:
    """The URL as X displays it: no scheme, cut after 23 characters."""
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= 26 else bare[:23] + "…"


def escape(text: str) -> str:
    """X escapes these three characters in tweet texts (archives and API alike)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
