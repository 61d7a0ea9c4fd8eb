"""Collect a Mastodon account from its server's public REST API, and the public threads under it.

Calls (no token needed): ``GET /api/v2/instance`` (the server's domain, for handles),
``GET /api/v1/accounts/lookup?acct=``, ``GET /api/v1/accounts/:id/statuses`` paged by the ``Link``
header (``rel="next"`` back in time, ``rel="prev"`` forward from the newest status already
collected), and ``GET /api/v1/statuses/:id/context`` for every status that is a reply or has
replies: the requests addressed to the account in its threads, and its answers. With the account's
own token, ``GET /api/v1/notifications?types[]=mention`` adds mentions outside its threads.

Rows have the archive importer's keys: a status is keyed by its ActivityPub URI (``uri``), a boost
by the URI of its ``Announce`` without ``/activity``; handles are ``@user@domain``. A status
collected, then found in the account's archive, is one post.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import CollectError
from ..importers._base import post_row
from ..normalize import html_links, html_to_text, parse_time, unique, without_quote_fallback
from ..store import Store
from ._http import HttpClient, NotFound, Reach, RequestCap, Response, origin
from ._links import link_targets
from ._sink import Batch, CollectReport, Progress, Sink, account_row

__all__ = ["IMPORTER", "collect_mastodon"]

IMPORTER = "mastodon-api"
PAGE = 40
MEDIA = {"image": "image", "video": "video", "gifv": "gif", "audio": "audio"}
PUBLIC = ("public", "unlisted")


@dataclass
class Run:
    """One collection: the client, the account, its server's domain and what was seen."""

    client: HttpClient
    account: dict[str, Any]
    domain: str
    handle: str
    since: datetime | None
    thread_days: int
    uris: dict[str, str] = field(default_factory=dict)
    """API id -> ActivityPub URI of every status seen (to turn ``in_reply_to_id`` into a URI)."""
    authors: dict[str, str] = field(default_factory=dict)
    """API id of a status -> its author's handle."""
    actors: dict[str, str | None] = field(default_factory=dict)
    """API id of an account -> its actor URI."""
    skipped: list[str] = field(default_factory=list)
    """Statuses left out as not shaped like Mastodon's Status entity: ``id in call (what is wrong)``."""


def collect_mastodon(store: Store, account: str, *, instance: str | None = None, token: str | None = None,
                     since: datetime | None = None, max_requests: int = 2000, thread_days: int = 14,
                     client: HttpClient | None = None, progress: Progress | None = None,
                     reach: Reach = "any") -> CollectReport:
    """Collect ``account`` (``@user@host``, ``user@host`` or ``user`` with ``instance``) into ``store``.

    Incremental: the store keeps a cursor per account and server; the next run fetches what is new
    and the threads of the last ``thread_days`` days again. Stops cleanly at ``max_requests``.
    ``reach="public"`` connects only to public addresses (a server collecting for its users).
    """
    user, host = _split(account, instance)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    http = client or HttpClient(instance or f"https://{host}", headers=headers, max_requests=max_requests,
                                reach=reach)
    report = CollectReport("mastodon", f"@{user}@{host}", http.base_url)
    sink = Sink(store, IMPORTER, report, progress, lambda: http.requests)
    try:
        run = _start(http, user, host, since, thread_days, report)
        report.account = run.handle
        _collect(run, sink, sink.cursor(), token is not None, report)
    except RequestCap:
        report.complete = False
        report.stopped = f"reached the cap of {http.max_requests} requests; run again to go on"
    except NotFound as exc:
        raise CollectError(f"{report.account} on {http.base_url}: {exc}") from None
    finally:
        report.requests = http.requests
        if client is None:
            http.close()
    return report


def _split(account: str, instance: str | None) -> tuple[str, str]:
    user, _, host = account.strip().lstrip("@").partition("@")
    if not host and instance:
        host = instance.split("://", 1)[-1].split("/", 1)[0]
    if not user or not host:
        raise CollectError(f"{account!r}: give the account as @user@host (or user with --instance)")
    return user, host.lower()


