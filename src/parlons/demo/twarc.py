"""Writes what a consultant collects with twarc2 about the three X accounts, flattened.

``twarc2 mentions`` then ``twarc2 flatten`` for each account (the tweets that mention it: people's
requests, the peers' mentions), and ``twarc2 timeline`` then ``twarc2 flatten`` for the two peers
(their own tweets; the organization's own come from its archive). One tweet per line, newest
first, in the API v2 shape with ``author``, ``in_reply_to_user`` and the referenced tweets expanded
in place, and ``__twarc`` metadata. Since 2023 the API no longer names the client app, so there
is no ``source``: the peers' automated posts can only be recognised by their feed titles.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files import EXPORTED, accounts_by_handle, iso_ms
from .world import Account, Post, World
from .xtext import XText, escape, media_key, render

__all__ = ["Collection", "collections", "user", "write_twarc"]

API = "https://api.twitter.com/2/users/{id}/{endpoint}"
FIELDS = ("?expansions=author_id%2Cin_reply_to_user_id%2Creferenced_tweets.id%2Creferenced_tweets.id.author_id"
          "%2Cattachments.media_keys&tweet.fields=attachments%2Cauthor_id%2Cconversation_id%2Ccreated_at"
          "%2Centities%2Cid%2Cin_reply_to_user_id%2Clang%2Cpublic_metrics%2Creferenced_tweets%2Ctext&max_results=100")


@dataclass(frozen=True)
class Collection:
    """One twarc2 file: whose timeline or mentions it holds, and the tweets."""

    name: str
    owner: Account
    endpoint: str
    posts: list[Post]


def collections(world: World) -> list[Collection]:
    """The organization's mentions, and each peer's timeline and mentions."""
    tweets = [p for p in world.posts if p.platform == "x" and not p.external]
    found: list[Collection] = []
    for key in ("org", "peer1", "peer2"):
        account = world.accounts[key]
        if key != "org":
            found.append(Collection(f"timeline-{account.handle}.jsonl", account, "tweets",
                                    [p for p in tweets if p.author is account]))
        found.append(Collection(f"mentions-{account.handle}.jsonl", account, "mentions", [
            p for p in tweets if p.author is not account and p.kind != "repost" and account in p.mentions]))
    return found


def write_twarc(world: World, folder: Path) -> list[Path]:
    accounts = accounts_by_handle(world.accounts.values(), world.posts)
    replies = Counter(id(p.reply_to) for p in world.posts if p.reply_to is not None)
    written = []
    for collection in collections(world):
        url = API.format(id=collection.owner.id, endpoint=collection.endpoint) + FIELDS
        newest_first = sorted(collection.posts, key=lambda p: p.created, reverse=True)
        lines = [json.dumps(_line(p, accounts, world.lang, replies, url), ensure_ascii=False) for p in newest_first]
        path = folder / "twarc2" / collection.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        written.append(path)
    return written


def _line(post: Post, accounts: dict[str, Account], lang: str, replies: Counter[int], url: str) -> dict[str, Any]:
    tweet = _tweet(post, render(post, accounts), lang, replies)
    tweet["author"] = user(post.author)
    parent = _addressee(post)
    if parent is not None:
        tweet["in_reply_to_user"] = user(parent)
    tweet["__twarc"] = {"url": url, "version": "2.14.0", "retrieved_at": EXPORTED.isoformat()}
    return tweet


def _addressee(post: Post) -> Account | None:
    if post.reply_to is not None:
        return post.reply_to.author
    return post.addressed


def _tweet(post: Post, text: XText, lang: str, replies: Counter[int]) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": post.id, "text": escape(text.text), "created_at": iso_ms(post.created), "author_id": post.author.id,
        "conversation_id": post.root.id, "edit_history_tweet_ids": [post.id], "lang": lang,
        "possibly_sensitive": False, "reply_settings": "everyone",
        "public_metrics": {"retweet_count": post.reposts, "reply_count": replies[id(post)],
                           "like_count": post.likes, "quote_count": 0, "bookmark_count": 0,
                           "impression_count": post.likes * 37 + 12},
    }
    addressee = _addressee(post)
    if addressee is not None:
        tweet["in_reply_to_user_id"] = addressee.id
    references = _references(post)
    if references:
        tweet["referenced_tweets"] = references
    entities = _entities(post, text)
    if entities:
        tweet["entities"] = entities
    if post.media:
        keys = [media_key(post, i) for i in range(len(post.media))]
        tweet["attachments"] = {"media_keys": keys,
                                "media": [{"media_key": k, "type": t} for k, t in zip(keys, post.media, strict=True)]}
    return tweet


def _references(post: Post) -> list[dict[str, Any]]:
    found = [("replied_to", post.reply_to), ("quoted", post.quote_of), ("retweeted", post.repost_of)]
    return [{"type": kind, "id": target.id, "text": escape(target.text), "created_at": iso_ms(target.created),
             "author_id": target.author.id, "conversation_id": target.root.id, "author": user(target.author)}
            for kind, target in found if target is not None]


def _entities(post: Post, text: XText) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    if text.mentions:
        entities["mentions"] = [{"start": m.start, "end": m.end, "username": m.value,
                                 "id": m.account.id if m.account else "0"} for m in text.mentions]
    if text.hashtags:
        entities["hashtags"] = [{"start": h.start, "end": h.end, "tag": h.value} for h in text.hashtags]
    urls = [{"start": u.start, "end": u.end, "url": u.short, "expanded_url": u.value,
             "display_url": u.value.split("://", 1)[-1][:26]} for u in text.urls]
    if text.media:
        kind = "photo" if post.media[0] == "photo" else "video"
        urls.append({"start": text.media.start, "end": text.media.end, "url": text.media.short,
                     "expanded_url": f"https://twitter.com/{post.author.handle}/status/{post.id}/{kind}/1",
                     "display_url": "pic.twitter.com/" + text.media.short.rsplit("/", 1)[1],
                     "media_key": media_key(post, 0)})
    if urls:
        entities["urls"] = urls
    return entities


def user(account: Account) -> dict[str, Any]:
    seed = int(account.id[-6:]) if account.id[-6:].isdigit() else 1000
    return {"id": account.id, "username": account.handle, "name": account.name,
            "created_at": iso_ms(account.created), "description": account.description, "location": "",
            "protected": False, "verified": False, "url": "",
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{account.id}/avatar_normal.jpg",
            "public_metrics": {"followers_count": seed % 900 + 20, "following_count": seed % 400 + 30,
                               "tweet_count": seed % 5000 + 50, "listed_count": seed % 7}}
