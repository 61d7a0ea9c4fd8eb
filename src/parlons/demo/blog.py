"""The two blogs: the organization's (WordPress, with readers' comments) and its second peer's feed.

The organization's blog publishes more during the RSS-fed period (its X account then posts each
title automatically). Readers comment: questions, thanks, replies to one another; the library
answers most questions, less often while its community manager is away. The WXR export also holds
what WordPress exports besides posts (attachments, menu entries, a draft, pingbacks): the importer
skips those, and the plan counts them.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from .cast import ORG_SITE, PEER2_SITE
from .crowd import answer_time
from .world import RSS_END, RSS_START, TZ, Account, Post, World, local

__all__ = ["NAV_ITEMS", "org_blog", "peer2_blog", "slug"]

COMMENT_KINDS = ("question", "thanks", "reader")
COMMENT_WEIGHTS = (0.45, 0.35, 0.2)
NAV_ITEMS = 3
SKIP_ATTACHMENT = "WordPress item of type attachment (not a post or page)"


def slug(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60]


def org_blog(world: World) -> None:
    """The organization's blog posts, pages and comments, and what the export adds around them."""
    site = world.accounts["org_blog"]
    for (title, body), when in zip(world.texts.bank("org.pages"), _pages_dates(), strict=False):
        _article(world, site, when, title, world.texts.fill(body, site=ORG_SITE), page=True)
    titles: set[str] = set()
    for when in world.spread(62, "office", rss=2.2):
        title, body = world.texts.pair("org.blog", titles, when=when, site=ORG_SITE)
        post = _article(world, site, when, title, body)
        if world.chance(0.5):
            post.media.append("photo")
            post.extra["attachment"] = str(world.next("wp_post", 12))
            world.skip(SKIP_ATTACHMENT)
        _comments(world, post, site)
    _extras(world)


def _pages_dates() -> list[datetime]:
    """The new website went live on the first working day of the year: its pages date from then."""
    return [local(2024, 1, 2, 9, 0), local(2024, 1, 2, 9, 20), local(2024, 1, 2, 9, 40)]


def _article(world: World, site: Account, when: datetime, title: str, body: str, page: bool = False) -> Post:
    number = world.next("wp_post", 12)
    path = slug(title) if page else f"{when.astimezone(TZ):%Y/%m}/{slug(title)}"
    query = f"?page_id={number}" if page else f"?p={number}"
    post = Post("blog", f"{ORG_SITE}/{query}", site, when, body, title=title, link=f"{ORG_SITE}/{path}/",
                extra={"wp_id": str(number), "wp_type": "page" if page else "post"})
    world.add(post)
    return post


def _comments(world: World, post: Post, site: Account) -> None:
    n = world.rng.choices(range(7), [30, 22, 18, 12, 9, 6, 3])[0]
    earlier: list[Post] = []
    for when in sorted(post.created + world.delay(60 * 20, 1.2) for _ in range(n)):
        kind = world.rng.choices(COMMENT_KINDS, COMMENT_WEIGHTS)[0]
        parent = world.rng.choice(earlier) if kind == "reader" and earlier else post
        comment = _comment(world, post, world.pick(world.people["blog"]), when, parent, kind)
        if comment is None:
            continue
        earlier.append(comment)
        if comment.intent != "reader":
            _library_answer(world, post, comment, site)


def _comment(world: World, post: Post, visitor: Account, when: datetime, parent: Post, kind: str) -> Post | None:
    t = world.texts
    if kind == "reader" and parent is not post:
        text, core = t.choose("org.comment_reader"), ""
    else:
        kind = "question" if kind == "question" else "thanks"
        text, core = t.pair(f"org.comment_{kind}")
    return _numbered(world, post, Post("blog", "", visitor, when, text, kind="comment", reply_to=parent,
                                       intent=kind, extra={"core": core}))


def _numbered(world: World, post: Post, comment: Post) -> Post | None:
    number = world.next("wp_comment", 3, world.rng.randint(1, 4))
    comment.id = f"{post.id}#comment-{number}"
    comment.extra["wp_comment_id"] = str(number)
    comment.link = f"{post.link}#comment-{number}"
    return world.add(comment)


def _library_answer(world: World, post: Post, comment: Post, site: Account) -> None:
    p = 0.72 if comment.intent == "question" else 0.35
    if RSS_START <= comment.created < RSS_END:
        p *= 0.4
    if not world.chance(p):
        return
    when = answer_time(world, comment.created, 90 if comment.intent == "question" else 240, slow=0.15)
    visitor = comment.author
    text = world.texts.fill(world.texts.name("org_answer"), first=visitor.first, core=comment.extra["core"])
    staff = "2" if world.chance(0.6) else "1"
    answer = _numbered(world, post, Post("blog", "", site, when, text, kind="comment", reply_to=comment,
                                         extra={"wp_user": staff}))
    if answer is not None and world.chance(0.15):
        thanks = Post("blog", "", visitor, answer.created + world.delay(90), world.texts.choose("request.followup"),
                      kind="comment", reply_to=answer, intent="followup")
        _numbered(world, post, thanks)


def _extras(world: World) -> None:
    """A draft, menu entries and pingbacks: exported by WordPress, skipped by the importer."""
    world.skip("post with status draft (not published)")
    world.skip("WordPress item of type nav_menu_item (not a post or page)", NAV_ITEMS)
    posts = [p for p in world.posts if p.platform == "blog" and p.extra.get("wp_type") == "post"]
    for post in world.rng.sample(posts, min(2, len(posts))):
        post.extra["pingback"] = str(world.next("wp_comment", 3, 2))
        world.skip("pingback (a link from another site, not an audience comment)")


def peer2_blog(world: World) -> None:
    """The second peer's blog, as its public RSS feed shows it (set to list the whole year)."""
    site = world.accounts["peer2_blog"]
    titles: set[str] = set()
    for index, when in enumerate(world.spread(104, "office")):
        title, body = world.texts.pair("peer2.blog", titles, when=when)
        number = 2000 + index * 4
        world.add(Post("blog", f"{PEER2_SITE}/?p={number}", site, when, body, title=title,
                       link=f"{PEER2_SITE}/actualites/{slug(title)}-{number}/", extra={"wp_id": str(number)}))