def _start(http: HttpClient, user: str, host: str, since: datetime | None, thread_days: int,
           report: CollectReport) -> Run:
    domain = _domain(http, host)
    acct = user if domain == host else f"{user}@{host}"
    try:
        data, _ = http.get_json("/api/v1/accounts/lookup", {"acct": acct})
    except NotFound:
        raise CollectError(f"there is no account @{user}@{host} on {http.base_url} (unknown, moved or "
                           "deleted); check the spelling and the server") from None
    if not isinstance(data, dict) or not data.get("id"):
        raise CollectError(f"{http.base_url} answered an account lookup without an id; is it a Mastodon server?")
    if data.get("suspended"):
        raise CollectError(f"@{user}@{host} is suspended on {http.base_url}: its posts cannot be collected")
    if isinstance(data.get("moved"), dict):
        report.notes.append(f"@{user}@{host} has moved to {_handle(data['moved'], domain)}")
    run = Run(http, data, domain, _handle(data, domain), since, thread_days)
    run.actors[str(data["id"])] = _actor(data)
    return run


def _domain(http: HttpClient, host: str) -> str:
    """The server's own domain (handles use it), else the host given."""
    try:
        data, _ = http.get_json("/api/v2/instance")
    except NotFound:
        return host
    value = data.get("domain") if isinstance(data, dict) else None
    return str(value).lower() if value else host


def _collect(run: Run, sink: Sink, cursor: dict[str, Any], with_token: bool, report: CollectReport) -> None:
    own = f"/api/v1/accounts/{run.account['id']}/statuses"
    if cursor.get("newest_id"):
        for page, _ in _pages(run.client, own, {"limit": PAGE, "min_id": cursor["newest_id"]}, "prev"):
            _own_page(run, sink, cursor, page)
    if not cursor.get("history_done"):
        start = {"limit": PAGE, **({"max_id": cursor["oldest_id"]} if cursor.get("oldest_id") else {})}
        for page, older in _pages(run.client, own, start, "next"):
            reached_since = _own_page(run, sink, cursor, page)
            if reached_since or not older:
                break
        cursor["history_done"] = True
    _refresh_threads(run, sink, cursor)
    if with_token:
        _mentions(run, sink, cursor)
    sink.commit(Batch(), cursor)
    if run.skipped:
        report.notes.append(f"{len(run.skipped)} statuses left out: {run.client.base_url} did not answer them shaped "
                            f"like Mastodon's Status entity (first: {run.skipped[0]})")
    report.notes.append(_coverage_note(with_token))


def _pages(client: HttpClient, path: str, params: dict[str, Any], rel: str) -> Iterator[tuple[list[Any], bool]]:
    """Pages of a Mastodon list, following the ``Link`` header's ``rel``; ends on an empty page."""
    url: str | None = path
    query: dict[str, Any] | None = params
    while url:
        data, response = client.get_json(url, query)
        if not isinstance(data, list):
            raise CollectError(f"{response.url} answered something other than a list of statuses")
        if not data:
            return
        url, query = _following(response, rel), None
        yield data, url is not None


def _following(response: Response, rel: str) -> str | None:
    """The ``Link`` header's page ``rel``: on the server that answered, and not the page just read."""
    url = link_targets(response.headers.get("link", "")).get(rel)
    if url is None or url == response.url:
        return None  # the page itself again would be read until the request cap
    if origin(url) != origin(response.url):
        raise CollectError(f"{response.url} links its {rel} page to {url}, on another server; refused")
    return url


