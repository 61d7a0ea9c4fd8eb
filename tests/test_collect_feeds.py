"""Live collection of feeds: conditional GET, comment feeds followed, the same posts as an import of the files."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from parlons.cli import cli
from parlons.collect import HttpClient, collect_feeds
from parlons.errors import CollectError
from parlons.ingest import import_paths
from parlons.store import Store

from .collect_server import Request, Server, serve
from .conftest import FIXTURES, load, rows

FEEDS = FIXTURES / "feeds"
SITE = "https://www.jardins-partages-lyon.fr"


@pytest.fixture
def server() -> Iterator[Server]:
    yield from serve()


def routes(server: Server, etag: str = '"v1"') -> None:
    """The blog's feed, whose comment feeds point at the local server, answered with an ETag."""
    body = (FEEDS / "feed.rss2.xml").read_bytes()
    body = re.sub(rb"<wfw:commentRss>" + re.escape(SITE.encode()), b"<wfw:commentRss>" + server.base.encode(), body)
    comments = (FEEDS / "comments-les-tomates-sont-la.rss2.xml").read_bytes()

    def conditional(content: bytes) -> object:
        def answer(request: Request) -> tuple[int, dict[str, str], bytes]:
            if request.headers.get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "application/rss+xml; charset=UTF-8", "ETag": etag,
                         "Last-Modified": "Wed, 05 Jun 2024 10:00:00 GMT"}, content
        return answer

    server.route("/feed/", conditional(body))  # type: ignore[arg-type]
    server.route("/2024/06/les-tomates-sont-la/feed/", conditional(comments))  # type: ignore[arg-type]
    # the other post's comment feed is gone (404): skipped, not an error


def collect(store: Store, server: Server) -> list[object]:
    return collect_feeds(store, [server.base + "/feed/"],
                         client_for=lambda url: HttpClient(url, sleep=lambda s: None))  # type: ignore[return-value]


def test_feed_and_its_comment_feeds_give_what_an_import_of_the_files_gives(store: Store, server: Server,
                                                                           tmp_path: Path) -> None:
    routes(server)
    report = collect(store, server)[0]
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("feed.rss2.xml", "comments-les-tomates-sont-la.rss2.xml"):
        shutil.copy(FEEDS / name, folder / name)
    with Store(tmp_path / "imported.duckdb") as other:
        load(other, folder)
        expected = sorted((r["post_id"], r["kind"], r["account"], r["in_reply_to_id"]) for r in rows(other))
    got = sorted((r["post_id"], r["kind"], r["account"], r["in_reply_to_id"]) for r in rows(store))
    assert got == expected
    assert len(got) == 4  # two posts (the third item has no valid date, skipped by both) and two comments
    assert {(r["source_file"], r["source_member"]) for r in rows(store)} == {
        (server.base + "/feed/", "feed.xml"),
        (server.base + "/feed/", "comments-001-2024-06-les-tomates-sont-la-feed.xml")}
    assert (report.inserted, report.complete) == (4, True)  # type: ignore[attr-defined]
    assert [r.path for r in server.requests] == ["/feed/", "/2024/06/les-tomates-sont-la/feed/",
                                                 "/2024/06/fete-des-recoltes/feed/"]


def test_unchanged_feed_costs_one_request_and_adds_nothing(store: Store, server: Server) -> None:
    routes(server)
    collect(store, server)
    server.requests.clear()
    again = collect(store, server)[0]
    assert [(r.path, r.headers.get("if-none-match")) for r in server.requests] == [("/feed/", '"v1"')]
    assert (again.inserted, again.notes) == (0, ["not modified since the last run (304)"])  # type: ignore[attr-defined]


def test_missing_feed_is_a_clear_error(store: Store, server: Server) -> None:
    with pytest.raises(CollectError, match=r"/nothing/ answered 404: there is no feed at this address"):
        collect_feeds(store, [server.base + "/nothing/"], client_for=lambda url: HttpClient(url))


class Recorder:
    """The store's connection, recording every SQL statement it is given."""

    def __init__(self, con: object) -> None:
        self.con, self.statements = con, []  # type: ignore[var-annotated]

    def execute(self, sql: str, *args: object) -> object:
        self.statements.append(" ".join(sql.split()))
        return self.con.execute(sql, *args)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.con, name)


def test_feed_urls_are_stored_by_the_import_itself_without_a_second_statement(store: Store, server: Server) -> None:
    routes(server)
    recorder = Recorder(store.con)
    store.con = recorder  # type: ignore[assignment]
    try:
        report = collect(store, server)[0]
    finally:
        store.con = recorder.con  # type: ignore[assignment]
    assert report.inserted == 4  # type: ignore[attr-defined]
    assert [s for s in recorder.statements if "SOURCE_FILE =" in s.upper() or "SOURCE_FILE=" in s.upper()] == []
    assert {r["source_file"] for r in rows(store)} == {server.base + "/feed/"}
    assert sum(s.upper() == "COMMIT" for s in recorder.statements) == 2  # the import, then the cursor


def test_import_paths_stores_the_source_label_given(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "feed.rss2.xml"
    shutil.copy(FEEDS / "feed.rss2.xml", path)
    import_paths(store, [path], source_label="https://blog.example.org/feed/")
    assert {(r["source_file"], r["source_member"]) for r in rows(store)} == {
        ("https://blog.example.org/feed/", "feed.rss2.xml")}


def test_a_comment_feed_on_plain_http_is_skipped_and_named_the_posts_kept(store: Store, server: Server,
                                                                         tmp_path: Path) -> None:
    routes(server)
    body = (FEEDS / "feed.rss2.xml").read_bytes()
    body = body.replace(SITE.encode() + b"/2024/06/les-tomates-sont-la/feed/",
                        server.base.encode() + b"/2024/06/les-tomates-sont-la/feed/")
    body = body.replace(SITE.encode() + b"/2024/06/fete-des-recoltes/feed/",
                        b"http://www.jardins-partages-lyon.fr/2024/06/fete-des-recoltes/feed/")
    server.route("/feed/", lambda request: (200, {"Content-Type": "application/rss+xml"}, body))  # type: ignore[arg-type]
    report = collect(store, server)[0]
    note = ("comment feed skipped: http://www.jardins-partages-lyon.fr/2024/06/fete-des-recoltes/feed/ is on plain "
            "http, which parlons does not fetch (only https); the comments it holds are not collected")
    assert (report.inserted, report.complete, report.notes) == (4, True, [note])  # type: ignore[attr-defined]
    assert [r.path for r in server.requests] == ["/feed/", "/2024/06/les-tomates-sont-la/feed/"]
    out = CliRunner(env={"LANGUAGE": "en"}).invoke(
        cli, ["collect", "feed", server.base + "/feed/", "--store", str(tmp_path / "cli.duckdb")])
    assert out.exit_code == 0, out.output
    assert "comment feed skipped: http://www.jardins-partages-lyon.fr/2024/06/fete-des-recoltes/feed/" in " ".join(
        out.output.split())
