"""Collect a Bluesky account from the public AppView (XRPC), and the public threads under its posts.

Calls (no credentials needed): ``app.bsky.actor.getProfile``, ``app.bsky.feed.getAuthorFeed``
(``filter=posts_with_replies``, paged by ``cursor``) and ``app.bsky.feed.getPostThread`` for every
post that is a reply or has replies. With an app password, ``com.atproto.server.createSession`` on
the account's PDS, then ``app.bsky.notification.listNotifications`` adds mentions and replies
outside the threads walked.

Rows have the repository importer's keys: a post is keyed by its ``at://`` URI, a repost by the URI
of its repost record where the AppView gives it; the account is the handle, lower case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from ..errors import CollectError, UsageError
from ..importers._base import post_row
from ..normalize import parse_time, unique
from ..store import Store
from ._http import HttpClient, NotFound, Reach, RequestCap, check_base_url
from ._sink import Batch, CollectReport, Progress, Sink, account_row

__all__ = ["IMPORTER", "collect_bluesky"]

IMPORTER = "bluesky-api"
PUBLIC_APPVIEW = "https://public.api.bsky.app"
DEFAULT_PDS = "https://bsky.social"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
THREAD_DEPTH = 50
MAX_THREAD_POSTS = 5000


@dataclass
class Run:
    client: HttpClient
    actor: dict[str, Any]
    since: datetime | None
    skipped: list[str] = field(default_factory=list)
    """Posts left out as not shaped like the AppView's views: ``uri in call (what is wrong)``."""


def collect_bluesky(store: Store, handle: str, *, service: str | None = None, app_password: str | None = None,
                    pds: str | None = None, since: datetime | None = None, max_requests: int = 2000,
                    client: HttpClient | None = None, progress: Progress | None = None,
                    reach: Reach = "any") -> CollectReport:
    """Collect ``handle`` (``name.bsky.social`` or a DID) into ``store``; incremental and resumable.

    ``reach="public"`` connects only to public addresses (a server collecting for its users); the
    app password (a sign-in on the PDS) is then refused: it is for the command line.
    """
    name = handle.strip().lstrip("@").lower()
    if not name:
        raise CollectError("give the Bluesky handle to collect (for example name.bsky.social)")
    if app_password and reach != "any":
        raise UsageError("an app password is used only by the command line (parlons collect bluesky)")
    http = client or HttpClient(service or PUBLIC_APPVIEW, max_requests=max_requests, reach=reach)
    report = CollectReport("bluesky", name, http.base_url)
    sink = Sink(store, IMPORTER, report, progress, lambda: http.requests)
    try:
        run = Run(http, _profile(http, name), since)
        report.account = str(run.actor.get("handle") or name).lower()
        cursor = sink.cursor()
        _collect(run, sink, cursor)
        if app_password:
            _notifications(run, sink, cursor, app_password, pds or DEFAULT_PDS)
        sink.commit(Batch(), cursor)
        if run.skipped:
            report.notes.append(f"{len(run.skipped)} posts left out: {http.base_url} did not answer them shaped like "
                                f"the AppView's post views (first: {run.skipped[0]})")
        report.notes.append(_coverage_note(app_password is not None))
    except RequestCap:
        report.complete = False
        report.stopped = f"reached the cap of {http.max_requests} requests; run again to go on"
    finally:
        report.requests = http.requests
        if client is None:
            http.close()
    return report


def _profile(http: HttpClient, name: str) -> dict[str, Any]:
    """The profile; the AppView answers 400 (``InvalidRequest``) for an unknown handle."""
    try:
        response = http.get("/xrpc/app.bsky.actor.getProfile", {"actor": name}, ok=(200, 400))
        data = response.json() if response.status == 200 else None
    except NotFound:
        data = None
    if not isinstance(data, dict) or not data.get("did"):
        raise CollectError(f"there is no Bluesky account {name} on {http.base_url} (unknown, taken down or "
                           "deactivated); check the handle")
    return data


