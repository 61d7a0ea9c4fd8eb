"""The feed importer (RSS, Atom, JSON Feed): a blog's posts and the comments of its per-post comment feeds."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from parlons.errors import InputError
from parlons.i18n import translator
from parlons.importers._base import ImportOptions
from parlons.importers._xml import HtmlEntities
from parlons.importers.feeds import IMPORTER
from parlons.report.names import importer_name
from parlons.store import Store

from .conftest import FIXTURES, SAMPLES, count, load, needs_samples, rows, zip_folder

FEEDS = FIXTURES / "feeds"
WXR = FIXTURES / "wordpress" / "jardins-partages.wordpress.2024-06-30.xml"
SITE = "https://www.jardins-partages-lyon.fr"
HOST = "jardins-partages-lyon.fr"
NAME = "Jardins partagés de Lyon"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
SAMETMAX = SAMPLES / "rss_atom_blog_sametmax_fr"


def test_feed_post_whole_row(store: Store) -> None:
    report = load(store, FEEDS, now=NOW)
    assert report.files[0].formats == {"feed": 8}
    assert report.files[0].skipped == {"feed item without a valid date": 1}
    post = rows(store, f"post_id = '{HOST}/?p=16'")[0]
    assert post == {
        "platform": "blog", "post_id": f"{HOST}/?p=16", "account": HOST, "account_id": None,
        "account_name": NAME, "created_at": "2024-06-21T16:30:00Z",
        "text": "Première récolte de tomates cerises au jardin des Pentes\xa0! Qui veut des plants\xa0? "
                "#jardinage\n\nRecette de la tarte en prime.",
        "html": "<p>Première récolte de tomates cerises au jardin des Pentes&nbsp;! Qui veut des "
                "plants&nbsp;? #jardinage</p>\n<p>Recette de <a href=\"https://www.cuisine-de-saison."
                "example/tomates-cerises\" rel=\"nofollow\">la tarte</a> en prime.</p>",
        "title": "Les tomates sont là", "lang": "fr-FR", "kind": "original",
        "in_reply_to_id": None, "in_reply_to_account": None, "in_reply_to_account_id": None,
        "conversation_id": None, "repost_of_id": None, "repost_of_account": None,
        "quote_of_id": None, "mentions": [], "hashtags": ["jardinage"],
        "urls": ["https://www.cuisine-de-saison.example/tomates-cerises"],
        # the Atom entry is read first; the RSS item's enclosure (featured image) is added to it
        "media_count": 1, "media_kinds": ["image"], "source": "WordPress", "like_count": None,
        "repost_count": None, "reply_count": 2, "quote_count": None,
        "permalink": f"{SITE}/2024/06/les-tomates-sont-la/", "source_file": str(FEEDS),
        "source_member": "atom.xml", "source_record": f"{HOST}/?p=16", "importer": "feed",
        "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_feed_comment_whole_row(store: Store) -> None:
    load(store, FEEDS, now=NOW)
    comment = rows(store, f"post_id = '{HOST}/?p=10#comment-112'")[0]
    assert comment == {
        "platform": "blog", "post_id": f"{HOST}/?p=10#comment-112", "account": "Marc L.",
        "account_id": None, "account_name": "Marc L.", "created_at": "2024-06-15T09:00:00Z",
        "text": "Super journée, merci pour les gants !",
        "html": "<p>Super journée, merci pour les gants !</p>", "title": None, "lang": None,
        "kind": "comment", "in_reply_to_id": f"{HOST}/?p=10#comment-102", "in_reply_to_account": HOST,
        "in_reply_to_account_id": None, "conversation_id": f"{HOST}/?p=10", "repost_of_id": None,
        "repost_of_account": None, "quote_of_id": None, "mentions": [], "hashtags": [], "urls": [],
        "media_count": 0, "media_kinds": [], "source": None, "like_count": None,
        "repost_count": None, "reply_count": None, "quote_count": None,
        "permalink": f"{SITE}/2024/06/fete-des-recoltes/#comment-112", "source_file": str(FEEDS),
        "source_member": "comments-fete-des-recoltes.atom.xml", "source_record": f"{HOST}/?p=10#comment-112",
        "importer": "feed", "importer_version": "0.1.0", "imported_at": "2026-01-02T03:04:05Z",
    }


def test_feed_comments_threads_and_blog_answers(store: Store) -> None:
    load(store, FEEDS)
    found = store.con.execute(
        "SELECT regexp_extract(post_id, '[?].*$'), account, account_name, "
        "regexp_extract(in_reply_to_id, '[?].*$'), in_reply_to_account, mentions "
        "FROM posts WHERE kind = 'comment' ORDER BY post_id").fetchall()
    assert found == [
        ("?p=10#comment-101", "Julie B.", "Julie B.", "?p=10", HOST, ["Marc_L"]),
        # "Claire Martin" signs posts of the main feeds: her comments are the blog's
        ("?p=10#comment-102", HOST, NAME, "?p=10#comment-101", "Julie B.", []),
        ("?p=10#comment-112", "Marc L.", "Marc L.", "?p=10#comment-102", HOST, []),
        ("?p=16#comment-130", "Julie B.", "Julie B.", "?p=16", HOST, []),
        # RSS comment feeds do not say which comment is answered: a reader's answers the post; the blog's own
        # answers one of the comments above it, unknown which (and not the blog itself: no "thread" with itself)
        ("?p=16#comment-131", HOST, NAME, None, None, ["Julie"]),
    ]


def test_feed_atom_xhtml_and_enclosure(store: Store) -> None:
    load(store, FEEDS)
    post = rows(store, f"post_id = '{HOST}/?p=18'")[0]
    assert (post["title"], post["text"], post["html"], post["urls"], post["media_kinds"], post["reply_count"]) == (
        "Portes ouvertes en juillet", "Le 6 juillet, les trois jardins ouvrent leurs portes.\n\nAgenda",
        '<p>Le 6 juillet, les trois jardins ouvrent leurs portes.</p><p><a href="/agenda/">Agenda</a></p>',
        [f"{SITE}/agenda/"], ["audio"], None)


def test_feed_site_account_is_described_not_owned(store: Store) -> None:
    load(store, FEEDS)
    site = store.con.execute("SELECT display_name, url, description, is_owner FROM accounts "
                             f"WHERE account = '{HOST}'").fetchall()
    assert site == [(NAME, SITE, "Cultiver ensemble, en ville", False)]


def test_feed_rss_and_atom_give_the_same_posts(store: Store, tmp_path: Path) -> None:
    load(store, FEEDS / "atom.xml")
    assert count(store, "SELECT count(*) FROM posts") == 2
    rss = load(store, FEEDS / "feed.rss2.xml")
    assert (rss.merge.inserted, rss.merge.already_stored) == (1, 1)
    assert count(store, "SELECT count(*) FROM posts") == 3


def test_feed_and_wxr_of_one_site_agree(store: Store) -> None:
    load(store, WXR)
    feeds = load(store, FEEDS)
    # post 10 and its comments 101 and 102 are in both; 16, 18, 112, 130 and 131 are new
    assert (feeds.merge.already_stored, feeds.merge.inserted) == (3, 5)
    # the WXR's comment count (6) stays: the feed's (8, with pingbacks) only fills unknown counts
    assert count(store, f"SELECT reply_count FROM posts WHERE post_id = '{HOST}/?p=10'") == 6


def test_feed_comments_without_main_feed(store: Store, tmp_path: Path) -> None:
    only = tmp_path / "comments"
    only.mkdir()
    shutil.copy(FEEDS / "comments-les-tomates-sont-la.rss2.xml", only)
    report = load(store, only)
    assert report.files[0].notes == [
        f"comments of {HOST} were read without the blog's main feed, so the blog's own answers "
        "among them cannot be recognised"]
    assert count(store, "SELECT count(*) FROM posts WHERE account = 'Claire Martin'") == 1


def test_feed_truncated_names_the_member(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    shutil.copytree(FEEDS, folder)
    feed = folder / "feed.rss2.xml"
    feed.write_text(feed.read_text()[:2500])
    with pytest.raises(InputError) as caught:
        load(store, zip_folder(folder, tmp_path / "feeds.zip"))
    assert "member feed.rss2.xml" in str(caught.value)
    assert "not well-formed XML" in str(caught.value)
    assert count(store, "SELECT count(*) FROM posts") == 0


def test_feed_forced_on_other_xml(store: Store, tmp_path: Path) -> None:
    sitemap = tmp_path / "sitemap.xml"
    sitemap.write_text('<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>')
    with pytest.raises(InputError, match="no importer recognises"):
        load(store, sitemap)
    with pytest.raises(InputError, match=r"neither an RSS feed"):
        load(store, sitemap, forced="feed")


def test_feed_refuses_entities(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "feed.xml"
    bad.write_text('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                   '<rss version="2.0"><channel><title>&xxe;</title><link>https://a.example</link>'
                   "</channel></rss>")
    with pytest.raises(InputError, match="declares entities"):
        load(store, bad)


@needs_samples
def test_feed_real_blog(store: Store) -> None:
    report = load(store, SAMETMAX)
    assert report.files[0].formats == {"feed": 29}
    assert report.files[0].skipped == {}
    kinds = dict(store.con.execute("SELECT kind, count(*) FROM posts GROUP BY kind").fetchall())
    assert kinds == {"original": 9, "comment": 20}
    threads = dict(store.con.execute(
        "SELECT conversation_id, count(*) FROM posts WHERE kind = 'comment' GROUP BY 1").fetchall())
    assert threads == {"sametmax.com/?p=16918": 10, "sametmax.com/?p=16986": 10}
    counts = dict(store.con.execute("SELECT post_id, reply_count FROM posts WHERE kind = 'original'").fetchall())
    assert counts["sametmax.com/?p=16918"] == 27 and counts["sametmax.com/?p=16986"] == 13
    # all nine posts are signed "Sam"; his three comments are the blog answering (no "Max" here)
    own = store.con.execute("SELECT post_id FROM posts WHERE kind = 'comment' AND account = 'sametmax.com' "
                            "ORDER BY 1").fetchall()
    assert [o[0] for o in own] == ["sametmax.com/?p=16918#comment-164563",
                                   "sametmax.com/?p=16918#comment-164587",
                                   "sametmax.com/?p=16986#comment-165827"]
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'comment' AND in_reply_to_account = "
                        "'sametmax.com' AND in_reply_to_id = conversation_id") == 17
    # RSS: the blog's comments say nothing of the comment they answer
    assert count(store, "SELECT count(*) FROM posts WHERE kind = 'comment' AND account = 'sametmax.com' "
                        "AND in_reply_to_account IS NULL AND in_reply_to_id IS NULL") == 3


@needs_samples
def test_feed_real_rss_then_atom_adds_nine_posts(store: Store) -> None:
    load(store, SAMETMAX / "feed.rss2.xml")
    atom = load(store, SAMETMAX / "feed.atom.xml")
    assert (atom.merge.inserted, atom.merge.already_stored) == (0, 9)
    assert count(store, "SELECT count(*) FROM posts") == 9
    post = rows(store, "post_id = 'sametmax.com/?p=16918'")[0]
    assert (post["title"], post["account_name"], post["created_at"], post["media_kinds"]) == (
        "Jouons un peu avec Python 3.5 27", "Sam & Max", "2015-09-16T16:31:38Z", ["video", "image"])


FORMATS = FIXTURES / "feed_formats"


def test_feed_rss_1_0_rdf(store: Store) -> None:
    report = load(store, FORMATS / "index.rdf")
    assert report.files[0].formats == {"feed": 2}
    site = "https://carnet.mediatheque-vaise.example"
    got = [(r["post_id"], r["account"], r["created_at"], r["title"], r["text"], r["lang"], r["hashtags"])
           for r in rows(store, order="created_at")]
    assert got == [
        (f"{site}/2009/02/fermeture.html", "carnet.mediatheque-vaise.example", "2009-02-18T17:00:00Z",
         "Fermeture exceptionnelle", "La médiathèque sera fermée le samedi 21 février.", "fr", []),
        (f"{site}/2009/03/heure-du-conte.html", "carnet.mediatheque-vaise.example", "2009-03-04T09:15:00Z",
         "L'heure du conte reprend", "Tous les mercredis à 15 h, pour les 4-7 ans. #conte", "fr", ["conte"]),
    ]


def test_feed_atom_0_3(store: Store) -> None:
    report = load(store, FORMATS / "atom03.xml")
    assert report.files[0].formats == {"feed": 2}
    got = [(r["post_id"], r["account"], r["account_name"], r["created_at"], r["title"], r["text"], r["urls"],
            r["source"]) for r in rows(store, order="created_at")]
    assert got == [
        ("tag:blogger.com,1999:blog-1234.post-5601", "velo-croix-rousse.example", "Vélo Club de la Croix-Rousse",
         "2006-05-10T09:00:00Z", "Rendez-vous dimanche", "Départ 8 h place de la Croix-Rousse.", [], "Blogger"),
        # issued (local time with its offset) is the publication time
        ("tag:blogger.com,1999:blog-1234.post-5678", "velo-croix-rousse.example", "Vélo Club de la Croix-Rousse",
         "2006-05-14T19:30:00Z", "Sortie vers Villefranche", "80 km sous le soleil. Les photos #vélo",
         ["http://www.velo-croix-rousse.example/photos/villefranche/"], "Blogger"),
    ]
    assert store.con.execute("SELECT description FROM accounts").fetchall() == [("Les sorties du dimanche",)]


def test_feed_rss_2_0_in_the_userland_namespace(store: Store) -> None:
    report = load(store, FORMATS / "rss2-userland.xml")
    assert report.files[0].formats == {"feed": 2}
    got = [(r["post_id"], r["created_at"], r["title"], r["text"], r["media_kinds"], r["permalink"])
           for r in rows(store, order="created_at")]
    site = "http://chorale-pointdujour.example"
    assert got == [
        # no <link>: the guid, a permalink by default, is the address
        (f"{site}/2004/03/28.html#a11", "2004-03-28T09:00:00Z", "Répétition déplacée",
         "Jeudi et non mercredi cette semaine.", [], f"{site}/2004/03/28.html#a11"),
        (f"{site}/2004/04/02.html#a12", "2004-04-02T18:12:00Z", "Concert de printemps",
         "Samedi 24 avril à 20 h, église Saint-Just.", ["audio"], f"{site}/2004/04/02.html#a12"),
    ]


def test_feed_blank_lines_before_the_xml_declaration(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    shutil.copytree(FEEDS, folder)
    for name in ("feed.rss2.xml", "atom.xml"):
        (folder / name).write_bytes(b"\n\n  \t" + (FEEDS / name).read_bytes())
    (folder / "comments-les-tomates-sont-la.rss2.xml").write_bytes(
        b"\xef\xbb\xbf\r\n" + (FEEDS / "comments-les-tomates-sont-la.rss2.xml").read_bytes())
    report = load(store, zip_folder(folder, tmp_path / "feeds.zip"))
    assert report.files[0].formats == {"feed": 8}
    # UTF-16 with a byte-order mark and a blank line first
    utf16 = tmp_path / "userland.xml"
    utf16.write_bytes(("\n" + (FORMATS / "rss2-userland.xml").read_text().replace("ISO-8859-1", "UTF-16"))
                      .encode("utf-16"))
    assert load(store, utf16).files[0].formats == {"feed": 2}


def test_feed_without_a_site_link_takes_account(store: Store, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Sans lien</title>'
                    "<item><guid isPermaLink=\"false\">x-1</guid><title>Un</title>"
                    "<pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate><description>Bonjour</description></item>"
                    "</channel></rss>")
    with pytest.raises(InputError, match=r"no link to its site.*give --account"):
        load(store, feed)
    load(store, feed, options=ImportOptions(account="https://www.Blog-Sans-Lien.example/"))
    assert store.con.execute("SELECT post_id, account FROM posts").fetchall() == [("x-1", "blog-sans-lien.example")]
    assert store.con.execute("SELECT account FROM accounts").fetchall() == [("blog-sans-lien.example",)]


def test_feed_wordpress_post_number_is_the_key(store: Store, tmp_path: Path) -> None:
    # WordPress copies a post's guid when a post is duplicated; its number within the site is unique
    feed = tmp_path / "feed.xml"
    item = ("<item><title>{0}</title><link>https://www.jardins.example/{0}/</link>"
            '<guid isPermaLink="false">https://www.jardins.example/?p=568</guid>'
            '<post-id xmlns="com-wordpress:feed-additions:1">{1}</post-id>'
            "<pubDate>Mon, 03 Jun 2024 10:00:00 GMT</pubDate><description>{0}</description></item>")
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>J</title>'
                    f"<link>https://www.jardins.example</link>{item.format('modele', 568)}"
                    f"{item.format('copie', 1158)}</channel></rss>")
    report = load(store, feed)
    assert (report.files[0].formats, report.merge.duplicates_in_input) == ({"feed": 2}, 0)
    assert store.con.execute("SELECT post_id, title FROM posts ORDER BY 1").fetchall() == [
        ("jardins.example/?p=1158", "copie"), ("jardins.example/?p=568", "modele")]


def test_feed_html_entities_without_a_dtd(store: Store, tmp_path: Path) -> None:
    # RSS 0.91 feeds use HTML's names (their DTD, never loaded, declared them); CDATA stays as written
    feed = tmp_path / "rss091.xml"
    feed.write_text('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
                    '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
                    '<rss version="0.91"><channel><title>Caf&eacute; &amp; th&eacute;&hellip;</title>'
                    "<link>https://cafe.example/</link><language>fr</language>"
                    "<item><title>Ouverture&nbsp;!</title><link>https://cafe.example/ouverture</link>"
                    "<pubDate>Mon, 03 Jun 2002 10:00:00 GMT</pubDate>"
                    "<description><![CDATA[<p>D&egrave;s lundi&nbsp;!</p>]]></description></item>"
                    "</channel></rss>", encoding="latin-1")
    assert load(store, feed).files[0].formats == {"feed": 1}
    post = rows(store)[0]
    assert (post["account_name"], post["title"], post["html"], post["text"]) == (
        "Café & thé…", "Ouverture\xa0!", "<p>D&egrave;s lundi&nbsp;!</p>", "Dès lundi\xa0!")
    unknown = tmp_path / "unknown.xml"
    unknown.write_text('<?xml version="1.0"?><rss version="0.91"><channel><title>Caf&eacute;&inconnu;</title>'
                       "<link>https://cafe.example/</link></channel></rss>")
    with pytest.raises(InputError, match=r"uses the entity &inconnu; that neither XML nor HTML defines"):
        load(store, unknown)


@pytest.mark.parametrize("kind", [bytes, str])
def test_html_entities_cut_anywhere(kind: type) -> None:
    text = ("<a>&eacute;t&eacute; &amp; <![CDATA[&nbsp; ]] ]]>&hellip;<![CDATA[x]]>"
            "&lt;&unknown;&#233; A & B ?a=1&b=2&#x1F600;&</a>")
    data = text.encode() if kind is bytes else text
    whole = b"".join(HtmlEntities().replaced(iter([data]))) if kind is bytes else \
        "".join(HtmlEntities().replaced(iter([data])))
    expected = ("<a>&#233;t&#233; &amp; <![CDATA[&nbsp; ]] ]]>&#8230;<![CDATA[x]]>&lt;&unknown;&#233;"
                " A &amp; B ?a=1&amp;b=2&#x1F600;&amp;</a>")
    assert whole == (expected.encode() if kind is bytes else expected)
    for cut in range(1, len(data)):
        for second in (cut + 1, cut + 7):
            chunks = [data[:cut], data[cut:second], data[second:]]
            assert data[:0].join(HtmlEntities().replaced(iter(chunks))) == whole, (cut, second)


def test_feed_item_dates_from_dublin_core_terms(store: Store, tmp_path: Path) -> None:
    # Simon Fell's RSS test suite: items dated only with dcterms:created / dcterms:modified
    feed = tmp_path / "rss2.0withModules.xml"
    feed.write_text('<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>T</title>'
                    "<link>https://tests.example/</link><item><link>https://tests.example/1</link>"
                    "<dcterms:modified>2002-09-28T20:01:19Z</dcterms:modified>"
                    "<dcterms:created>2002-09-27T08:00:00Z</dcterms:created></item></channel></rss>")
    load(store, feed)
    assert [r["created_at"] for r in rows(store)] == ["2002-09-27T08:00:00Z"]
    empty = tmp_path / "empty.xml"
    empty.write_text('<?xml version="1.0"?><rss version="2.0"></rss>')
    with pytest.raises(InputError, match=r"is an RSS 2\.0 document without a <channel>"):
        load(store, empty)


def test_feed_undeclared_module_prefix(store: Store, tmp_path: Path) -> None:
    # a podcast template that forgot xmlns:content (feedjira keeps such a feed in its samples)
    feed = tmp_path / "podcast.xml"
    feed.write_text('\n<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:itunes="http://www.itunes.com/dtds/'
                    'podcast-1.0.dtd" version="2.0"><channel><title>P</title><link>https://podcast.example/</link>'
                    "<item><guid>https://podcast.example/1</guid><pubDate>Wed, 15 Jun 2005 19:00:00 GMT</pubDate>"
                    "<itunes:author>A</itunes:author><content:encoded><![CDATA[<p>Épisode 1</p>]]></content:encoded>"
                    "</item></channel></rss>")
    load(store, feed)
    assert [(r["text"], r["html"]) for r in rows(store)] == [("Épisode 1", "<p>Épisode 1</p>")]


def test_feed_atom_links_in_rss_and_relative_atom_links(store: Store, tmp_path: Path) -> None:
    # .NET's SyndicationFeed writes the site's link as <a10:link> in RSS
    rss = tmp_path / "a10.xml"
    rss.write_text('<rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel><title>T</title>'
                   '<a10:link href="http://www.dotnet.example/" /><item><guid isPermaLink="false">5</guid>'
                   "<title>Cinq</title><pubDate>Thu, 14 May 2020 10:00:18 Z</pubDate>"
                   '<a10:link href="http://www.dotnet.example/5" /></item></channel></rss>')
    # Sam Ruby's feed: the site is <link href="/blog/"/>, relative to the feed's own address
    atom = tmp_path / "index.atom"
    atom.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" '
                    'href="http://intertwingly.example/blog/index.atom"/><title>S</title>'
                    '<link href="/blog/"/><entry><id>tag:x,2004:1</id><title>Un</title>'
                    '<link href="/blog/2013/01/30/Plex"/><updated>2013-01-30T10:00:00Z</updated></entry></feed>')
    load(store, rss, atom)
    assert store.con.execute("SELECT post_id, account, permalink FROM posts ORDER BY 1").fetchall() == [
        ("5", "dotnet.example", "http://www.dotnet.example/5"),
        ("tag:x,2004:1", "intertwingly.example", "http://intertwingly.example/blog/2013/01/30/Plex")]


def test_feed_item_repeated_in_one_feed_is_reported(store: Store, tmp_path: Path) -> None:
    # a podcast feed (rss-parser's samples) lists one episode twice: the import says so
    item = ("<item><guid>https://podcast.example/ep-{0}</guid><title>{1}</title>"
            "<pubDate>Wed, 15 Jun 2005 19:00:00 GMT</pubDate></item>")
    feed = tmp_path / "podcast.xml"
    feed.write_text('<rss version="2.0"><channel><title>P</title><link>https://podcast.example/</link>'
                    f"{item.format(1, 'Un')}{item.format(2, 'Deux')}{item.format(1, 'Un bis')}</channel></rss>")
    report = load(store, feed)
    assert (report.files[0].formats, report.merge.duplicates_in_input, report.merge.inserted) == ({"feed": 3}, 1, 2)
    assert store.con.execute("SELECT title FROM posts ORDER BY 1").fetchall() == [("Deux",), ("Un",)]


def test_feed_json_feed(store: Store) -> None:
    report = load(store, FORMATS / "feed.json")
    assert (report.files[0].formats, report.files[0].skipped) == ({"feed": 2}, {"feed item without a valid date": 1})
    got = [(r["post_id"], r["account"], r["account_name"], r["created_at"], r["title"], r["text"], r["lang"],
            r["hashtags"], r["media_kinds"], r["permalink"]) for r in rows(store, order="created_at")]
    assert got == [
        ("7", "atelier-velo.example", "Atelier vélo du quartier", "2024-04-20T07:00:00Z", None,
         "Balade le long du Rhône dimanche.", "fr-FR", [], [], "https://www.atelier-velo.example/2024/04/balade/"),
        # a WordPress guid: the post's number within the site, as from its RSS feed or WXR export
        ("atelier-velo.example/?p=42", "atelier-velo.example", "Atelier vélo du quartier", "2024-05-02T16:30:00Z",
         "Permanence de samedi", "Venez réparer votre vélo samedi de 10 h à 13 h. #vélo", "fr-FR", ["vélo"],
         ["image"], "https://www.atelier-velo.example/2024/05/permanence/"),
    ]
    assert store.con.execute("SELECT account, display_name, description FROM accounts").fetchall() == [
        ("atelier-velo.example", "Atelier vélo du quartier", "Réparations et balades")]


def test_feed_label_names_json_feed_too() -> None:
    """The name the report gives the importer's files, and `parlons formats`, say it reads JSON Feed."""
    assert importer_name(translator("en"), "feed") == "RSS, Atom or JSON feed"
    assert importer_name(translator("fr"), "feed") == "Flux RSS, Atom ou JSON Feed"
    assert IMPORTER.description.startswith("RSS (0.9x-2.0), Atom (0.3, 1.0) and JSON Feed feeds of a blog")
    assert "feed.json" in IMPORTER.example