def _own_page(run: Run, sink: Sink, cursor: dict[str, Any], page: list[Any]) -> bool:
    """Write one page of the account's statuses with their threads; True once past ``since``."""
    batch = Batch()
    statuses = _shaped(run, page, "statuses")
    past = [s for s in statuses if run.since and _time(s) and _time(s) < run.since]  # type: ignore[operator]
    statuses = [s for s in statuses if s not in past]
    _remember(run, statuses)
    for status in statuses:
        if _has_thread(status):
            _thread(run, batch, str(status["id"]))
    for status in statuses:
        _add(run, batch, status, "statuses")
    _advance(cursor, statuses, run)
    sink.commit(batch, cursor)
    return bool(past)


def _shaped(run: Run, statuses: list[Any], call: str) -> list[dict[str, Any]]:
    """The statuses shaped like Mastodon's Status entity; the others are named in ``run.skipped``.

    Servers that speak Mastodon's API (and a hostile one) may answer otherwise: a status whose
    fields parlons reads have other types is left out, rather than stopping the run."""
    kept = []
    for status in statuses:
        problem = _problem(status)
        if problem is None:
            kept.append(status)
        else:
            ident = status.get("id") if isinstance(status, dict) else None
            run.skipped.append(f"{'status ' + str(ident) if isinstance(ident, str | int) else 'a status'} in "
                               f"{call}: {problem}")
    return kept


STATUS_FIELDS: dict[str, tuple[type, ...]] = {
    "uri": (str,), "created_at": (str,), "account": (dict,), "content": (str,), "url": (str,),
    "in_reply_to_id": (str, int), "in_reply_to_account_id": (str, int), "language": (str,),
    "mentions": (list,), "tags": (list,), "media_attachments": (list,), "application": (dict,),
    "quote": (dict,), "reblog": (dict,), "visibility": (str,)}
"""What parlons reads of a Status, and the types it may have (or null)."""
ACCOUNT_FIELDS: dict[str, tuple[type, ...]] = {
    "acct": (str,), "username": (str,), "uri": (str,), "url": (str,), "display_name": (str,), "note": (str,),
    "created_at": (str,), "id": (str, int)}


def _problem(status: Any, nested: bool = False) -> str | None:
    """Why ``status`` is not shaped like a Status, else None."""
    if not isinstance(status, dict):
        return "not an object"
    if not isinstance(status.get("id"), str | int) or isinstance(status.get("id"), bool) or status.get("id") == "":
        return "no id"
    wrong = _wrong(status, STATUS_FIELDS) or _wrong(status.get("account") or {}, ACCOUNT_FIELDS, "account.")
    if wrong:
        return wrong
    boosted = status.get("reblog")
    if boosted is not None:
        inner = "a boost inside a boost" if nested else _problem(boosted, nested=True)
        return f"reblog: {inner}" if inner else None
    return None


def _wrong(data: dict[str, Any], fields: dict[str, tuple[type, ...]], prefix: str = "") -> str | None:
    for name, types in fields.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            return f"{prefix}{name} is {type(value).__name__}"
    return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _has_thread(status: dict[str, Any]) -> bool:
    replied = _int(status.get("replies_count")) > 0
    return status.get("reblog") is None and (bool(status.get("in_reply_to_id")) or replied)


def _advance(cursor: dict[str, Any], statuses: list[dict[str, Any]], run: Run) -> None:
    ids = sorted((str(s["id"]) for s in statuses), key=_id_key)
    if not ids:
        return
    if not cursor.get("newest_id") or _id_key(ids[-1]) > _id_key(cursor["newest_id"]):
        cursor["newest_id"] = ids[-1]
    older = not cursor.get("oldest_id") or _id_key(ids[0]) < _id_key(cursor["oldest_id"])
    if not cursor.get("history_done") and older:
        cursor["oldest_id"] = ids[0]
    recent = dict(cursor.get("recent", {}))
    horizon = datetime.now(UTC) - timedelta(days=run.thread_days)
    for status in statuses:
        created = _time(status)
        if created and created >= horizon and status.get("reblog") is None:
            recent[str(status["id"])] = created.isoformat()
    cursor["recent"] = {k: v for k, v in recent.items() if datetime.fromisoformat(v) >= horizon}