def _collect(run: Run, sink: Sink, cursor: dict[str, Any]) -> None:
    newest = cursor.get("newest")
    if newest:
        for page in _feed(run, None):
            fresh = [item for item in page if _indexed(item) > newest]
            _write_page(run, sink, cursor, fresh)
            if len(fresh) < len(page):
                break
    if not cursor.get("history_done"):
        for page in _feed(run, cursor.get("history_cursor")):
            if _write_page(run, sink, cursor, page):
                break
        cursor["history_done"] = True
        cursor.pop("history_cursor", None)


def _feed(run: Run, start: str | None) -> Iterator[list[dict[str, Any]]]:
    """Pages of the author feed (newest first); the cursor to resume is kept on ``run``."""
    page_cursor = start
    while True:
        params: dict[str, Any] = {"actor": run.actor["did"], "limit": 100, "filter": "posts_with_replies"}
        if page_cursor:
            params["cursor"] = page_cursor
        data, response = run.client.get_json("/xrpc/app.bsky.feed.getAuthorFeed", params)
        if not isinstance(data, dict) or not isinstance(data.get("feed"), list):
            raise CollectError(f"{response.url} answered something other than an author feed")
        raw = [item for item in data["feed"] if isinstance(item, dict) and item.get("post") is not None]
        following = data.get("cursor") if isinstance(data.get("cursor"), str) else None
        page_cursor = following if following != page_cursor else None  # the same cursor again would loop
        run.actor["_next"] = page_cursor
        if raw:
            yield _shaped(run, raw, "feed", ITEM)  # a page all left out is not the end of the feed
        if not page_cursor or not raw:
            return


def _write_page(run: Run, sink: Sink, cursor: dict[str, Any], items: list[dict[str, Any]]) -> bool:
    """One page with the threads of its posts; True once past ``since``."""
    batch = Batch()
    kept = [item for item in items if not (run.since and (_created(item) or run.since) < run.since)]
    for item in kept:
        _add_item(run, batch, item)
        post = item["post"]
        if item.get("reason") is None and (_replies(post) > 0 or _parent_uri(post)):
            _thread(run, batch, str(post.get("uri")))
    if kept:
        newest = max(_indexed(item) for item in kept)
        cursor["newest"] = max(newest, cursor.get("newest") or "")
    if not cursor.get("history_done"):
        cursor["history_cursor"] = run.actor.get("_next")
    sink.commit(batch, cursor)
    return len(kept) < len(items)


def _thread(run: Run, batch: Batch, uri: str) -> None:
    try:
        response = run.client.get("/xrpc/app.bsky.feed.getPostThread",
                                  {"uri": uri, "depth": THREAD_DEPTH, "parentHeight": THREAD_DEPTH}, ok=(200, 400))
    except NotFound:
        return
    if response.status == 400:
        return  # a deleted or blocked thread root: the AppView answers 400 (NotFound)
    data = response.json()
    thread = data.get("thread") if isinstance(data, dict) else None
    posts = _shaped(run, list(_walk(thread)), f"thread/{uri}", POST_VIEW)
    parents = {str(post.get("uri")): post.get("author") or {} for post in posts}
    for post in posts:
        row = _post_row(post, f"thread/{uri}", parents=parents)
        if row is not None:
            batch.add(row)


def _walk(thread: Any) -> Iterator[dict[str, Any]]:
    """Every post view of a thread (parents and replies), each once, without recursion."""
    stack, seen = [thread], 0
    while stack and seen < MAX_THREAD_POSTS:
        node = stack.pop()
        if not isinstance(node, dict) or not isinstance(node.get("post"), dict):
            continue
        seen += 1
        yield node["post"]
        stack.append(node.get("parent"))
        replies = node.get("replies")
        stack.extend(replies if isinstance(replies, list) else [])


Shape = dict[str, "type | tuple[type, Shape]"]
"""What parlons reads of a view: field -> its type, or (dict, the shape of the object); each may be null."""
REF: Shape = {"uri": str}
EMBED: Shape = {"$type": str, "record": (dict, {"uri": str, "record": (dict, REF)}), "external": (dict, REF),
                "images": list, "items": list, "media": (dict, {"$type": str, "images": list, "items": list})}
