"""Live collection from Bluesky's public AppView (XRPC), against a local server shaped like the real one."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parlons.audit import run_audit
from parlons.collect import HttpClient, collect_bluesky
from parlons.errors import CollectError
from parlons.store import Store

from . import bluesky_car as fx
from .collect_server import Request, Server, json_answer, serve
from .conftest import load, rows

ME = {"did": "did:plc:mediatheque42", "handle": "mediatheque.bsky.social", "displayName": "Médiathèque",
      "description": "La médiathèque de Quimper", "createdAt": "2023-05-01T10:00:00.000Z",
      "followersCount": 310, "followsCount": 90, "postsCount": 3}
ALICE = {"did": "did:plc:alice7", "handle": "Alice.example.com", "displayName": "Alice"}
BOB = {"did": "did:plc:bob9", "handle": "bob.bsky.social", "displayName": "Bob"}


def uri(who: dict[str, Any], rkey: str, collection: str = "app.bsky.feed.post") -> str:
    return f"at://{who['did']}/{collection}/{rkey}"


def post_view(who: dict[str, Any], rkey: str, text: str, created: str, *, reply_to: str | None = None,
              root: str | None = None, replies: int = 0, facets: list[Any] | None = None,
              embed: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``app.bsky.feed.defs#postView`` as the AppView answers it."""
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text, "createdAt": created, "langs": ["fr"]}
    if reply_to:
        record["reply"] = {"root": {"uri": root or reply_to, "cid": "bafyroot"},
                           "parent": {"uri": reply_to, "cid": "bafyp"}}
    if facets:
        record["facets"] = facets
    if embed:
        record["embed"] = embed
    return {"uri": uri(who, rkey), "cid": f"bafy{rkey}", "author": {**who, "labels": []}, "record": record,
            "replyCount": replies, "repostCount": 1, "likeCount": 4, "quoteCount": 0,
            "indexedAt": created, "labels": []}


FIRST = post_view(ME, "3kfirst", "Atelier BD samedi, inscriptions ouvertes", "2024-03-05T09:15:00.000Z", replies=1,
                  embed={"$type": "app.bsky.embed.external",
                         "external": {"uri": "https://mediatheque.example/bd", "title": "BD", "description": ""}})