def test_feed_rss_in_another_namespace_and_pre_atom_names(store: Store, tmp_path: Path) -> None:
    harvard = tmp_path / "harvard.xml"
    harvard.write_text('<rss version="2.0" xmlns="http://blogs.law.harvard.edu/tech/rss"><channel><title>H</title>'
                       "<link>https://harvard-ns.example/</link><item><guid>https://harvard-ns.example/1</guid>"
                       "<pubDate>Mon, 03 Jan 2005 10:00:00 GMT</pubDate><description>Un</description></item>"
                       "</channel></rss>")
    echo = tmp_path / "echo.xml"  # Atom 0.2 under its working name
    echo.write_text('<feed version="0.2" xmlns="http://purl.org/echo/"><title>E</title>'
                    '<link rel="alternate" href="https://echo.example/"/><entry><id>tag:echo.example,2003:1</id>'
                    "<issued>2003-08-01T10:00:00Z</issued><content mode=\"escaped\" type=\"text/html\">"
                    "&lt;p&gt;Deux&lt;/p&gt;</content></entry></feed>")
    report = load(store, harvard, echo)
    assert [f.formats for f in report.files] == [{"feed": 1}, {"feed": 1}]
    assert store.con.execute("SELECT account, text FROM posts ORDER BY 1").fetchall() == [
        ("echo.example", "Deux"), ("harvard-ns.example", "Un")]