RECORD: Shape = {"text": str, "createdAt": str, "langs": list, "facets": list, "tags": list, "embed": (dict, EMBED),
                 "reply": (dict, {"root": (dict, REF), "parent": (dict, REF)})}
AUTHOR: Shape = {"did": str, "handle": str, "displayName": str, "description": str, "createdAt": str}
POST_VIEW: Shape = {"uri": str, "indexedAt": str, "author": (dict, AUTHOR), "record": (dict, RECORD)}
ITEM: Shape = {"post": (dict, POST_VIEW),
               "reason": (dict, {"$type": str, "uri": str, "indexedAt": str, "by": (dict, AUTHOR)}),
               "reply": (dict, {"parent": (dict, {"uri": str, "author": (dict, AUTHOR)})})}


def _shaped(run: Run, views: list[Any], call: str, shape: Shape) -> list[dict[str, Any]]:
    """The views shaped as the AppView answers them; the others are named in ``run.skipped``.

    An AppView of another make (or a hostile one) may answer otherwise: a post whose fields parlons
    reads have other types is left out, rather than stopping the run."""
    kept = []
    for view in views:
        problem = _wrong(view, shape)
        if problem is None:
            kept.append(view)
        else:
            post = view.get("post") if isinstance(view, dict) and shape is ITEM else view
            uri = post.get("uri") if isinstance(post, dict) else None
            run.skipped.append(f"{uri if isinstance(uri, str) else 'a post'} in {call}: {problem}")
    return kept


def _wrong(data: Any, shape: Shape, prefix: str = "") -> str | None:
    """What is not of the shape's types in ``data`` (the first), else None."""
    if not isinstance(data, dict):
        return f"{prefix.rstrip('.') or 'the view'} is not an object"
    for name, kind in shape.items():
        value = data.get(name)
        if value is None:
            continue
        expected, inner = kind if isinstance(kind, tuple) else (kind, None)
        if not isinstance(value, expected) or isinstance(value, bool):
            return f"{prefix}{name} is {type(value).__name__}"
        if inner is not None and (wrong := _wrong(value, inner, f"{prefix}{name}.")):
            return wrong
    return _wrong_lists(data, prefix) if "facets" in shape else None


def _wrong_lists(record: dict[str, Any], prefix: str) -> str | None:
    """A post record's facets (byte ranges of integers) and languages (strings)."""
    for facet in record.get("facets") or []:
        index = facet.get("index") if isinstance(facet, dict) else None
        if isinstance(facet, dict) and not isinstance(facet.get("features") or [], list):
            return f"{prefix}facets: features is not a list"
        if index is not None and not (isinstance(index, dict) and all(
                isinstance(index.get(k, 0), int) and not isinstance(index.get(k, 0), bool)
                for k in ("byteStart", "byteEnd"))):
            return f"{prefix}facets: an index is not a range of bytes"
    if not all(isinstance(lang, str) for lang in record.get("langs") or []):
        return f"{prefix}langs: not a list of language tags"
    return None


def _notifications(run: Run, sink: Sink, cursor: dict[str, Any], password: str, pds: str) -> None:
    token = _session(run, password, pds)
    params: dict[str, Any] = {"limit": 100}
    newest = cursor.get("notified")
    while True:
        response = run.client.get("/xrpc/app.bsky.notification.listNotifications", params,
                                  headers={"Authorization": f"Bearer {token}"})
        data = response.json()
        items = [n for n in (data.get("notifications") or []) if isinstance(n, dict)] if isinstance(data, dict) else []
        batch = Batch()
        fresh = [n for n in items
                 if n.get("reason") in ("mention", "reply") and str(n.get("indexedAt")) > (newest or "")]
        for note in fresh:
            row = _record_row(run, note, "notifications")
            if row is not None:
                batch.add(row)
        if items:
            cursor["notified"] = max([str(n.get("indexedAt")) for n in items] + [cursor.get("notified") or ""])
        sink.commit(batch, cursor)
        params["cursor"] = data.get("cursor") if isinstance(data, dict) else None
        if not params["cursor"] or len(fresh) < len(items):
            return