def _refresh_threads(run: Run, sink: Sink, cursor: dict[str, Any]) -> None:
    """Threads of the last days again: answers and requests keep arriving under recent posts."""
    batch = Batch()
    for status_id in sorted(cursor.get("recent", {}), key=_id_key):
        _thread(run, batch, status_id)
        if len(batch) >= 500:
            sink.commit(batch, cursor)
    sink.commit(batch, cursor)


def _thread(run: Run, batch: Batch, status_id: str) -> None:
    try:
        data, _ = run.client.get_json(f"/api/v1/statuses/{status_id}/context")
    except NotFound:
        return  # deleted since, or not public: nothing to see
    if not isinstance(data, dict):
        raise CollectError(f"{run.client.base_url} answered a thread of status {status_id} that is not an object")
    statuses = _shaped(run, [s for key in ("ancestors", "descendants") for s in _list(data.get(key))],
                       f"context/{status_id}")
    _remember(run, statuses)
    for status in statuses:
        _add(run, batch, status, f"context/{status_id}")


def _mentions(run: Run, sink: Sink, cursor: dict[str, Any]) -> None:
    """With a token: mentions of the account, answered in threads or not."""
    params: dict[str, Any] = {"limit": 80, "types[]": "mention"}
    if cursor.get("notification_id"):
        params["since_id"] = cursor["notification_id"]
    for page, _ in _pages(run.client, "/api/v1/notifications", params, "next"):
        batch = Batch()
        statuses = _shaped(run, [n["status"] for n in page if isinstance(n, dict) and n.get("status") is not None],
                           "notifications")
        _remember(run, statuses)
        for status in statuses:
            _add(run, batch, status, "notifications")
        newest = max((str(n.get("id")) for n in page if isinstance(n, dict)), key=_id_key, default=None)
        if newest and (not cursor.get("notification_id") or _id_key(newest) > _id_key(cursor["notification_id"])):
            cursor["notification_id"] = newest
        sink.commit(batch, cursor)
        if run.since and statuses and all((_time(s) or run.since) < run.since for s in statuses):
            break


def _remember(run: Run, statuses: list[dict[str, Any]]) -> None:
    for status in statuses:
        for item in (status, status.get("reblog")):
            if isinstance(item, dict) and item.get("id") and item.get("uri"):
                run.uris[str(item["id"])] = _status_uri(item)
                author = item.get("account") or {}
                run.authors[str(item["id"])] = _handle(author, run.domain)
                if author.get("id"):
                    run.actors[str(author["id"])] = _actor(author)


def _add(run: Run, batch: Batch, status: dict[str, Any], member: str) -> None:
    if not _kept(run, status):
        return
    row = _row(run, status, member)
    if row is not None:
        batch.add(row)
        author = status.get("account") or {}
        batch.account(account_row(platform="mastodon", account=row["account"], account_id=row["account_id"],
                                  display_name=author.get("display_name") or None,
                                  description=html_to_text(author.get("note")) or None,
                                  url=author.get("url"), created_at=parse_time(author.get("created_at")),
                                  source_member=member))


def _kept(run: Run, status: dict[str, Any]) -> bool:
    """Public and unlisted statuses, and the account's own followers-only ones (its token shows them),
    as the archive importer keeps them; direct messages and others' followers-only statuses are not
    public."""
    visibility = status.get("visibility")
    if visibility in PUBLIC:
        return True
    own = str((status.get("account") or {}).get("id")) == str(run.account.get("id"))
    return visibility == "private" and own


def _row(run: Run, status: dict[str, Any], member: str) -> dict[str, Any] | None:
    author = status.get("account") or {}
    created = _time(status)
    if not status.get("uri") or created is None or not author:
        return None
    common = {"platform": "mastodon", "post_id": _status_uri(status), "account": _handle(author, run.domain),
              "account_id": _actor(author), "account_name": author.get("display_name") or None,
              "created_at": created, "source_member": member, "source_record": str(status.get("id")),
              "permalink": status.get("url")}
    boosted = status.get("reblog")
    if isinstance(boosted, dict):
        return post_row(**common, text="", kind="repost", repost_of_id=_status_uri(boosted),
                        repost_of_account=_handle(boosted.get("account") or {}, run.domain))
    return post_row(**common, **_content(run, status))