def test_feed_without_declared_encoding_and_dates_in_portuguese_or_french(store: Store, tmp_path: Path) -> None:
    # UOL's feed (rss-parser's samples): Latin-1 bytes, no XML declaration, dates written in Portuguese
    uol = tmp_path / "uol.rss"
    uol.write_bytes("<rss>\n<channel><title>UOL Notícias</title><link>https://noticias.uol.example/</link>"
                    "<description>Últimas Notícias</description><item><title>Câmara aprova</title>"
                    "<link>https://noticias.uol.example/1</link><pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate>"
                    "</item></channel></rss>".encode("cp1252"))
    french = tmp_path / "dotclear.xml"
    french.write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Carnet</title>'
                      "<link>https://carnet.example/</link><item><guid>https://carnet.example/1</guid>"
                      "<pubDate>mer., 14 févr. 2024 09:30:00 +0100</pubDate><title>Un</title></item>"
                      "</channel></rss>")
    load(store, uol, french)
    assert [(r["account_name"], r["title"], r["created_at"]) for r in rows(store, order="created_at")] == [
        ("UOL Notícias", "Câmara aprova", "2018-09-24T22:42:40Z"), ("Carnet", "Un", "2024-02-14T08:30:00Z")]
    # a document that declares UTF-8 and is not is still refused
    lying = tmp_path / "lying.xml"
    lying.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>' + uol.read_bytes())
    with pytest.raises(InputError, match="not well-formed XML"):
        load(store, lying)
    # undeclared and not Western (Cyrillic KOI8-R, feedparser's chardet samples): refused, not garbled
    koi8 = tmp_path / "koi8r.xml"
    koi8.write_bytes("<rss><channel><title>Новости дня</title><link>https://novosti.example/</link>"
                     "</channel></rss>".encode("koi8-r"))
    with pytest.raises(InputError, match="is not UTF-8 and declares no encoding"):
        load(store, koi8)