def _session(run: Run, password: str, pds: str) -> str:
    base = check_base_url(pds)
    try:
        answer = httpx.post(f"{base}/xrpc/com.atproto.server.createSession", timeout=20.0,
                            json={"identifier": run.actor["did"], "password": password})
    except httpx.HTTPError as exc:
        raise CollectError(f"{base} cannot be reached to sign in ({type(exc).__name__})") from None
    run.client.requests += 1
    if answer.status_code != 200 or "accessJwt" not in answer.text:
        raise CollectError(f"{base} refused the app password for {run.actor.get('handle')} ({answer.status_code}); "
                           "create an app password in Bluesky's settings and try again")
    return str(answer.json()["accessJwt"])


def _add_item(run: Run, batch: Batch, item: dict[str, Any]) -> None:
    reason = item.get("reason")
    if isinstance(reason, dict) and "reasonRepost" in str(reason.get("$type")):
        row = _repost_row(item["post"], reason)
    else:
        parent = (item.get("reply") or {}).get("parent")
        known = {str(parent.get("uri")): parent.get("author") or {}} if isinstance(parent, dict) else {}
        row = _post_row(item["post"], "feed", parents=known)
    if row is not None:
        batch.add(row)
        author = run.actor
        if row["account_id"] == author.get("did"):
            batch.account(account_row(platform="bluesky", account=row["account"], account_id=author.get("did"),
                                      display_name=author.get("displayName") or None,
                                      description=author.get("description") or None,
                                      created_at=parse_time(author.get("createdAt")), source_member="profile"))


def _post_row(post: dict[str, Any], member: str,
              parents: dict[str, dict[str, Any]] | None = None) -> dict[str, Any] | None:
    record = _record(post)
    author = post.get("author") or {}
    uri, created = post.get("uri"), parse_time(record.get("createdAt") or post.get("indexedAt"))
    if not uri or created is None or not author.get("did"):
        return None
    parent_uri = _parent_uri(post)
    parent_did = parent_uri.split("/")[2] if parent_uri and parent_uri.startswith("at://") else None
    parent_author = (parents or {}).get(parent_uri or "", {})
    quoted = _quoted(record)
    return post_row(
        platform="bluesky", post_id=str(uri), account=_who(author), account_id=author["did"],
        account_name=author.get("displayName") or None, created_at=created, text=str(record.get("text") or ""),
        lang=(record.get("langs") or [None])[0], kind="reply" if parent_uri else "quote" if quoted else "original",
        in_reply_to_id=parent_uri, in_reply_to_account=_who(parent_author) if parent_author else parent_did,
        in_reply_to_account_id=parent_did,
        conversation_id=((record.get("reply") or {}).get("root") or {}).get("uri") or str(uri),
        quote_of_id=quoted, mentions=_mentions(record), hashtags=_tags(record), urls=_links(record),
        media_count=len(_media(record)), media_kinds=_media(record),
        like_count=_count(post, "likeCount"), repost_count=_count(post, "repostCount"),
        reply_count=_count(post, "replyCount"), quote_count=_count(post, "quoteCount"),
        permalink=f"https://bsky.app/profile/{_who(author)}/post/{str(uri).rsplit('/', 1)[-1]}",
        source_member=member, source_record=str(uri))


def _repost_row(post: dict[str, Any], reason: dict[str, Any]) -> dict[str, Any] | None:
    by = reason.get("by") or {}
    uri, created = reason.get("uri"), parse_time(reason.get("indexedAt"))
    if not uri or not by.get("did") or created is None:
        return None  # older AppViews do not give the repost record's URI: it could not match the archive
    return post_row(platform="bluesky", post_id=str(uri), account=_who(by), account_id=by["did"],
                    account_name=by.get("displayName") or None, created_at=created, text="", kind="repost",
                    repost_of_id=post.get("uri"), repost_of_account=_who(post.get("author") or {}),
                    source_member="feed", source_record=str(uri))