def _content(run: Run, status: dict[str, Any]) -> dict[str, Any]:
    html = status.get("content") or ""
    shown = without_quote_fallback(html)  # the quoted post is quote_of_id, not text nor a link
    parent = str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None
    quoted = _quoted(status)
    mention_urls = {m.get("url") for m in status.get("mentions") or [] if isinstance(m, dict)}
    tag_urls = {t.get("url") for t in status.get("tags") or [] if isinstance(t, dict)}
    media = [m for m in status.get("media_attachments") or [] if isinstance(m, dict)]
    return {
        "text": html_to_text(shown), "html": html or None, "lang": status.get("language") or None,
        "kind": "reply" if parent else "quote" if quoted else "original",
        "in_reply_to_id": run.uris.get(parent) if parent else None,
        "in_reply_to_account": _parent_author(run, status, parent),
        "in_reply_to_account_id": run.actors.get(str(status.get("in_reply_to_account_id"))) if parent else None,
        "quote_of_id": quoted,
        "mentions": unique([_handle(m, run.domain) for m in status.get("mentions") or [] if isinstance(m, dict)]),
        "hashtags": unique([str(t["name"]) for t in status.get("tags") or [] if isinstance(t, dict) and t.get("name")]),
        "urls": [u for u in html_links(shown, status.get("url")) if u not in mention_urls and u not in tag_urls],
        "media_count": len(media), "media_kinds": [MEDIA.get(str(m.get("type")), "other") for m in media],
        "source": (status.get("application") or {}).get("name"),
        "like_count": _count(status, "favourites_count"), "repost_count": _count(status, "reblogs_count"),
        "reply_count": _count(status, "replies_count"), "quote_count": _count(status, "quotes_count"),
    }


def _parent_author(run: Run, status: dict[str, Any], parent: str | None) -> str | None:
    if not parent:
        return None
    if parent in run.authors:
        return run.authors[parent]
    wanted = str(status.get("in_reply_to_account_id"))
    for mention in status.get("mentions") or []:
        if isinstance(mention, dict) and str(mention.get("id")) == wanted:
            return _handle(mention, run.domain)
    return None


def _quoted(status: dict[str, Any]) -> str | None:
    quote = status.get("quote")
    if isinstance(quote, dict):
        inner = quote.get("quoted_status") if "quoted_status" in quote else quote
        if isinstance(inner, dict) and inner.get("uri"):
            return _status_uri(inner)
    return None


def _status_uri(status: dict[str, Any]) -> str:
    uri = str(status["uri"])
    return uri[: -len("/activity")] if uri.endswith("/activity") else uri


def _handle(account: dict[str, Any], domain: str) -> str:
    acct = str(account.get("acct") or account.get("username") or "")
    user, _, host = acct.lstrip("@").partition("@")
    return f"@{user}@{(host or domain).lower()}"


def _actor(account: dict[str, Any]) -> str | None:
    value = account.get("uri") or account.get("url")
    return str(value) if value else None


def _time(status: dict[str, Any]) -> datetime | None:
    return parse_time(status.get("created_at"))


def _count(status: dict[str, Any], key: str) -> int | None:
    value = status.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are decimal strings that grow with time; compare them as numbers."""
    return (len(value), value) if value.isdigit() else (0, value)


def _coverage_note(with_token: bool) -> str:
    if with_token:
        return ("collected with the account's token: its public and followers-only posts, the public threads "
                "under them and its mentions; deleted posts, direct messages and others' followers-only posts "
                "are not seen")
    return ("collected without a token: the account's public posts and the public threads under them; "
            "mentions outside those threads, deleted, private and followers-only posts are not seen")
