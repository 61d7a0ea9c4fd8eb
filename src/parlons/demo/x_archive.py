"""Writes the organization's X account archive: ``twitter-<date>-<hash>.zip``.

As X builds it: ``data/tweets.js`` (``window.YTD.tweets.part0 = [...]``, newest first, numbers
as strings, ``full_text`` with t.co links and ``&amp;``, the client as an HTML link in
``source``, retweets as ``RT @user: ...`` without the original's id), ``data/account.js``,
``data/profile.js`` and ``data/manifest.js``. Only the owner's own tweets are in it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .files import EXPORTED, accounts_by_handle, iso_ms, write_zip
from .world import Account, Post, World
from .xtext import XText, display, escape, media_key, render, short_code

__all__ = ["write_x_archive"]

CLIENTS = {"Twitter Web App": "https://mobile.twitter.com", "Twitter for iPhone": "http://twitter.com/download/iphone",
           "dlvr.it": "https://dlvrit.com/", "IFTTT": "https://ifttt.com"}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def write_x_archive(world: World, owner: Account, folder: Path) -> Path:
    posts = sorted((p for p in world.posts if p.author is owner and not p.external),
                   key=lambda p: p.created, reverse=True)
    accounts = accounts_by_handle(world.accounts.values(), world.posts)
    tweets = [{"tweet": _tweet(p, render(p, accounts), owner, world.lang)} for p in posts]
    members = {
        "data/tweets.js": _ytd("tweets", tweets),
        "data/account.js": _ytd("account", [{"account": _account(owner)}]),
        "data/profile.js": _ytd("profile", [{"profile": _profile(owner)}]),
        "data/manifest.js": _manifest(owner, len(tweets)),
    }
    name = f"twitter-{EXPORTED:%Y-%m-%d}-{short_code(owner.handle, 16).lower()}.zip"
    return write_zip(folder / name, members)


def _ytd(kind: str, items: list[dict[str, Any]]) -> bytes:
    body = json.dumps(items, indent=2, ensure_ascii=False, separators=(",", " : "))
    return f"window.YTD.{kind}.part0 = {body}".encode()


def x_time(when: datetime) -> str:
    """``Wed Feb 10 18:00:00 +0000 2021``, whatever the locale."""
    return f"{DAYS[when.weekday()]} {MONTHS[when.month - 1]} {when:%d %H:%M:%S} +0000 {when.year}"


def _tweet(post: Post, text: XText, owner: Account, lang: str) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "edit_info": {"initial": {"editTweetIds": [post.id], "editableUntil": iso_ms(post.created + timedelta(hours=1)),
                                  "editsRemaining": "5", "isEditEligible": post.kind != "repost"}},
        "retweeted": False,
        "source": f'<a href="{CLIENTS.get(post.source or "", "https://mobile.twitter.com")}" rel="nofollow">'
                  f'{post.source or "Twitter Web App"}</a>',
        "entities": _entities(post, text, owner),
        "display_text_range": ["0", str(len(text.text) - (len(text.media.short) + 1 if text.media else 0))],
        "favorite_count": str(post.likes), "id_str": post.id, "truncated": False,
        "retweet_count": str(post.reposts), "id": post.id, "created_at": x_time(post.created),
        "favorited": False, "full_text": escape(text.text), "lang": lang,
    }
    tweet.update(_reply_fields(post))
    if text.urls or text.media:
        tweet["possibly_sensitive"] = False
    if text.media:
        tweet["extended_entities"] = {"media": _media(post, text, owner)}
    return tweet


def _reply_fields(post: Post) -> dict[str, str]:
    if post.reply_to is None:
        return {}
    parent = post.reply_to
    return {"in_reply_to_status_id_str": parent.id, "in_reply_to_status_id": parent.id,
            "in_reply_to_user_id": parent.author.id, "in_reply_to_user_id_str": parent.author.id,
            "in_reply_to_screen_name": parent.author.handle}


def _entities(post: Post, text: XText, owner: Account) -> dict[str, Any]:
    entities: dict[str, Any] = {
        "hashtags": [{"text": h.value, "indices": [str(h.start), str(h.end)]} for h in text.hashtags],
        "symbols": [],
        "user_mentions": [{"name": m.account.name if m.account else m.value, "screen_name": m.value,
                           "indices": [str(m.start), str(m.end)], "id_str": m.account.id if m.account else "-1",
                           "id": m.account.id if m.account else "-1"} for m in text.mentions],
        "urls": [{"url": u.short, "expanded_url": u.value, "display_url": display(u.value),
                  "indices": [str(u.start), str(u.end)]} for u in text.urls],
    }
    if text.media:
        entities["media"] = _media(post, text, owner)[:1]
    return entities


def _media(post: Post, text: XText, owner: Account) -> list[dict[str, Any]]:
    assert text.media is not None
    items = []
    for index, kind in enumerate(post.media):
        key = media_key(post, index).split("_", 1)[1]
        code = short_code(key, 15)
        kind_path = "photo" if kind == "photo" else "video"
        items.append({
            "expanded_url": f"https://twitter.com/{owner.handle}/status/{post.id}/{kind_path}/1",
            "indices": [str(text.media.start), str(text.media.end)], "url": text.media.short,
            "media_url": f"http://pbs.twimg.com/media/{code}.jpg", "media_url_https": f"https://pbs.twimg.com/media/{code}.jpg",
            "id_str": key, "id": key, "display_url": f"pic.twitter.com/{text.media.short.rsplit('/', 1)[1]}",
            "type": kind, "sizes": {"large": {"w": "2048", "h": "1365", "resize": "fit"}},
        })
    return items


def _account(owner: Account) -> dict[str, str]:
    return {"email": f"web@{owner.handle.lower()}.example", "createdVia": "web", "username": owner.handle,
            "accountId": owner.id, "createdAt": iso_ms(owner.created), "accountDisplayName": owner.name}


def _profile(owner: Account) -> dict[str, Any]:
    return {"description": {"bio": owner.description, "website": f"https://t.co/{short_code(owner.handle)}",
                            "location": "Kerbrat"},
            "avatarMediaUrl": f"https://pbs.twimg.com/profile_images/{owner.id}/avatar.jpg"}


def _manifest(owner: Account, tweets: int) -> bytes:
    config = {
        "userInfo": {"accountId": owner.id, "userName": owner.handle, "displayName": owner.name},
        "archiveInfo": {"sizeBytes": "0", "generationDate": iso_ms(EXPORTED), "isPartialArchive": False,
                        "maxPartSizeBytes": "53687091200"},
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
        "dataTypes": {kind: {"files": [{"fileName": f"data/{kind}.js", "globalName": f"YTD.{kind}.part0",
                                        "count": str(count)}]}
                      for kind, count in (("account", 1), ("profile", 1), ("tweets", tweets))},
    }
    return ("window.__THAR_CONFIG = " + json.dumps(config, indent=2, ensure_ascii=False)).encode()
