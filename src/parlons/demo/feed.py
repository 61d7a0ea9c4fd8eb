"""Writes the second peer's public blog feed: ``<site>-feed.rss2.xml`` (RSS 2.0, as WordPress serves it).

The site is set to list the whole year in its feed (WordPress: Settings → Reading → "Syndication
feeds show the most recent N items"), so every title its X account posted through IFTTT is there.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from .cast import PEER2_BLOG, PEER2_SITE
from .files import EXPORTED
from .wordpress import cdata, rfc822
from .world import Post, World

__all__ = ["write_feed"]

HEAD = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:wfw="http://wellformedweb.org/CommentAPI/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom"
\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"
\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"
\t>

<channel>
\t<title>{title}</title>
\t<atom:link href="{site}/feed/" rel="self" type="application/rss+xml" />
\t<link>{site}</link>
\t<description>{description}</description>
\t<lastBuildDate>{built}</lastBuildDate>
\t<language>{language}</language>
\t<sy:updatePeriod>
\thourly\t</sy:updatePeriod>
\t<sy:updateFrequency>
\t1\t</sy:updateFrequency>
\t<generator>https://wordpress.org/?v=6.4.3</generator>
"""


def write_feed(world: World, folder: Path) -> Path:
    site = world.accounts["peer2_blog"]
    posts = sorted((p for p in world.posts if p.author is site), key=lambda p: p.created, reverse=True)
    head = HEAD.format(title=escape(site.name), site=PEER2_SITE, description=escape(site.description),
                       built=rfc822(posts[0].created if posts else EXPORTED),
                       language="fr-FR" if world.lang == "fr" else "en-GB")
    path = folder / f"{PEER2_BLOG.split('.')[1]}-feed.rss2.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + "".join(_item(p) for p in posts) + "</channel>\n</rss>\n", encoding="utf-8")
    return path


def _item(post: Post) -> str:
    excerpt = post.text.split("</p>", 1)[0].removeprefix("<p>")
    return (f"\t<item>\n\t\t<title>{escape(post.title or '')}</title>\n\t\t<link>{escape(post.link or '')}</link>\n"
            f"\t\t<dc:creator>{cdata('Service communication')}</dc:creator>\n"
            f"\t\t<pubDate>{rfc822(post.created)}</pubDate>\n"
            f"\t\t<category>{cdata('Actualités')}</category>\n"
            f'\t\t<guid isPermaLink="false">{escape(post.id)}</guid>\n'
            f"\t\t<description>{cdata(excerpt)}</description>\n"
            f"\t\t<content:encoded>{cdata(post.text)}</content:encoded>\n"
            f"\t\t<slash:comments>0</slash:comments>\n\t</item>\n")