QUESTION = post_view(ALICE, "3kask", "@mediatheque.bsky.social c'est gratuit ?", "2024-03-05T10:00:00.000Z",
                     reply_to=uri(ME, "3kfirst"),
                     facets=[{"index": {"byteStart": 0, "byteEnd": 24},
                              "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ME["did"]}]}])
ANSWER = post_view(ME, "3kanswer", "Oui, gratuit !", "2024-03-05T10:20:00.000Z", reply_to=uri(ALICE, "3kask"),
                   root=uri(ME, "3kfirst"))
BOOSTED = post_view(BOB, "3kbob", "Festival BD ce week-end", "2024-03-06T08:00:00.000Z")
REPOST = {"post": BOOSTED, "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": ME,
                                      "uri": uri(ME, "3krepost", "app.bsky.feed.repost"), "cid": "bafyr",
                                      "indexedAt": "2024-03-06T09:00:00.000Z"}}
FEED = [REPOST, {"post": ANSWER, "reply": {"root": FIRST, "parent": QUESTION}}, {"post": FIRST}]
THREAD = {"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": FIRST, "replies": [
    {"$type": "app.bsky.feed.defs#threadViewPost", "post": QUESTION, "replies": [
        {"$type": "app.bsky.feed.defs#threadViewPost", "post": ANSWER, "replies": []}]}]}}


def routes(server: Server, feed: list[dict[str, Any]]) -> None:
    server.route("/xrpc/app.bsky.actor.getProfile",
                 lambda r: json_answer(ME) if r.arg("actor") in (ME["handle"], ME["did"])
                 else json_answer({"error": "InvalidRequest", "message": "Profile not found"}, status=400))
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", lambda r: _feed_page(r, feed))
    server.route("/xrpc/app.bsky.feed.getPostThread", _thread)


def _feed_page(request: Request, feed: list[dict[str, Any]]) -> tuple[int, dict[str, str], bytes]:
    start = int(request.arg("cursor") or 0)
    page = feed[start:start + 2]
    following = str(start + 2) if start + 2 < len(feed) else None
    return json_answer({"feed": page, **({"cursor": following} if following else {})})


def _thread(request: Request) -> tuple[int, dict[str, str], bytes]:
    wanted = request.arg("uri")
    if wanted in (uri(ME, "3kfirst"), uri(ME, "3kanswer")):
        return json_answer(THREAD)
    return json_answer({"error": "NotFound", "message": "Post not found"}, status=400)


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def collect(store: Store, server: Server, **kwargs: Any) -> Any:
    with HttpClient(server.base, sleep=lambda s: None, max_requests=kwargs.pop("max_requests", 2000)) as client:
        return collect_bluesky(store, "@Mediatheque.bsky.social", service=server.base, client=client, **kwargs)


def test_author_feed_and_threads_become_rows_with_repository_keys(store: Store, server: Server) -> None:
    routes(server, FEED)
    report = collect(store, server)
    stored = {r["post_id"]: r for r in rows(store)}
    assert sorted(stored) == sorted([uri(ME, "3kfirst"), uri(ME, "3kanswer"), uri(ALICE, "3kask"),
                                     uri(ME, "3krepost", "app.bsky.feed.repost")])
    first = stored[uri(ME, "3kfirst")]
    assert {k: first[k] for k in ("account", "account_id", "kind", "text", "urls", "like_count", "reply_count",
                                  "conversation_id", "permalink", "importer")} == {
        "account": "mediatheque.bsky.social", "account_id": ME["did"], "kind": "original",
        "text": "Atelier BD samedi, inscriptions ouvertes", "urls": ["https://mediatheque.example/bd"],
        "like_count": 4, "reply_count": 1, "conversation_id": uri(ME, "3kfirst"),
        "permalink": "https://bsky.app/profile/mediatheque.bsky.social/post/3kfirst", "importer": "bluesky-api"}
    question = stored[uri(ALICE, "3kask")]
    assert (question["account"], question["kind"], question["in_reply_to_id"], question["in_reply_to_account"],
            question["mentions"]) == ("alice.example.com", "reply", uri(ME, "3kfirst"), "mediatheque.bsky.social",
                                      ["mediatheque.bsky.social"])
    answer = stored[uri(ME, "3kanswer")]
    assert (answer["in_reply_to_id"], answer["in_reply_to_account"], answer["conversation_id"]) == (
        uri(ALICE, "3kask"), "alice.example.com", uri(ME, "3kfirst"))
    repost = stored[uri(ME, "3krepost", "app.bsky.feed.repost")]
    assert (repost["kind"], repost["repost_of_id"], repost["repost_of_account"], repost["text"]) == (
        "repost", uri(BOB, "3kbob"), "bob.bsky.social", "")
    assert (report.account, report.inserted, report.complete) == ("mediatheque.bsky.social", 4, True)
    audit = run_audit(store.con, ["mediatheque.bsky.social"], platform="bluesky")[0].model_dump(mode="json")
    assert (audit["responsiveness"]["requests"], audit["responsiveness"]["answered"]) == (1, 1)


def test_second_run_reads_only_the_newest_page_and_adds_nothing(store: Store, server: Server) -> None:
    routes(server, FEED)
    collect(store, server)
    server.requests.clear()
    again = collect(store, server)
    feeds = [r for r in server.requests if r.path.endswith("getAuthorFeed")]
    assert (again.inserted, len(feeds), feeds[0].arg("cursor")) == (0, 1, None)


def test_request_cap_then_resume_from_the_saved_cursor(store: Store, server: Server) -> None:
    routes(server, FEED)
    first = collect(store, server, max_requests=3)  # the profile, the first page and its thread; not page 2
    assert (first.complete, first.stopped, len(rows(store))) == (
        False, "reached the cap of 3 requests; run again to go on", 4)
    server.requests.clear()
    final = collect(store, server)
    history = [r.arg("cursor") for r in server.requests if r.path.endswith("getAuthorFeed")]
    assert (final.complete, final.inserted, len(rows(store)), history[-1]) == (True, 0, 4, "2")


def test_unknown_handle_is_a_clear_error(store: Store, server: Server) -> None:
    routes(server, FEED)
    with pytest.raises(CollectError, match=r"there is no Bluesky account nobody\.bsky\.social on http://127"), \
            HttpClient(server.base) as client:
        collect_bluesky(store, "nobody.bsky.social", service=server.base, client=client)


def test_app_password_adds_mentions_outside_the_threads(store: Store, server: Server) -> None:
    routes(server, FEED)
    outside = post_view(ALICE, "3kelse", "@mediatheque.bsky.social vous ouvrez dimanche ?", "2024-03-07T10:00:00.000Z")
    sessions: list[dict[str, Any]] = []

    def session(request: Request) -> tuple[int, dict[str, str], bytes]:
        sessions.append(json.loads(request.body))
        return json_answer({"accessJwt": "jwt-1", "refreshJwt": "r", "did": ME["did"], "handle": ME["handle"]})

    server.route("/xrpc/com.atproto.server.createSession", session)
    server.json("/xrpc/app.bsky.notification.listNotifications", {"notifications": [
        {"uri": outside["uri"], "cid": outside["cid"], "author": ALICE, "reason": "mention",
         "record": outside["record"], "isRead": False, "indexedAt": "2024-03-07T10:00:01.000Z", "labels": []}]})
    report = collect(store, server, app_password="abcd-efgh-ijkl-mnop", pds=server.base)
    mention = {r["post_id"]: r for r in rows(store)}[uri(ALICE, "3kelse")]
    assert (mention["source_member"], mention["account"], report.inserted) == (
        "notifications", "alice.example.com", 5)
    assert sessions == [{"identifier": ME["did"], "password": "abcd-efgh-ijkl-mnop"}]
    listed = next(r for r in server.requests if r.path.endswith("listNotifications"))
    assert listed.headers["authorization"] == "Bearer jwt-1"


def test_refused_app_password_is_a_clear_error(store: Store, server: Server) -> None:
    routes(server, FEED)
    server.route("/xrpc/com.atproto.server.createSession",
                 lambda r: json_answer({"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                                       status=401))
    with pytest.raises(CollectError, match=r"refused the app password for mediatheque\.bsky\.social \(401\)"):
        collect(store, server, app_password="wrong", pds=server.base)


def test_a_post_collected_then_found_in_the_repository_export_is_one_post(store: Store, server: Server,
                                                                          tmp_path: Path) -> None:
    owner = {"did": fx.ORG, "handle": fx.HANDLE, "displayName": "La Ressourcerie du Port"}
    view = post_view(owner, "3lab2aaaaaa2a", "Grande braderie samedi au Port !", "2025-03-01T09:00:00.000Z")
    server.json("/xrpc/app.bsky.actor.getProfile", owner)
    server.json("/xrpc/app.bsky.feed.getAuthorFeed", {"feed": [{"post": view}]})
    with HttpClient(server.base) as client:
        collect_bluesky(store, fx.HANDLE, service=server.base, client=client)
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "repo.car").write_bytes(fx.repo(fx.ORG, fx.records()))
    report = load(store, folder)
    post = {r["post_id"]: r for r in rows(store)}[f"at://{fx.ORG}/app.bsky.feed.post/3lab2aaaaaa2a"]
    assert (report.merge.already_stored, post["importer"], post["like_count"]) == (1, "bluesky-api", 4)


def test_an_answer_that_is_not_json_is_named(store: Store, server: Server) -> None:
    server.route("/xrpc/app.bsky.actor.getProfile",
                 lambda r: (200, {"Content-Type": "text/html"}, b"<html>maintenance</html>"))
    with pytest.raises(CollectError, match=r"getProfile\?actor=mediatheque\.bsky\.social did not answer JSON"):
        collect(store, server)


def test_a_server_that_cannot_be_reached_is_named(store: Store) -> None:
    with pytest.raises(CollectError, match=r"http://127\.0\.0\.1:9 cannot be reached \(ConnectError\)"), \
            HttpClient("http://127.0.0.1:9", retries=1, sleep=lambda s: None) as client:
        collect_bluesky(store, "mediatheque.bsky.social", service=client.base_url, client=client)


def _gallery(*kinds: str) -> dict[str, Any]:
    """``app.bsky.embed.gallery`` as a post record holds it (bluesky-social/atproto's view snapshots)."""
    return {"$type": "app.bsky.embed.gallery", "items": [
        {"$type": f"app.bsky.embed.gallery#{kind}", "alt": "", "aspectRatio": {"height": 3, "width": 4},
         "image": {"$type": "blob", "mimeType": "image/jpeg", "ref": {"$link": "bafkreigallery"}, "size": 4114}}
        for kind in kinds]}


def test_gallery_images_are_counted_as_the_repository_importer_counts_them(store: Store, server: Server) -> None:
    """A gallery's images were not counted (media_count 0): the collector knew images and video only."""
    alone = post_view(ME, "3kgal", "Expo photo", "2024-03-07T09:00:00.000Z", embed=_gallery("image", "image"))
    quoting = post_view(ME, "3kgalq", "L'expo, suite", "2024-03-07T10:00:00.000Z", embed={
        "$type": "app.bsky.embed.recordWithMedia", "media": _gallery("image", "other"),
        "record": {"$type": "app.bsky.embed.record", "record": {"uri": uri(BOB, "3kbob"), "cid": "bafyb"}}})
    routes(server, [{"post": quoting}, {"post": alone}])
    collect(store, server)
    stored = {r["post_id"]: r for r in rows(store)}
    assert (stored[alone["uri"]]["media_count"], stored[alone["uri"]]["media_kinds"]) == (2, ["image", "image"])
    got = stored[quoting["uri"]]
    assert (got["kind"], got["quote_of_id"], got["media_count"], got["media_kinds"]) == (
        "quote", uri(BOB, "3kbob"), 1, ["image"])


def test_a_post_not_shaped_like_the_appviews_is_left_out_and_named(store: Store, server: Server) -> None:
    """An AppView of another make (or a hostile one) stopped the run with a traceback, or stored a
    wrong value: a facet's byte range given as strings (TypeError), an author given as a string
    (AttributeError), ``langs`` given as a string ("fr" was stored as the language "f")."""
    odd_range = post_view(ME, "3kodd1", "@alice.example.com bonjour", "2024-03-07T09:00:00.000Z",
                          facets=[{"index": {"byteStart": "0", "byteEnd": "18"},
                                   "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ALICE["did"]}]}])
    odd_author = {**post_view(ME, "3kodd2", "Bonjour", "2024-03-07T09:10:00.000Z"), "author": ME["did"]}
    odd_langs = post_view(ME, "3kodd3", "Bonjour", "2024-03-07T09:20:00.000Z")
    odd_langs["record"]["langs"] = "fr"
    odd_reply = post_view(ALICE, "3kodd4", "?", "2024-03-05T10:05:00.000Z", reply_to=FIRST["uri"])
    odd_reply["record"]["embed"] = "app.bsky.embed.images"
    server.route("/xrpc/app.bsky.feed.getPostThread", lambda r: json_answer({"thread": {
        "$type": "app.bsky.feed.defs#threadViewPost", "post": FIRST,
        "replies": [{"post": odd_reply, "replies": []}, {"post": QUESTION, "replies": []}]}}))
    server.route("/xrpc/app.bsky.actor.getProfile", lambda r: json_answer(ME))
    server.route("/xrpc/app.bsky.feed.getAuthorFeed", lambda r: _feed_page(
        r, [{"post": odd_range}, {"post": odd_author}, {"post": odd_langs}, {"post": FIRST}]))
    report = collect(store, server)
    assert sorted(r["post_id"] for r in rows(store)) == sorted([FIRST["uri"], QUESTION["uri"]])
    assert report.complete
    assert report.notes[0] == (
        f"4 posts left out: {server.base} did not answer them shaped like the AppView's post views "
        f"(first: {odd_range['uri']} in feed: post.record.facets: an index is not a range of bytes)")


def test_a_feed_cursor_given_again_ends_the_feed(store: Store, server: Server) -> None:
    """An AppView answering the cursor it was given had the collector ask for the same page until the
    request cap."""
    routes(server, FEED)
    server.route("/xrpc/app.bsky.feed.getAuthorFeed",
                 lambda r: json_answer({"feed": [{"post": FIRST}], "cursor": "2024-03-05T09:15:00.000Z"}))
    report = collect(store, server, max_requests=50)
    assert (report.complete, report.stopped) == (True, None)
    assert [r.path for r in server.requests].count("/xrpc/app.bsky.feed.getAuthorFeed") == 2


def test_waits_when_bluesky_says_the_rate_limit_is_spent(store: Store, server: Server) -> None:
    """Bluesky's servers (atproto's xrpc-server) write ``RateLimit-Remaining`` and ``RateLimit-Reset``
    (epoch seconds), without the ``X-`` of Mastodon's: a spent limit was not seen, and the next
    requests met 429s."""
    routes(server, FEED)
    reset = int(time.time()) + 30
    server.route("/xrpc/app.bsky.actor.getProfile", lambda r: json_answer(ME, {
        "RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset),
        "RateLimit-Policy": "3000;w=300"}))
    waits: list[float] = []
    with HttpClient(server.base, sleep=waits.append) as client:
        collect_bluesky(store, ME["handle"], client=client)
    assert len(waits) == 1 and 25 < waits[0] <= 30
