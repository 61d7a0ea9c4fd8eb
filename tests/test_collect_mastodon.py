"""Live collection from Mastodon's public REST API, against a local server shaped like a real one."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parlons.audit import run_audit
from parlons.cli import main
from parlons.collect import HttpClient, collect_mastodon
from parlons.errors import CollectError, UsageError
from parlons.store import Store

from .collect_server import Request, Server, json_answer, serve
from .conftest import FIXTURES, load, rows

HOST = "piaille.example"
OWNER = f"@mediatheque@{HOST}"
OWN_ID = "109000000000000001"
S1, S2, S3 = "111000000000000001", "111000000000000005", "111000000000000007"
A1 = "222"


def account(user: str, host: str, ident: str, local: bool) -> dict[str, Any]:
    """An Account entity as Mastodon 4 answers it (the fields parlons reads, and some it does not)."""
    return {"id": ident, "username": user, "acct": user if local else f"{user}@{host}",
            "display_name": user.title(), "locked": False, "bot": False, "discoverable": True,
            "group": False, "created_at": "2022-11-07T00:00:00.000Z", "note": f"<p>Compte de {user}</p>",
            "url": f"https://{host}/@{user}", "uri": f"https://{host}/users/{user}",
            "avatar": f"https://{host}/avatars/{ident}.png", "followers_count": 120, "following_count": 80,
            "statuses_count": 3, "last_status_at": "2024-03-06", "emojis": [], "fields": []}


ME = account("mediatheque", HOST, OWN_ID, True)
ALICE = account("alice", "autre.example", "110000000000000042", False)
BOB = account("bob", "autre.example", "110000000000000043", False)


def status(ident: str, who: dict[str, Any], created: str, content: str, **extra: Any) -> dict[str, Any]:
    """A Status entity as Mastodon 4 answers it."""
    host = who["uri"].split("/")[2]
    body = {"id": ident, "created_at": created, "in_reply_to_id": None, "in_reply_to_account_id": None,
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "fr",
            "uri": f"https://{host}/users/{who['username']}/statuses/{ident}",
            "url": f"https://{host}/@{who['username']}/{ident}", "replies_count": 0, "reblogs_count": 0,
            "favourites_count": 0, "edited_at": None, "content": content, "reblog": None,
            "application": None, "account": who, "media_attachments": [], "mentions": [], "tags": [],
            "emojis": [], "card": None, "poll": None}
    body.update(extra)
    return body


FIRST = status(S1, ME, "2024-03-05T09:15:00.000Z",
               '<p>Atelier <a href="https://piaille.example/tags/BD" class="mention hashtag">#<span>BD</span></a> '
               "samedi à 14 h &amp; goûter offert !</p><p>Inscriptions : "
               '<a href="https://mediatheque-quimper.example/ateliers?id=3&amp;src=masto">mediatheque-quimper.example'
               "</a></p>",
               replies_count=1, reblogs_count=2, favourites_count=5,
               application={"name": "Web", "website": None},
               tags=[{"name": "BD", "url": "https://piaille.example/tags/BD"}],
               media_attachments=[{"id": "9", "type": "image", "url": "https://piaille.example/m/9.jpg"}])
QUESTION = status(A1, ALICE, "2024-03-05T10:00:00.000Z",
                  '<p><span class="h-card"><a href="https://piaille.example/@mediatheque" class="u-url mention">'
                  "@<span>mediatheque</span></a></span> Est-ce que l'atelier est gratuit ?</p>",
                  in_reply_to_id=S1, in_reply_to_account_id=OWN_ID,
                  mentions=[{"id": OWN_ID, "username": "mediatheque", "acct": f"mediatheque@{HOST}",
                             "url": "https://piaille.example/@mediatheque"}])
ANSWER = status(S2, ME, "2024-03-05T10:30:00.000Z",
                '<p><span class="h-card"><a href="https://autre.example/@alice" class="u-url mention">'
                "@<span>alice</span></a></span> Oui, gratuit et sans inscription !</p>",
                in_reply_to_id=A1, in_reply_to_account_id=ALICE["id"],
                application={"name": "Web", "website": None},
                mentions=[{"id": ALICE["id"], "username": "alice", "acct": "alice@autre.example",
                           "url": "https://autre.example/@alice"}])
BOOSTED = status("333", BOB, "2024-03-06T08:00:00.000Z", "<p>Festival BD ce week-end</p>")
BOOST = status(S3, ME, "2024-03-06T09:00:00.000Z", "", reblog=BOOSTED,
               uri=f"https://{HOST}/users/mediatheque/statuses/{S3}/activity", url=None)


def mastodon_routes(server: Server, statuses: list[dict[str, Any]], contexts: dict[str, dict[str, Any]]) -> None:
    """The three calls of the public API, paged like Mastodon: newest first, ``Link`` next and prev."""
    server.json("/api/v2/instance", {"domain": HOST, "title": "Piaille", "version": "4.3.2"})
    server.route("/api/v1/accounts/lookup",
                 lambda r: json_answer(ME) if r.arg("acct") in ("mediatheque", f"mediatheque@{HOST}")
                 else json_answer({"error": "Record not found"}, status=404))
    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", lambda r: _page(server, r, statuses))
    for ident, context in contexts.items():
        server.json(f"/api/v1/statuses/{ident}/context", context)


def _page(server: Server, request: Request, statuses: list[dict[str, Any]]) -> tuple[int, dict[str, str], bytes]:
    ordered = sorted(statuses, key=lambda s: int(s["id"]), reverse=True)
    limit = 2  # small pages, so that paging is exercised
    if request.arg("min_id"):
        newer = [s for s in ordered if int(s["id"]) > int(request.arg("min_id") or 0)]
        page = newer[-limit:]
    else:
        page = [s for s in ordered if not request.arg("max_id") or int(s["id"]) < int(request.arg("max_id") or 0)]
        page = page[:limit]
    links = []
    path = f"{server.base}/api/v1/accounts/{OWN_ID}/statuses"
    if page:
        links.append(f'<{path}?limit=40&max_id={page[-1]["id"]}>; rel="next"')
        links.append(f'<{path}?limit=40&min_id={page[0]["id"]}>; rel="prev"')
    return json_answer(page, {"Link": ", ".join(links)} if links else {})


CONTEXTS = {S1: {"ancestors": [], "descendants": [QUESTION, ANSWER]},
            S2: {"ancestors": [FIRST, QUESTION], "descendants": []}}


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def no_sleep(seconds: float) -> None:
    pass


def collect(store: Store, server: Server, **kwargs: Any) -> Any:
    client = HttpClient(server.base, sleep=kwargs.pop("sleep", no_sleep), retries=kwargs.pop("retries", 3),
                        max_requests=kwargs.pop("max_requests", 2000))
    with client:
        return collect_mastodon(store, OWNER, instance=server.base, client=client, **kwargs)


def by_id(store: Store) -> dict[str, dict[str, Any]]:
    return {r["post_id"]: r for r in rows(store)}


def test_statuses_threads_and_boosts_become_rows_with_archive_keys(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    report = collect(store, server)
    uri = f"https://{HOST}/users/mediatheque/statuses/"
    stored = by_id(store)
    assert sorted(stored) == sorted([uri + S1, uri + S2, uri + S3, "https://autre.example/users/alice/statuses/222"])
    first = stored[uri + S1]
    assert {k: first[k] for k in ("account", "account_id", "account_name", "created_at", "text", "kind", "lang",
                                  "hashtags", "urls", "media_count", "media_kinds", "source", "like_count",
                                  "repost_count", "reply_count", "quote_count", "permalink", "importer",
                                  "source_file", "source_member", "source_record")} == {
        "account": OWNER, "account_id": "https://piaille.example/users/mediatheque", "account_name": "Mediatheque",
        "created_at": "2024-03-05T09:15:00Z",
        "text": "Atelier #BD samedi à 14 h & goûter offert !\n\nInscriptions : mediatheque-quimper.example",
        "kind": "original", "lang": "fr", "hashtags": ["BD"],
        "urls": ["https://mediatheque-quimper.example/ateliers?id=3&src=masto"],
        "media_count": 1, "media_kinds": ["image"], "source": "Web", "like_count": 5, "repost_count": 2,
        "reply_count": 1, "quote_count": None, "permalink": f"https://{HOST}/@mediatheque/{S1}",
        "importer": "mastodon-api", "source_file": server.base, "source_member": f"context/{S2}",
        "source_record": S1}  # first seen as the ancestor of the answer, on the first page
    question = stored["https://autre.example/users/alice/statuses/222"]
    assert (question["account"], question["kind"], question["in_reply_to_id"], question["in_reply_to_account"],
            question["mentions"], question["source_member"]) == (
        "@alice@autre.example", "reply", uri + S1, OWNER, [OWNER], f"context/{S2}")
    answer = stored[uri + S2]
    assert (answer["kind"], answer["in_reply_to_id"], answer["in_reply_to_account"],
            answer["in_reply_to_account_id"], answer["mentions"]) == (
        "reply", "https://autre.example/users/alice/statuses/222", "@alice@autre.example",
        "https://autre.example/users/alice", ["@alice@autre.example"])
    boost = stored[uri + S3]
    assert (boost["kind"], boost["text"], boost["repost_of_id"], boost["repost_of_account"], boost["like_count"]) == (
        "repost", "", "https://autre.example/users/bob/statuses/333", "@bob@autre.example", None)
    assert (report.account, report.inserted, report.complete, report.stopped) == (OWNER, 4, True, None)
    assert server.requests[0].headers["user-agent"].startswith("parlons/")


def test_collected_account_responsiveness_is_audited(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    collect(store, server)
    audit = run_audit(store.con, [OWNER])[0].model_dump(mode="json")
    responsiveness = audit["responsiveness"]
    assert (responsiveness["requests"], responsiveness["answered"], audit["coverage"]["responsiveness"]["status"]) == (
        1, 1, "ok")
    assert responsiveness["median_first_response_s"]["n"] == 1  # one answer, 30 min; too few to show a median


def test_second_run_fetches_only_what_is_new_and_adds_nothing_twice(store: Store, server: Server) -> None:
    statuses = [FIRST, ANSWER, BOOST]
    mastodon_routes(server, statuses, CONTEXTS)
    collect(store, server)
    server.requests.clear()
    again = collect(store, server)
    assert again.inserted == 0
    assert [r.query.get("min_id") for r in server.requests if r.path.endswith("/statuses")] == [[S3]]
    later = status("111000000000000009", ME, "2099-01-01T08:00:00.000Z", "<p>Nouveau !</p>")
    statuses.append(later)
    server.requests.clear()
    third = collect(store, server)
    assert (third.inserted, len(rows(store))) == (1, 5)


def test_a_status_collected_then_found_in_the_archive_is_one_post(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST], {S1: {"ancestors": [], "descendants": []}})
    collect(store, server)
    report = load(store, FIXTURES / "mastodon")
    assert f"https://{HOST}/users/mediatheque/statuses/{S1}" in by_id(store)
    assert report.merge.already_stored == 1
    assert by_id(store)[f"https://{HOST}/users/mediatheque/statuses/{S1}"]["importer"] == "mastodon-api"


def test_rate_limited_then_served(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    server.fail(f"/api/v1/accounts/{OWN_ID}/statuses", 429, {"Retry-After": "7"})
    waits: list[float] = []
    report = collect(store, server, sleep=waits.append)
    assert (waits, report.inserted) == ([7.0], 4)


def test_waits_when_the_rate_limit_is_spent(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST], {S1: {"ancestors": [], "descendants": []}})
    server.json("/api/v2/instance", {"domain": HOST},
                {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "30"})
    waits: list[float] = []
    collect(store, server, sleep=waits.append)
    assert waits == [30.0]


def test_server_error_mid_run_keeps_what_was_collected_and_the_next_run_resumes(store: Store, server: Server) -> None:
    older = [status(str(110900000000000000 + i), ME, f"2024-02-{10 + i:02d}T08:00:00.000Z", f"<p>Billet {i}</p>")
             for i in range(4)]
    mastodon_routes(server, [FIRST, ANSWER, BOOST, *older], CONTEXTS)
    original = server.routes[f"/api/v1/accounts/{OWN_ID}/statuses"]
    calls = {"n": 0}

    def flaky(request: Request) -> tuple[int, dict[str, str], bytes]:
        calls["n"] += 1
        return (503, {}, b"down") if calls["n"] >= 2 else original(request)

    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", flaky)
    with pytest.raises(CollectError, match=r"kept failing \(503\) after 3 tries"):
        collect(store, server, retries=2)
    kept = len(rows(store))
    assert kept == 4  # the first page (the boost, the answer) and the answer's thread, committed before the failure
    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", original)
    server.requests.clear()
    report = collect(store, server)
    assert (report.inserted, len(rows(store))) == (7 + 1 - kept, 8)
    first_history = next(r for r in server.requests if r.path.endswith("/statuses") and "max_id" in r.query)
    assert first_history.query["max_id"] == [S2]


def test_request_cap_stops_cleanly_and_the_next_run_goes_on(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    report = collect(store, server, max_requests=3)
    assert (report.complete, report.stopped, report.requests) == (
        False, "reached the cap of 3 requests; run again to go on", 3)
    final = collect(store, server)
    assert (final.complete, len(rows(store))) == (True, 4)


def test_unknown_account_is_a_clear_error(store: Store, server: Server) -> None:
    mastodon_routes(server, [], {})
    with pytest.raises(CollectError, match=r"there is no account @nobody@piaille\.example on http://127\.0\.0\.1"):
        collect_mastodon(store, "@nobody@piaille.example", instance=server.base,
                         client=HttpClient(server.base, sleep=no_sleep))


def test_suspended_account_and_bad_token(store: Store, server: Server) -> None:
    mastodon_routes(server, [], {})
    server.json("/api/v1/accounts/lookup", {**ME, "suspended": True})
    with pytest.raises(CollectError, match="is suspended"):
        collect(store, server)
    mastodon_routes(server, [FIRST], {S1: {"ancestors": [], "descendants": []}})
    server.failures["/api/v1/notifications"] = [(401, {"Content-Type": "application/json"},
                                                  b'{"error":"The access token is invalid"}')]
    with pytest.raises(CollectError) as refused, \
            HttpClient(server.base, sleep=no_sleep, headers={"Authorization": "Bearer bad"}) as client:
        collect_mastodon(store, OWNER, instance=server.base, token="bad", client=client)
    assert str(refused.value) == (
        f"{server.base} refused the request (401: The access token is invalid) for "
        f"{server.base}/api/v1/notifications?limit=80&types%5B%5D=mention: the token or password is wrong, "
        "expired or lacks the needed scope")


def test_a_server_that_shows_nothing_without_a_token_says_so(store: Store, server: Server) -> None:
    """A server that requires a sign-in for its API (Mastodon's limited federation mode) answers 401
    with its reason: the message blamed a token that was never given and named no request."""
    mastodon_routes(server, [FIRST], {})
    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", lambda r: json_answer(
        {"error": "This API requires an authenticated user\x1b[2J"}, status=401))
    with pytest.raises(CollectError) as refused:
        collect(store, server)
    assert str(refused.value) == (
        f"{server.base} refused {server.base}/api/v1/accounts/{OWN_ID}/statuses?limit=40 without a token "
        "(401: This API requires an authenticated user [2J): this server does not show it to anyone")


def test_mentions_with_a_token(store: Store, server: Server) -> None:
    mastodon_routes(server, [FIRST], {S1: {"ancestors": [], "descendants": []}})
    outside = status("444", ALICE, "2024-03-07T10:00:00.000Z", "<p>@mediatheque vous ouvrez dimanche ?</p>",
                     mentions=[{"id": OWN_ID, "username": "mediatheque", "acct": f"mediatheque@{HOST}",
                                "url": "https://piaille.example/@mediatheque"}])
    server.json("/api/v1/notifications", [{"id": "77", "type": "mention", "created_at": outside["created_at"],
                                           "account": ALICE, "status": outside}])
    client = HttpClient(server.base, sleep=no_sleep, headers={"Authorization": "Bearer secret"})
    report = collect_mastodon(store, OWNER, instance=server.base, token="secret", client=client)
    mention = by_id(store)["https://autre.example/users/alice/statuses/444"]
    assert (mention["kind"], mention["mentions"], mention["source_member"], report.inserted) == (
        "original", [OWNER], "notifications", 2)
    assert next(r for r in server.requests if r.path == "/api/v1/notifications").headers["authorization"] == \
        "Bearer secret"


def test_plain_http_only_on_loopback() -> None:
    with pytest.raises(UsageError, match="uses plain http"):
        HttpClient("http://mastodon.example")
    assert HttpClient("http://127.0.0.1:9/").base_url == "http://127.0.0.1:9"


def test_cli_collects_into_the_store_and_reports_json(tmp_path: Path, server: Server,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    store_path = tmp_path / "s.duckdb"
    main(["collect", "mastodon", OWNER, "--instance", server.base, "--store", str(store_path), "--json"])
    report = json.loads(capsys.readouterr().out)[0]
    assert (report["account"], report["inserted"], report["complete"]) == (OWNER, 4, True)


def test_cli_unknown_account_exits_4_and_leaves_no_store(tmp_path: Path, server: Server,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    mastodon_routes(server, [], {})
    store_path = tmp_path / "new.duckdb"
    with pytest.raises(SystemExit) as done:
        main(["collect", "mastodon", "@nobody@piaille.example", "--instance", server.base, "--store", str(store_path)])
    assert done.value.code == 4
    assert "there is no account @nobody@piaille.example" in capsys.readouterr().err
    assert not store_path.exists()


def test_ctrl_c_keeps_the_committed_batches_and_the_next_run_resumes(tmp_path: Path, server: Server) -> None:
    older = [status(str(110900000000000000 + i), ME, f"2024-02-{10 + i:02d}T08:00:00.000Z", f"<p>Billet {i}</p>")
             for i in range(2)]
    mastodon_routes(server, [FIRST, ANSWER, BOOST, *older], CONTEXTS)
    original = server.routes[f"/api/v1/accounts/{OWN_ID}/statuses"]

    def slow_second_page(request: Request) -> tuple[int, dict[str, str], bytes]:
        if request.arg("max_id"):
            time.sleep(30)
        return original(request)

    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", slow_second_page)
    store_path = tmp_path / "s.duckdb"
    command = [sys.executable, "-c", "from parlons.cli import main; main()", "collect", "mastodon", OWNER,
               "--instance", server.base, "--store", str(store_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(r.arg("max_id") for r in list(server.requests)) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    with Store(store_path) as store:
        assert len(rows(store)) == 4  # the first page and the answer's thread, committed before Ctrl-C
    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", original)
    with Store(store_path) as store:
        report = collect(store, server)
        assert (report.complete, report.inserted, len(rows(store))) == (True, 2, 6)


def test_the_report_says_where_and_when_the_account_was_collected(store: Store, server: Server) -> None:
    from parlons.report import render_html

    mastodon_routes(server, [FIRST, ANSWER, BOOST], CONTEXTS)
    collect(store, server)
    audit = run_audit(store.con, [OWNER])[0]
    source = audit.coverage.sources[0]
    assert (source.file, source.importer, source.collected, source.holds_requests) == (
        server.base, "mastodon-api", True, True)
    assert source.imported_at is not None
    day = source.imported_at.day
    page = render_html([audit], lang="en", charts=False)
    assert f"collected live from Mastodon · {OWNER} on Mastodon · collected on " in page
    assert f"{server.base}</span>" in page and f" {day}, " in page


def test_many_pages_with_many_authors_are_all_collected(store: Store, server: Server) -> None:
    """Mastodon.py's recorded statuses (200 of them, by some twenty accounts, pages of 40) stopped at the
    third page: the store's lookup of stored keys set DuckDB's memory limit to 1 MB for an instant, which
    DuckDB refused within the page's transaction ("could not free up enough memory"). Each page's
    answers are by other accounts here, as in a busy thread."""
    statuses, contexts = [], {}
    for n in range(12):
        ident = f"1110000000000001{n:02d}"
        own = status(ident, ME, f"2024-03-{n + 1:02d}T09:00:00.000Z", f"<p>Annonce {n} : horaires d'été</p>",
                     replies_count=1)
        someone = account(f"lecteur{n}", f"serveur{n}.example", f"4440000000000000{n:02d}", False)
        answer = status(f"5550000000000000{n:02d}", someone, f"2024-03-{n + 1:02d}T10:00:00.000Z",
                        f"<p>Merci pour l'annonce {n} !</p>", in_reply_to_id=ident, in_reply_to_account_id=OWN_ID)
        statuses.append(own)
        contexts[ident] = {"ancestors": [], "descendants": [answer]}
    mastodon_routes(server, statuses, contexts)
    report = collect(store, server)
    assert (report.inserted, report.complete, len(rows(store))) == (24, True, 24)
    assert store.con.execute("SELECT count(*) FROM accounts WHERE platform = 'mastodon'").fetchall()[0][0] == 13


def test_a_status_not_shaped_like_mastodons_is_left_out_and_named(store: Store, server: Server) -> None:
    """A server speaking Mastodon's API otherwise (or a hostile one) stopped the run with a traceback
    (AttributeError, TypeError, KeyError): an account given as a string, HTML content as a list, a
    boost of an empty object. Such statuses are left out and named; the others are collected."""
    odd_account = status("111000000000000011", ME, "2024-03-07T09:00:00.000Z", "<p>x</p>", account="mediatheque")
    odd_content = status("111000000000000012", ME, "2024-03-07T09:10:00.000Z", ["<p>x</p>"])
    odd_boost = status("111000000000000013", ME, "2024-03-07T09:20:00.000Z", "", reblog={})
    odd_answer = status("666", ALICE, "2024-03-05T11:00:00.000Z", "<p>?</p>", in_reply_to_id=S1,
                        mentions="@mediatheque", created_at=1709636400)
    mastodon_routes(server, [FIRST, odd_account, odd_content, odd_boost],
                    {S1: {"ancestors": [], "descendants": [odd_answer, QUESTION]}})
    report = collect(store, server)
    assert sorted(by_id(store)) == [QUESTION["uri"], FIRST["uri"]]
    assert report.complete
    assert report.notes[0] == (
        f"4 statuses left out: {server.base} did not answer them shaped like Mastodon's Status entity "
        "(first: status 111000000000000013 in statuses: reblog: no id)")


def test_the_token_goes_only_to_the_server_it_is_for(server: Server) -> None:
    """The client sent its Authorization header to any address it was given: a page link (``Link``
    header) or an address in an answer naming another server received the account's token."""
    other = serve()
    elsewhere = next(other)
    try:
        elsewhere.json("/api/v1/notifications", [])
        server.json("/api/v1/notifications", [])
        with HttpClient(server.base, headers={"Authorization": "Bearer secret"}, sleep=no_sleep) as client:
            client.get("/api/v1/notifications")
            client.get(f"{elsewhere.base}/api/v1/notifications")
        assert server.requests[0].headers.get("authorization") == "Bearer secret"
        assert "authorization" not in elsewhere.requests[0].headers
    finally:
        other.close()


def test_a_link_to_another_server_is_refused_and_a_link_to_the_same_page_ends_the_list(
        store: Store, server: Server) -> None:
    """Mastodon links the next page on its own origin; a ``Link`` elsewhere was followed (statuses of
    another server stored as the account's), and one to the page just read was read until the cap."""
    mastodon_routes(server, [FIRST], {})
    here = f"{server.base}/api/v1/accounts/{OWN_ID}/statuses"
    server.route(f"/api/v1/accounts/{OWN_ID}/statuses", lambda r: json_answer(
        [FIRST], {"Link": f'<{here}?limit=40>; rel="next", <{here}?limit=40&min_id={S1}>; rel="prev"'}))
    report = collect(store, server, max_requests=50)
    assert (report.complete, len(rows(store))) == (True, 1)
    assert [r.path for r in server.requests].count(f"/api/v1/accounts/{OWN_ID}/statuses") == 1
    store.con.execute("DELETE FROM collect_state")
    elsewhere = "https://other.example/api/v1/accounts/1/statuses?max_id=5"
    server.route(f"/api/v1/accounts/{OWN_ID}/statuses",
                 lambda r: json_answer([FIRST], {"Link": f'<{elsewhere}>; rel="next"'}))
    with pytest.raises(CollectError) as refused:
        collect(store, server)
    assert str(refused.value) == f"{here}?limit=40 links its next page to {elsewhere}, on another server; refused"


def test_own_followers_only_statuses_are_kept_as_the_archive_importer_keeps_them(store: Store, server: Server) -> None:
    """With its token, the account's followers-only statuses are listed (Mastodon.py's recorded
    'private' statuses); the archive importer imports them (addressed to the followers), the collector
    left them out. Direct messages, and others' followers-only statuses, are still left out."""
    own_private = status("111000000000000021", ME, "2024-03-08T09:00:00.000Z", "<p>Pour nos abonnés</p>",
                         visibility="private", replies_count=1)
    own_direct = status("111000000000000022", ME, "2024-03-08T09:30:00.000Z", "<p>@alice en privé</p>",
                        visibility="direct")
    their_private = status("777", ALICE, "2024-03-08T10:00:00.000Z", "<p>Merci !</p>", visibility="private",
                           in_reply_to_id=own_private["id"], in_reply_to_account_id=OWN_ID)
    mastodon_routes(server, [own_private, own_direct],
                    {own_private["id"]: {"ancestors": [], "descendants": [their_private]}})
    server.json("/api/v1/notifications", [])
    with HttpClient(server.base, sleep=no_sleep, headers={"Authorization": "Bearer secret"}) as client:
        collect_mastodon(store, OWNER, instance=server.base, token="secret", client=client)
    assert sorted(by_id(store)) == [own_private["uri"]]


def test_a_quote_posts_fallback_paragraph_is_neither_text_nor_a_link(store: Store, server: Server) -> None:
    """Mastodon.py's recorded quote posts open with ``<p class="quote-inline">RE: <a …>…</a></p>``: the text
    began "RE: https://…" and the quoted post was one of the post's links; it is the quote_of_id only."""
    quoted = status("444", BOB, "2024-03-07T08:00:00.000Z", "<p>Bourse aux vélos samedi</p>")
    link = f'<a href="{quoted["url"]}" target="_blank" rel="nofollow noopener" translate="no">{quoted["url"]}</a>'
    quote = status("111000000000000031", ME, "2024-03-07T09:00:00.000Z",
                   f'<p class="quote-inline">RE: {link}</p><p>À lire avant samedi</p>',
                   quote={"state": "accepted", "quoted_status": quoted})
    mastodon_routes(server, [quote], {})
    collect(store, server)
    row = by_id(store)[quote["uri"]]
    assert (row["kind"], row["text"], row["urls"], row["quote_of_id"]) == (
        "quote", "À lire avant samedi", [], quoted["uri"])
    assert row["html"] == quote["content"]