def test_the_blogs_own_comments_count_as_replies_to_readers_not_threads(store: Store, tmp_path: Path) -> None:
    from parlons.audit import open_posts, run_audit

    load(store, FEEDS)
    store.close()
    conversation = run_audit(open_posts(store.path), [HOST])[0].conversation
    # comment-102 answers Julie (the Atom feed says so); comment-131 is under its post in an RSS comment feed
    assert (conversation.replies_to_others, conversation.self_replies) == (2, 0)


def test_feed_podcast_episodes_without_guid_known_by_their_enclosure(store: Store, tmp_path: Path) -> None:
    # Radio Suisse Romande's podcast (rome's samples, xml/rsr.xml): 15 episodes, no guid, each
    # linking to the show's page; 14 were taken for repeats of the first
    item = ("<item><title>{0}</title><link>https://radio.example/capsule</link>"
            "<pubDate>Mon, {1} Dec 2006 06:20:00 GMT</pubDate>"
            '<enclosure url="https://podcast.radio.example/capsule/2006120{1}.mp3" type="audio/mpeg" length="1"/>'
            "</item>")
    blog = ("<item><title>Billet</title><link>https://radio.example/billet</link>"
            "<pubDate>Mon, 11 Dec 2006 08:00:00 GMT</pubDate>"
            '<enclosure url="https://radio.example/logo.png" type="image/png" length="1"/></item>')
    feed = tmp_path / "capsule.xml"
    feed.write_text('<rss version="2.0"><channel><title>La capsule</title><link>https://radio.example/</link>'
                    f"{item.format('La Wii', 8)}{item.format('Le salon', 7)}{blog}</channel></rss>")
    report = load(store, feed)
    assert (report.files[0].formats, report.merge.duplicates_in_input) == ({"feed": 3}, 0)
    assert store.con.execute("SELECT post_id, permalink, media_kinds FROM posts ORDER BY 1").fetchall() == [
        ("https://podcast.radio.example/capsule/20061207.mp3", "https://radio.example/capsule", ["audio"]),
        ("https://podcast.radio.example/capsule/20061208.mp3", "https://radio.example/capsule", ["audio"]),
        ("https://radio.example/billet", "https://radio.example/billet", ["image"])]