def _record_row(run: Run, note: dict[str, Any], member: str) -> dict[str, Any] | None:
    """A notification carries the record and its author: the same row as a post view."""
    view = {"uri": note.get("uri"), "record": note.get("record"), "author": note.get("author"),
            "indexedAt": note.get("indexedAt")}
    return next((_post_row(post, member) for post in _shaped(run, [view], member, POST_VIEW)), None)


def _who(author: dict[str, Any]) -> str:
    handle = str(author.get("handle") or "")
    return handle.lower() if handle and handle != "handle.invalid" else str(author.get("did") or "")


def _record(post: dict[str, Any]) -> dict[str, Any]:
    record = post.get("record")
    return record if isinstance(record, dict) else {}


def _parent_uri(post: dict[str, Any]) -> str | None:
    record = _record(post)
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
    return str(parent) if parent else None


def _quoted(record: dict[str, Any]) -> str | None:
    embed = record.get("embed") or {}
    kind = embed.get("$type")
    uri = ((embed.get("record") or {}).get("uri") if kind == "app.bsky.embed.record"
           else ((embed.get("record") or {}).get("record") or {}).get("uri") if kind == "app.bsky.embed.recordWithMedia"
           else None)
    return str(uri) if uri and f"/{POST}/" in str(uri) else None


def _facet_features(record: dict[str, Any], kind: str) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for facet in record.get("facets") or []:
        if isinstance(facet, dict):
            for feature in facet.get("features") or []:
                if isinstance(feature, dict) and feature.get("$type") == f"app.bsky.richtext.facet#{kind}":
                    yield facet, feature


def _mentions(record: dict[str, Any]) -> list[str]:
    """Handles as written in the text (``@name``), lower case, else the DID: the importer's rule."""
    data = str(record.get("text") or "").encode()
    found = []
    for facet, feature in _facet_features(record, "mention"):
        index = facet.get("index") or {}
        written = data[index.get("byteStart", 0): index.get("byteEnd", 0)].decode(errors="replace")
        found.append(written[1:].lower() if written.startswith("@") and len(written) > 1 else str(feature.get("did")))
    return unique(found)


def _tags(record: dict[str, Any]) -> list[str]:
    tags = [str(f.get("tag")) for _, f in _facet_features(record, "tag") if f.get("tag")]
    return unique(tags + [str(t) for t in record.get("tags") or []])


def _links(record: dict[str, Any]) -> list[str]:
    links = [str(f.get("uri")) for _, f in _facet_features(record, "link") if f.get("uri")]
    external = ((record.get("embed") or {}).get("external") or {}).get("uri")
    return unique(links + ([str(external)] if external else []))


def _media(record: dict[str, Any]) -> list[str]:
    embed = record.get("embed") or {}
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embed = embed.get("media") or {}
    if embed.get("$type") == "app.bsky.embed.images":
        return ["image" for _ in embed.get("images") or []]
    if embed.get("$type") == "app.bsky.embed.gallery":  # one image per #image item, as the repository importer
        return ["image" for item in embed.get("items") or []
                if isinstance(item, dict) and item.get("$type") == "app.bsky.embed.gallery#image"]
    return ["video"] if embed.get("$type") == "app.bsky.embed.video" else []


def _count(post: dict[str, Any], key: str) -> int | None:
    value = post.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _replies(post: dict[str, Any]) -> int:
    return _count(post, "replyCount") or 0


def _created(item: dict[str, Any]) -> datetime | None:
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("indexedAt"):
        return parse_time(reason["indexedAt"])
    record = item["post"].get("record") or {}
    return parse_time(record.get("createdAt") or item["post"].get("indexedAt"))


def _indexed(item: dict[str, Any]) -> str:
    reason = item.get("reason")
    if isinstance(reason, dict) and reason.get("indexedAt"):
        return str(reason["indexedAt"])
    return str(item["post"].get("indexedAt") or "")


def _coverage_note(with_password: bool) -> str:
    if with_password:
        return ("collected with an app password: the account's public posts, the threads under them and its "
                "mentions; deleted and blocked posts are not seen")
    return ("collected without credentials: the account's public posts and the public threads under them; "
            "mentions outside those threads, deleted and blocked posts are not seen")
