"""Synthetic exports for benchmarks: an X archive, a Mastodon outbox, generic and twarc2 JSONL.

Deterministic (seeded) and written in the real layouts, so the benchmark exercises the real
importers end to end. Texts mix French and English, mentions, hashtags, links and replies.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

WORDS_FR = ("nous", "vous", "merci", "bonjour", "ville", "marché", "réunion", "conseil", "été",
            "événement", "inscription", "découvrez", "programme", "quartier", "école", "musée")
WORDS_EN = ("we", "you", "thanks", "hello", "city", "market", "meeting", "council", "summer",
            "event", "register", "discover", "programme", "district", "school", "museum")
HANDLES = tuple(f"user{i}" for i in range(5000))
START = datetime(2022, 1, 1, tzinfo=UTC)


def _text(rng: random.Random, i: int) -> str:
    words = WORDS_FR if i % 2 else WORDS_EN
    body = " ".join(rng.choice(words) for _ in range(rng.randint(6, 30)))
    if i % 5 == 0:
        body = f"@{rng.choice(HANDLES)} {body}"
    if i % 7 == 0:
        body += f" #{rng.choice(words)}"
    if i % 3 == 0:
        body += f" https://example.org/p/{i}"
    return body + ("?" if i % 11 == 0 else "")


def _when(i: int) -> datetime:
    return START + timedelta(seconds=i * 37)


def _tweet(rng: random.Random, i: int) -> dict[str, Any]:
    text = _text(rng, i)
    tweet: dict[str, Any] = {
        "id_str": str(1_500_000_000_000_000_000 + i), "full_text": text, "lang": "fr" if i % 2 else "en",
        "created_at": _when(i).strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "favorite_count": str(i % 13), "retweet_count": str(i % 5),
        "entities": {"hashtags": [], "user_mentions": [], "urls": [], "symbols": []},
    }
    if i % 4 == 1 and i > 1:
        tweet["in_reply_to_status_id_str"] = str(1_500_000_000_000_000_000 + i - 1)
        tweet["in_reply_to_screen_name"] = "bench_org"
    return {"tweet": tweet}


def write_x_archive(folder: Path, n: int, parts: int = 2) -> Path:
    """An X archive folder: ``data/account.js`` and ``data/tweets-partN.js``."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    account = {"account": {"username": "bench_org", "accountId": "42", "accountDisplayName": "Bench"}}
    (data / "account.js").write_bytes(b"window.YTD.account.part0 = " + orjson.dumps([account]))
    rng = random.Random(1)
    per_part = -(-n // parts)
    for part in range(parts):
        with open(data / f"tweets-part{part + 1}.js", "wb") as out:
            out.write(f"window.YTD.tweets.part{part} = [\n".encode())
            ids = range(part * per_part, min(n, (part + 1) * per_part))
            out.write(b",\n".join(orjson.dumps(_tweet(rng, i), option=orjson.OPT_INDENT_2) for i in ids))
            out.write(b"\n]")
    return folder


def _note(rng: random.Random, i: int) -> dict[str, Any]:
    base = "https://social.example/users/bench"
    note: dict[str, Any] = {
        "id": f"{base}/statuses/{100000 + i}", "type": "Note", "published": _when(i).isoformat(),
        "url": f"https://social.example/@bench/{100000 + i}", "attributedTo": base,
        "to": ["https://www.w3.org/ns/activitystreams#Public"], "cc": [f"{base}/followers"],
        "content": "<p>" + _text(rng, i).replace("&", "&amp;") + "</p>",
        "contentMap": {"fr" if i % 2 else "en": "..."}, "tag": [], "attachment": [],
        "inReplyTo": f"{base}/statuses/{100000 + i - 1}" if i % 4 == 1 and i > 1 else None,
    }
    return {"id": f"{note['id']}/activity", "type": "Create", "actor": base,
            "published": note["published"], "to": note["to"], "cc": note["cc"], "object": note}


def write_mastodon(folder: Path, n: int) -> Path:
    """A Mastodon archive folder: ``outbox.json`` and ``actor.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    actor = {"@context": "https://www.w3.org/ns/activitystreams", "id": "https://social.example/users/bench",
             "type": "Person", "preferredUsername": "bench", "name": "Bench",
             "url": "https://social.example/@bench"}
    (folder / "actor.json").write_bytes(orjson.dumps(actor))
    rng = random.Random(2)
    with open(folder / "outbox.json", "wb") as out:
        out.write(b'{"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json", '
                  b'"type": "OrderedCollection", "totalItems": ' + str(n).encode() + b', "orderedItems": [\n')
        out.write(b",\n".join(orjson.dumps(_note(rng, i)) for i in range(n)))
        out.write(b"\n]}")
    return folder


def _generic(rng: random.Random, i: int) -> dict[str, Any]:
    return {"id": str(9_000_000_000_000_000_000 + i), "user": f"acct{i % 2000}",
            "ts": _when(i).strftime("%Y-%m-%dT%H:%M:%SZ"), "body": _text(rng, i),
            "reply_to": str(9_000_000_000_000_000_000 + i - 1) if i % 4 == 1 and i > 1 else None,
            "lang": "fr" if i % 2 else "en", "likes": i % 17}


def write_generic_jsonl(path: Path, n: int) -> Path:
    """Generic JSONL (``id, user, ts, body, reply_to, lang, likes``)."""
    rng = random.Random(3)
    with open(path, "wb") as out:
        for chunk in _chunks(n):
            out.write(b"".join(orjson.dumps(_generic(rng, i)) + b"\n" for i in chunk))
    return path


def _twarc(rng: random.Random, i: int) -> dict[str, Any]:
    tid = str(1_600_000_000_000_000_000 + i)
    tweet: dict[str, Any] = {
        "id": tid, "author_id": str(1000 + i % 2000), "conversation_id": tid,
        "created_at": _when(i).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "text": _text(rng, i),
        "lang": "fr" if i % 2 else "en", "source": "Twitter Web App",
        "public_metrics": {"retweet_count": i % 5, "reply_count": i % 3, "like_count": i % 13,
                           "quote_count": 0},
        "author": {"id": str(1000 + i % 2000), "username": f"acct{i % 2000}", "name": f"Account {i % 2000}"},
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.0.0",
                    "retrieved_at": "2023-01-01T00:00:00+00:00"},
    }
    if i % 4 == 1 and i > 1:
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": str(1_600_000_000_000_000_000 + i - 1)}]
        tweet["in_reply_to_user_id"] = str(1000 + (i - 1) % 2000)
    return tweet


def write_twarc_jsonl(path: Path, n: int) -> Path:
    """twarc2 flattened JSONL (one v2 tweet per line, author expanded)."""
    rng = random.Random(4)
    with open(path, "wb") as out:
        for chunk in _chunks(n):
            out.write(b"".join(orjson.dumps(_twarc(rng, i)) + b"\n" for i in chunk))
    return path


def _chunks(n: int, size: int = 50_000) -> Iterator[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))