def test_feed_feedburner_items_link_to_the_blog_not_the_proxy(store: Store, tmp_path: Path) -> None:
    # feedjira's samples TechCrunch.xml (RSS) and PaulDixExplainsNothing.xml (Atom), served through
    # FeedBurner: <link> goes to feedproxy.google.com (closed in 2022), feedburner:origLink to the post
    fb = 'xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"'
    rss = tmp_path / "techcrunch.xml"
    rss.write_text(f'<rss version="2.0" {fb}><channel><title>TC</title><link>https://techcrunch.example</link>'
                   "<item><title>A</title><link>http://feedproxy.google.com/~r/Techcrunch/~3/kTeeGj4FnwU/</link>"
                   "<pubDate>Wed, 02 Nov 2011 17:25:27 +0000</pubDate>"
                   '<guid isPermaLink="false">https://techcrunch.example/?p=446154</guid>'
                   "<feedburner:origLink>https://techcrunch.example/2011/11/02/a/</feedburner:origLink></item>"
                   "<item><title>B</title><link>http://feedproxy.google.com/~r/Techcrunch/~3/OZarlirMG7w/</link>"
                   "<pubDate>Wed, 02 Nov 2011 16:46:31 +0000</pubDate>"
                   "<feedburner:origLink>https://techcrunch.example/2011/11/02/b/</feedburner:origLink></item>"
                   "</channel></rss>")
    atom = tmp_path / "pauldix.xml"
    atom.write_text(f'<feed xmlns="http://www.w3.org/2005/Atom" {fb}><title>PD</title>'
                    '<link rel="alternate" href="https://pauldix.example/"/><entry><id>tag:pauldix.example,2009:1</id>'
                    "<title>C</title><published>2009-01-22T15:27:00Z</published>"
                    '<link rel="alternate" href="http://feeds.feedburner.com/~r/PaulDix/~3/519925023/c.html"/>'
                    "<feedburner:origLink>https://pauldix.example/2009/01/c.html</feedburner:origLink></entry></feed>")
    load(store, rss)
    load(store, atom)
    assert store.con.execute("SELECT post_id, permalink FROM posts ORDER BY 1").fetchall() == [
        ("https://techcrunch.example/2011/11/02/b/", "https://techcrunch.example/2011/11/02/b/"),
        ("tag:pauldix.example,2009:1", "https://pauldix.example/2009/01/c.html"),
        ("techcrunch.example/?p=446154", "https://techcrunch.example/2011/11/02/a/")]


