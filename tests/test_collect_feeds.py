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
    undated = ("1 item left out: feed item without a valid date (first: jardins-partages-lyon.fr/?p=17 in "
               f"{server.base}/feed/)")
    assert (report.inserted, report.complete, report.notes) == (4, True, [note, undated])  # type: ignore[attr-defined]
    assert [r.path for r in server.requests] == ["/feed/", "/2024/06/les-tomates-sont-la/feed/"]
    out = CliRunner(env={"LANGUAGE": "en"}).invoke(
        cli, ["collect", "feed", server.base + "/feed/", "--store", str(tmp_path / "cli.duckdb")])
    assert out.exit_code == 0, out.output
    assert "comment feed skipped: http://www.jardins-partages-lyon.fr/2024/06/fete-des-recoltes/feed/" in " ".join(
        out.output.split())


def _serve_feed(server: Server, body: bytes, content_type: str) -> str:
    server.route("/rss", lambda request: (200, {"Content-Type": content_type}, body))
    return server.base + "/rss"


ITEM = (b"<item><title>Horaires</title><link>https://asso.example/horaires</link>"
        b"<guid>https://asso.example/?p=7</guid><pubDate>Wed, 05 Jun 2024 10:00:00 GMT</pubDate>"
        b"<description>%s</description></item>")


def test_the_charset_of_the_answer_outranks_the_xml_declaration(store: Store, server: Server) -> None:
    """feedparser's http_text_xml_charset_overrides_encoding_2: an XML declaration saying iso-8859-1,
    served as windows-1252 (curly quotes at 0x93 and 0x94), was stored with the C1 controls U+0093 and
    U+0094. The answer's charset wins (RFC 7303), unless the body does not decode in it."""
    body = (b"<?xml version='1.0' encoding='iso-8859-1'?><rss version=\"2.0\"><channel>"
            b"<link>https://asso.example/</link>" + ITEM % b"Ouvert \x93le dimanche\x94 \xa3" + b"</channel></rss>")
    collect_feeds(store, [_serve_feed(server, body, "text/xml; charset=windows-1252")],
                  client_for=lambda url: HttpClient(url))
    assert [r["text"] for r in rows(store)] == ["Ouvert \u201cle dimanche\u201d \u00a3"]
    store.con.execute("DELETE FROM posts; DELETE FROM collect_state")
    latin = body.replace(b"\x93", b"\xe9").replace(b"\x94", b"\xe8")  # not UTF-8: a server's default charset
    collect_feeds(store, [_serve_feed(server, latin, "text/xml; charset=utf-8")],
                  client_for=lambda url: HttpClient(url))
    assert [r["text"] for r in rows(store)] == ["Ouvert \u00e9le dimanche\u00e8 \u00a3"]


def test_a_page_that_is_not_a_feed_is_named_by_its_address(store: Store, server: Server) -> None:
    """A web page instead of a feed failed naming the temporary folder parlons had saved it in."""
    url = _serve_feed(server, b"<!doctype html><html><head><title>Asso</title></head><body></body></html>",
                      "text/html; charset=utf-8")
    with pytest.raises(CollectError) as failed:
        collect_feeds(store, [url], client_for=lambda url: HttpClient(url))
    assert str(failed.value) == (f"{url} did not answer an RSS or Atom feed; give the address of the feed itself "
                                 "(often /feed/, /rss or /atom.xml)")


def test_a_feed_without_a_link_to_its_site_is_the_blog_at_its_address(store: Store, server: Server) -> None:
    """A feed that does not link its site could not be collected: the error named the temporary folder
    and advised --account, which ``parlons collect feed`` does not have. Its own address names the blog;
    items the importer leaves out are now said in the notes (they were not)."""
    body = (b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Asso</title>"
            b"<item><guid isPermaLink=\"false\">tag:asso,2024:7</guid><description>Ouvert</description>"
            b"<pubDate>Wed, 05 Jun 2024 10:00:00 GMT</pubDate></item>"
            b"<item><title>Sans date</title><guid isPermaLink=\"false\">tag:asso,2024:8</guid></item>"
            b"</channel></rss>")
    url = _serve_feed(server, body, "application/rss+xml")
    report = collect_feeds(store, [url], client_for=lambda url: HttpClient(url))[0]
    assert [(r["account"], r["text"]) for r in rows(store)] == [("127.0.0.1", "Ouvert")]
    assert report.notes == [f"1 item left out: feed item without a valid date (first: tag:asso,2024:8 in {url})"]


def test_feeds_collected_again_in_a_store_kept_open(store: Store, server: Server) -> None:
    """The workspace keeps its store open between collections: feeds that changed since were imported
    with the store's lookup of stored keys, which drops DuckDB's cache by setting its memory limit to
    1 MB within the import's transaction; DuckDB refused ("could not free up enough memory")."""
    feeds = sorted(FEEDS.glob("*.xml"))
    version = {"etag": 1}
    for index, path in enumerate(feeds):
        body = path.read_bytes()
        server.route(f"/f{index}", lambda request, body=body: (
            200, {"Content-Type": "application/xml", "ETag": f'"{version["etag"]}"'}, body + b" " * version["etag"]))
    urls = [f"{server.base}/f{index}" for index in range(len(feeds))]
    first = collect_feeds(store, urls, comments=False, client_for=lambda url: HttpClient(url))
    version["etag"] = 2
    again = collect_feeds(store, urls, comments=False, client_for=lambda url: HttpClient(url))
    assert [r.fetched for r in again] == [r.fetched for r in first] and sum(r.fetched for r in first) > 0
    assert sum(r.inserted for r in again) == 0
