"""The WordPress WXR importer: posts, pages and comments of a whole site, read as a stream."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.errors import InputError
from parlons.importers import plan
from parlons.importers._base import ImportOptions
from parlons.sources import open_source
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows, zip_folder

FOLDER = FIXTURES / "wordpress"
WXR = FOLDER / "jardins-partages.wordpress.2024-06-30.xml"
SITE = "https://www.jardins-partages-lyon.fr"
HOST = "jardins-partages-lyon.fr"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SAMPLE = SAMPLES / "wordpress_wxr_bitcoinfrance_fr" / "bitcoin-france.wordpress.2016-09-12.xml"


def _wxr(body: str, prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}<rss version="2.0" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>T</title>'
            f"<link>https://site.example</link>{body}</channel></rss>")


def test_wordpress_post_whole_row(store: Store) -> None:
    report = load(store, WXR, now=NOW)
    assert report.files[0].formats == {"wordpress-wxr": 11}
    post = rows(store, f"post_id = '{HOST}/?p=10'")[0]
    assert post == {
        "platform": "blog", "post_id": f"{HOST}/?p=10", "account": HOST, "account_id": None,
        "account_name": "Jardins partagés de Lyon", "created_at": "2024-06-10T08:00:00Z",
        "text": "Samedi 15 juin, on récolte ensemble au jardin de la Croix-Rousse. Venez avec vos "
                "paniers ! #Lyon\n\n Le potager en juin\n\nLe programme complet est sur notre page et "
                "chez la mairie du 4e. Les photos de l'an dernier : ici.",
        "html": post["html"], "title": "Fête des récoltes samedi !", "lang": "fr-FR",
        "kind": "original", "in_reply_to_id": None, "in_reply_to_account": None,
        "in_reply_to_account_id": None, "conversation_id": None, "repost_of_id": None,
        "repost_of_account": None, "quote_of_id": None, "mentions": [], "hashtags": ["Lyon"],
        "urls": [f"{SITE}/programme-2024/", "https://www.mairie-lyon4.example/agenda"],
        "media_count": 2, "media_kinds": ["image", "video"], "source": "WordPress",
        "like_count": None, "repost_count": None, "reply_count": 6, "quote_count": None,
        "permalink": f"{SITE}/2024/06/fete-des-recoltes/", "source_file": str(WXR),
        "source_member": WXR.name, "source_record": "10", "importer": "wordpress-wxr",
        "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }
    assert post["html"].startswith("Samedi 15 juin") and "[caption id=" in post["html"]


def test_wordpress_comment_whole_row(store: Store) -> None:
    load(store, WXR, now=NOW)
    answer = rows(store, f"post_id = '{HOST}/?p=10#comment-102'")[0]
    assert answer == {
        "platform": "blog", "post_id": f"{HOST}/?p=10#comment-102", "account": HOST, "account_id": None,
        "account_name": "Jardins partagés de Lyon", "created_at": "2024-06-10T11:05:00Z",
        "text": f"Pas besoin, venez comme vous êtes ! Le plan d'accès : {SITE}/acces/",
        "html": f"Pas besoin, venez comme vous êtes ! Le plan d'accès : {SITE}/acces/",
        "title": None, "lang": None, "kind": "comment",
        "in_reply_to_id": f"{HOST}/?p=10#comment-101", "in_reply_to_account": "Julie B.",
        "in_reply_to_account_id": None, "conversation_id": f"{HOST}/?p=10", "repost_of_id": None,
        "repost_of_account": None, "quote_of_id": None, "mentions": [], "hashtags": [],
        "urls": [f"{SITE}/acces/"], "media_count": 0, "media_kinds": [], "source": None,
        "like_count": None, "repost_count": None, "reply_count": 1, "quote_count": None,
        "permalink": f"{SITE}/2024/06/fete-des-recoltes/#comment-102", "source_file": str(WXR),
        "source_member": WXR.name, "source_record": "10#comment-102", "importer": "wordpress-wxr",
        "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_wordpress_who_wrote_each_comment(store: Store) -> None:
    load(store, WXR)
    found = store.con.execute(
        "SELECT regexp_extract(post_id, '\\d+$'), account, account_name, in_reply_to_account, "
        "regexp_extract(in_reply_to_id, '[?#][^?#]*$'), mentions FROM posts WHERE kind = 'comment' "
        "ORDER BY post_id").fetchall()
    assert found == [
        ("101", "Julie B.", "Julie B.", HOST, "?p=10", ["Marc_L"]),
        # user_id 1 is the author "claire"
        ("102", HOST, "Jardins partagés de Lyon", "Julie B.", "#comment-101", []),
        # signed with the display name of the author "paul"
        ("106", HOST, "Jardins partagés de Lyon", HOST, "#comment-102", []),
        # no name: the commenter's site
        ("107", "potager-voisin.example/blog", None, HOST, "?p=10", []),
        # the e-mail of the author "claire" (case aside)
        ("108", HOST, "Jardins partagés de Lyon", "potager-voisin.example/blog", "#comment-107", []),
        # a visitor signing with the site's name does not pass for the site
        ("109", f"{HOST} (visitor)", HOST, HOST, "?p=10", []),
        ("120", "Lucas", "Lucas", HOST, "?p=14", []),
    ]


def test_wordpress_pages_dates_and_skips(store: Store) -> None:
    report = load(store, WXR)
    assert report.files[0].skipped == {
        "pingback (a link from another site, not an audience comment)": 1,
        "trackback (a link from another site, not an audience comment)": 1,
        "comment marked as spam": 1,
        "comment not approved (status 0)": 1,
        "post with status draft (not published)": 1,
        "comment on an item that is not imported": 1,
        "WordPress item of type attachment (not a post or page)": 1,
        "WordPress item of type nav_menu_item (not a post or page)": 1,
    }
    late, unguided, page = rows(store, f"kind = 'original' AND post_id <> '{HOST}/?p=10'")
    # a post without a guid is still known by its number within the site
    assert (unguided["post_id"], unguided["title"]) == (f"{HOST}/?p=15", "Sans identifiant")
    assert (page["post_id"], page["title"], page["text"], page["media_kinds"], page["reply_count"]) == (
        f"{HOST}/?p=2", "Qui sommes-nous ?",
        "Une association de quartier née en 2015.\nNous cultivons trois jardins & accueillons les écoles.",
        ["image", "image", "image"], 0)
    # post_date_gmt 0000-00-00: the local post_date less the offset of the item before (+01:00)
    assert (late["post_id"], late["created_at"], late["text"]) == (
        f"{HOST}/?p=14", "2024-03-01T17:45:00Z", "Nous cherchons trois bénévoles pour l'arrosage cet été.")


def test_wordpress_site_is_the_owner_account(store: Store) -> None:
    load(store, WXR)
    owner = store.con.execute(
        "SELECT account, display_name, url, description FROM accounts WHERE is_owner").fetchall()
    assert owner == [(HOST, "Jardins partagés de Lyon", SITE, "Cultiver ensemble, en ville")]


def test_wordpress_zip_and_reimport(store: Store, tmp_path: Path) -> None:
    load(store, zip_folder(FOLDER, tmp_path / "export.zip", "export/"))
    assert count(store, "SELECT count(*) FROM posts") == 11
    again = load(store, WXR)
    assert (again.merge.inserted, again.merge.already_stored) == (0, 11)


def test_wordpress_detection_from_content(tmp_path: Path) -> None:
    renamed = tmp_path / "export.txt"
    renamed.write_bytes(WXR.read_bytes())
    (tmp_path / "feed.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    (tmp_path / "sitemap.xml").write_text('<?xml version="1.0"?><urlset/>')
    with open_source(tmp_path) as source:
        assigned = plan(source)
        jobs = {job.importer.name: [m.name for m in job.members] for job in assigned.jobs}
        assert jobs == {"wordpress-wxr": ["export.txt"], "feed": ["feed.xml"]}
        assert [m.name for m in assigned.unknown] == ["sitemap.xml"]


def test_wordpress_truncated_file_names_the_member(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    text = WXR.read_text()
    (folder / WXR.name).write_text(text[: text.index("<wp:comment_id>106")])
    with pytest.raises(InputError) as caught:
        load(store, zip_folder(folder, tmp_path / "export.zip"))
    assert f"member {WXR.name}" in str(caught.value)
    assert "not well-formed XML" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_wordpress_without_site_link(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "export.xml"
    bad.write_text(_wxr("").replace("<link>https://site.example</link>", "")
                   .replace("</channel>", "<item><guid>g</guid></item></channel>"))
    with pytest.raises(InputError, match="no <link> to the site"):
        load(store, bad)


def test_wordpress_refuses_billion_laughs(store: Store, tmp_path: Path) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    bad = tmp_path / "laughs.xml"
    bad.write_text(_wxr("<description>&l9;</description>", f"<!DOCTYPE rss [{''.join(levels)}]>\n"))
    with pytest.raises(InputError, match="declares entities"):
        load(store, bad)
    # beyond the first 64 KiB, libxml2 stops the expansion itself: the message still says why
    late = tmp_path / "late.xml"
    late.write_text(_wxr("<description>&l9;</description>",
                         "<!--" + "x" * 70_000 + f"-->\n<!DOCTYPE rss [{''.join(levels)}]>\n"))
    with pytest.raises(InputError, match="declares entities"):
        load(store, late, forced="wordpress-wxr")


def test_wordpress_refuses_external_entities(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "xxe.xml"
    bad.write_text(_wxr("<description>&xxe;</description>",
                        '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'))
    with pytest.raises(InputError, match="declares entities"):
        load(store, bad)
    # beyond the first 64 KiB the parser's own check refuses it, before any element is used
    late = tmp_path / "late.xml"
    late.write_text(_wxr("<description>&xxe;</description>", "<!--" + "x" * 70_000 + "-->\n"
                         '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'))
    with pytest.raises(InputError, match="declares entities"):
        load(store, late, forced="wordpress-wxr")


@needs_samples
def test_wordpress_real_association_site(store: Store) -> None:
    report = load(store, SAMPLE)
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    # 102 posts of which 78 published (24 drafts), 11 pages of which 10 published (1 private)
    assert kinds == {"original": 88, "comment": 193}
    pages = ", ".join(f"'bitcoin-france.org/?p={n}'" for n in (2, 70, 74, 92, 134, 171, 176, 571, 696, 1557))
    assert count(store, f"SELECT count(*) FROM posts WHERE post_id IN ({pages}) AND kind = 'original'") == 10
    assert report.files[0].skipped == {
        "pingback (a link from another site, not an audience comment)": 42,
        "post with status draft (not published)": 24,
        "page with status private (not published)": 1,
        "WordPress item of type attachment (not a post or page)": 5,
        "WordPress item of type wpcf7_contact_form (not a post or page)": 1,
    }
    assert count(store, "SELECT sum(reply_count) FROM posts WHERE kind = 'original'") == 193


@needs_samples
def test_wordpress_real_threads_and_answers(store: Store) -> None:
    load(store, SAMPLE)
    threaded = "FROM posts c JOIN posts p ON c.in_reply_to_id = p.post_id AND p.kind = 'comment' " \
               "WHERE c.kind = 'comment'"
    assert count(store, f"SELECT count(*) {threaded}") == 107
    assert count(store, f"SELECT count(*) {threaded} AND c.in_reply_to_account = p.account "
                        "AND c.conversation_id = p.conversation_id") == 107
    reply = rows(store, "post_id = 'bitcoin-france.org/?p=2#comment-90'")[0]
    assert (reply["account"], reply["in_reply_to_id"], reply["in_reply_to_account"], reply["created_at"]) == (
        "Anonymous", "bitcoin-france.org/?p=2#comment-86", "Lionel Loeb", "2012-02-15T15:13:00Z")
    # the site's only WordPress user, admin "Boussac": 3 comments by user id, 2 by name
    own = store.con.execute("SELECT regexp_extract(post_id, '[?].*$') FROM posts WHERE kind = 'comment' "
                            "AND account = 'bitcoin-france.org' ORDER BY 1").fetchall()
    assert [o[0] for o in own] == ["?p=1001#comment-11231", "?p=1279#comment-11469", "?p=1279#comment-11470",
                                   "?p=2#comment-11457", "?p=74#comment-10"]


def _item(number: int, guid: int, title: str) -> str:
    return (f"<item><title>{title}</title><link>https://site.example/{title}/</link>"
            f'<guid isPermaLink="false">https://site.example/?p={guid}</guid>'
            f"<wp:post_id>{number}</wp:post_id><wp:post_date_gmt>2024-06-0{number % 9 + 1} 10:00:00"
            "</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f"<content:encoded>{title}</content:encoded></item>")


def _wxr_items(*items: str, channel: str = "<link>https://site.example</link>") -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>T</title>'
            f"{channel}{''.join(items)}</channel></rss>")


def test_wordpress_posts_sharing_a_guid_are_all_kept(store: Store, tmp_path: Path) -> None:
    # WordPress's theme unit test data: posts 1158 and 1161 were copied from 568 and 582, guids and all
    wxr = tmp_path / "theme-unit-test.xml"
    wxr.write_text(_wxr_items(_item(568, 568, "modele-a"), _item(582, 582, "modele-b"),
                              _item(1158, 568, "copie-a"), _item(1161, 582, "copie-b")))
    report = load(store, wxr)
    assert (report.files[0].formats, report.merge.duplicates_in_input) == ({"wordpress-wxr": 4}, 0)
    assert store.con.execute("SELECT post_id, title FROM posts ORDER BY 1").fetchall() == [
        ("site.example/?p=1158", "copie-a"), ("site.example/?p=1161", "copie-b"),
        ("site.example/?p=568", "modele-a"), ("site.example/?p=582", "modele-b")]


def test_wordpress_site_from_base_blog_url_or_account(store: Store, tmp_path: Path) -> None:
    based = tmp_path / "based.xml"
    based.write_text(_wxr_items(_item(1, 1, "un"), channel="<wp:base_site_url>https://wp.example/</wp:base_site_url>"
                                "<wp:base_blog_url>https://www.Mon-Blog.example/</wp:base_blog_url>"))
    load(store, based)
    assert store.con.execute("SELECT post_id, account FROM posts").fetchall() == [
        ("mon-blog.example/?p=1", "mon-blog.example")]
    bare = tmp_path / "bare.xml"
    bare.write_text(_wxr_items(_item(2, 2, "deux"), channel=""))
    with pytest.raises(InputError, match=r"no <link> to the site.*give --account"):
        load(store, bare)
    # WooCommerce's sample products export (php-toolkit's woocommerce-demo-products.xml) says "http:"
    hollow = tmp_path / "sample_products.xml"
    hollow.write_text(_wxr_items(_item(2, 2, "deux"), channel="<link>http:</link>"
                                 "<wp:base_blog_url>http:</wp:base_blog_url>"))
    with pytest.raises(InputError, match=r"<link>http:</link> names no site.*give --account"):
        load(store, hollow)
    load(store, bare, options=ImportOptions(account="autre-blog.example"))
    assert store.con.execute("SELECT post_id, account FROM posts WHERE title = 'deux'").fetchall() == [
        ("autre-blog.example/?p=2", "autre-blog.example")]
    assert store.con.execute("SELECT account FROM accounts WHERE is_owner ORDER BY 1").fetchall() == [
        ("autre-blog.example",), ("mon-blog.example",)]


def test_wordpress_blank_lines_before_the_xml_declaration(store: Store, tmp_path: Path) -> None:
    wxr = tmp_path / "export.xml"
    wxr.write_bytes(b"\r\n\r\n    " + WXR.read_bytes())
    assert load(store, wxr).files[0].formats == {"wordpress-wxr": 11}


def _dated(number: int, local: str, gmt: str, pub: str, status: str = "publish", comment: str = "") -> str:
    return (f"<item><title>p{number}</title><link>https://site.example/p{number}/</link>"
            f"<pubDate>{pub}</pubDate><wp:post_id>{number}</wp:post_id>"
            f"<wp:post_date>{local}</wp:post_date><wp:post_date_gmt>{gmt}</wp:post_date_gmt>"
            f"<wp:status>{status}</wp:status><wp:post_type>post</wp:post_type>{comment}</item>")


def test_wordpress_zero_gmt_date_read_from_the_local_date(store: Store, tmp_path: Path) -> None:
    # pelican's real export: published posts with post_date_gmt 0000-00-00 00:00:00, whose pubDate
    # WordPress wrote as the epoch (older versions: 30 Nov 1999 or -0001), a site at UTC-5
    zero = "0000-00-00 00:00:00"
    comment = ("<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author>bob</wp:comment_author>"
               "<wp:comment_date>2012-05-06 15:46:06</wp:comment_date>"
               f"<wp:comment_date_gmt>{zero}</wp:comment_date_gmt><wp:comment_content>merci</wp:comment_content>"
               "<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>")
    wxr = tmp_path / "export.xml"
    wxr.write_text(_wxr_items(
        _dated(422, "2012-04-18 03:36:26", "2012-04-18 08:36:26", "Wed, 18 Apr 2012 08:36:26 +0000"),
        _dated(173, "2012-02-16 15:52:55", zero, "Thu, 01 Jan 1970 00:00:00 +0000", comment=comment),
        _dated(174, "2012-02-16 16:00:00", zero, "Tue, 30 Nov 1999 00:00:00 +0000"),
        _dated(176, "2012-02-17 15:11:55", zero, "Wed, 30 Nov -0001 00:00:00 +0000", status="draft")))
    report = load(store, wxr)
    assert store.con.execute("SELECT post_id, strftime(created_at, '%Y-%m-%d %H:%M:%S') FROM posts "
                             "ORDER BY post_id").fetchall() == [
        ("site.example/?p=173", "2012-02-16 20:52:55"), ("site.example/?p=173#comment-7", "2012-05-06 20:46:06"),
        ("site.example/?p=174", "2012-02-16 21:00:00"), ("site.example/?p=422", "2012-04-18 08:36:26")]
    assert report.files[0].notes == [
        "export.xml: 3 posts or comments have no GMT date (0000-00-00 00:00:00): their local date "
        "(wp:post_date, wp:comment_date) was read with the site's offset on the last item or comment "
        "before it that had both dates"]


def test_wordpress_bare_ampersands_as_squarespace_writes_them(store: Store, tmp_path: Path) -> None:
    # Squarespace's WXR export (TryGhost/migrate's fixture): titles and addresses keep a bare "&"
    wxr = tmp_path / "Squarespace-Wordpress-Export.xml"
    wxr.write_text(_wxr_items(
        "<item><title>Draft & Post &amp; More&mdash;More</title><link>https://site.example/p/</link>"
        "<wp:post_id>4</wp:post_id><wp:post_date_gmt>2013-06-07 03:00:44</wp:post_date_gmt>"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type></item>",
        "<item><title>pumpkin</title><link>https://images.example/photo?ixlib=rb-1.2.1&auto=format&w=1268</link>"
        "<wp:post_id>5</wp:post_id><wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type></item>"))
    report = load(store, wxr)
    assert report.files[0].skipped == {"WordPress item of type attachment (not a post or page)": 1}
    assert store.con.execute("SELECT post_id, title FROM posts").fetchall() == [
        ("site.example/?p=4", "Draft & Post & More\u2014More")]


def test_wordpress_relative_item_links_as_squarespace_writes_them(store: Store, tmp_path: Path) -> None:
    # Squarespace's WXR export gives each item's <link> as a path on the site
    wxr = tmp_path / "Squarespace-Wordpress-Export.xml"
    wxr.write_text(_wxr_items(
        "<item><title>Basic Post</title><link>/blog/basic-post.html</link><wp:post_id>4</wp:post_id>"
        "<wp:post_date_gmt>2013-06-07 03:00:44</wp:post_date_gmt><wp:status>publish</wp:status>"
        "<wp:post_type>post</wp:post_type><content:encoded><![CDATA[<a href=\"/contact\">Contact</a>]]>"
        "</content:encoded><wp:comment><wp:comment_id>9</wp:comment_id><wp:comment_author>Ann</wp:comment_author>"
        "<wp:comment_date_gmt>2013-06-08 10:00:00</wp:comment_date_gmt><wp:comment_content>Hi</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved></wp:comment></item>",
        channel="<link>http://www.site.example</link>"))
    load(store, wxr)
    assert store.con.execute("SELECT post_id, permalink, urls FROM posts ORDER BY 1").fetchall() == [
        ("site.example/?p=4", "http://www.site.example/blog/basic-post.html", ["http://www.site.example/contact"]),
        ("site.example/?p=4#comment-9", "http://www.site.example/blog/basic-post.html#comment-9", [])]


def test_wordpress_block_notes_are_not_comments(store: Store, tmp_path: Path) -> None:
    # wordpress-importer's wxr-with-note-comments.xml (WordPress 6.9): notes are comments of type
    # "note" written by the site's users in the editor; 6.9's betas showed them as approved
    def comment(number: int, kind: str, approved: int, parent: int = 0) -> str:
        return (f"<wp:comment><wp:comment_id>{number}</wp:comment_id><wp:comment_author>admin</wp:comment_author>"
                "<wp:comment_date_gmt>2026-03-24 10:37:45</wp:comment_date_gmt><wp:comment_content>Note"
                f"</wp:comment_content><wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>"
                f"{kind}</wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
                "<wp:comment_user_id>1</wp:comment_user_id></wp:comment>")

    wxr = tmp_path / "export.xml"
    wxr.write_text(_wxr_items(
        "<wp:author><wp:author_id>1</wp:author_id><wp:author_login>admin</wp:author_login></wp:author>"
        "<item><title>Page</title><link>https://site.example/page/</link><wp:post_id>10</wp:post_id>"
        "<wp:post_date_gmt>2026-03-24 10:38:09</wp:post_date_gmt><wp:status>publish</wp:status>"
        f"<wp:post_type>page</wp:post_type>{comment(2, 'note', 0)}{comment(3, 'note', 1)}"
        f"{comment(5, 'note', 1, parent=3)}{comment(4, 'comment', 1)}</item>"))
    report = load(store, wxr)
    assert report.files[0].skipped == {
        "editorial note (WordPress 6.9 block notes: the site's team in the editor, not a public comment)": 3}
    assert store.con.execute("SELECT post_id, account, reply_count FROM posts ORDER BY 1").fetchall() == [
        ("site.example/?p=10", "site.example", 1), ("site.example/?p=10#comment-4", "site.example", 0)]


def test_wordpress_a_post_protected_by_a_password_is_not_public(store: Store, tmp_path: Path) -> None:
    # wordpress-importer's theme-unit-test-data.xml holds a published post with wp:post_password: its text and
    # comments were imported whole, though only readers given the password see them (the report could quote them)
    def item(number: int, password: str) -> str:
        return (f"<item><title>Post {number}</title><link>https://site.example/?p={number}</link>"
                f"<wp:post_id>{number}</wp:post_id><wp:post_date_gmt>2026-03-24 10:38:09</wp:post_date_gmt>"
                f"<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f"<wp:post_password>{password}</wp:post_password><content:encoded>Texte {number}</content:encoded>"
                f"<wp:comment><wp:comment_id>{number}0</wp:comment_id><wp:comment_author>Ana</wp:comment_author>"
                "<wp:comment_date_gmt>2026-03-24 11:00:00</wp:comment_date_gmt><wp:comment_content>Merci"
                "</wp:comment_content><wp:comment_approved>1</wp:comment_approved></wp:comment></item>")

    wxr = tmp_path / "export.xml"
    wxr.write_text(_wxr_items(item(1, "secret") + item(2, "")))
    report = load(store, wxr)
    assert report.files[0].skipped == {"post protected by a password (not public)": 1,
                                       "comment on an item that is not imported": 1}
    assert [(r["post_id"], r["text"]) for r in rows(store)] == [
        ("site.example/?p=2", "Texte 2"), ("site.example/?p=2#comment-20", "Merci")]