def test_feed_rss_item_links_written_as_paths_are_made_absolute(store: Store, tmp_path: Path) -> None:
    # gofeed's testdata writes RSS item links as paths under an xml:base; a blog's feed may too, with its
    # site's <link>: they were stored as they are ('/2024/03/b'), which a report cannot link to
    rss = tmp_path / "feed.xml"
    rss.write_text('<rss version="2.0"><channel><title>Blog</title><link>https://blog.example/</link>'
                   "<item><title>A</title><link>https://blog.example/2024/03/a</link>"
                   "<pubDate>Sun, 03 Mar 2024 10:00:00 +0000</pubDate></item>"
                   "<item><title>B</title><link>/2024/03/b</link>"
                   "<pubDate>Mon, 04 Mar 2024 10:00:00 +0000</pubDate></item>"
                   '<item xml:base="https://cdn.blog.example/posts/"><title>C</title><link>c.html</link>'
                   "<pubDate>Tue, 05 Mar 2024 10:00:00 +0000</pubDate></item></channel></rss>")
    load(store, rss)
    assert [r[0] for r in store.con.execute("SELECT permalink FROM posts ORDER BY created_at").fetchall()] == [
        "https://blog.example/2024/03/a", "https://blog.example/2024/03/b", "https://cdn.blog.example/posts/c.html"]
