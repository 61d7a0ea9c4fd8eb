"""What the three organizations post themselves (their answers to people are in ``crowd.py``).

- The organization, on X: events, news, calls to action, some questions to its audience, thanks,
  some "langue de bois"; threads; reposts and quotes of partners and of its first peer; its blog
  posts announced by hand, except during the RSS-fed period when dlvr.it posts every blog title
  with its link. About 60 % of its hand-made posts are copied to Mastodon a few minutes later.
- The organization, on Mastodon: those copies, its own posts, boosts, answers to people of the
  fediverse and two direct messages (which the importer leaves out).
- Its first peer: many questions to its audience, thanks, threads, mentions of the organization.
- Its second peer: its blog titles posted by IFTTT, a few stiff posts of its own, reposts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .cast import ORG_INSTANCE, ORG_SITE, ORG_X, PEER1_SITE, PEER1_X, PEER2_SITE
from .world import END, RSS_END, RSS_START, START, Account, Post, World

__all__ = ["in_rss_period", "link", "org_mastodon", "org_x", "peer1_x", "peer2_x", "toot", "tweet"]

ORG_MIX = {"info": 0.42, "action": 0.22, "question": 0.14, "thanks": 0.10, "jargon": 0.12}
PEER1_MIX = {"info": 0.3, "action": 0.2, "question": 0.3, "thanks": 0.2}
PHOTO_SHARE = {"info": 0.5, "action": 0.55, "question": 0.25, "thanks": 0.65, "jargon": 0.1, "announce": 0.3}
SECTIONS = ("agenda", "actualites", "catalogue", "infos")
ORG_CLIENTS = ("Twitter Web App", "Twitter Web App", "Twitter Web App", "Twitter for iPhone")
AUTO_ORG, AUTO_PEER2 = "dlvr.it", "IFTTT"
DIRECT_MESSAGE = "direct message, not public"


def in_rss_period(when: datetime) -> bool:
    return RSS_START <= when < RSS_END


def link(world: World, site: str) -> str:
    return f"{site}/{world.rng.choice(SECTIONS)}/{world.rng.randint(100, 999)}/"


def status_url(post: Post) -> str:
    return f"https://twitter.com/{post.author.handle}/status/{post.id}"


def tweet(world: World, author: Account, when: datetime, text: str, **fields: Any) -> Post | None:
    """A post on X (kept only if it comes before the end of the collection)."""
    post = Post("x", world.snowflake(when), author, when, text, **fields)
    organization = author.key in world.accounts
    post.likes = world.rng.randint(0, 40 if organization and post.kind == "original" else 4)
    post.reposts = world.rng.randint(0, post.likes // 3 + 1)
    return world.add(post)


def toot(world: World, author: Account, when: datetime, text: str, category: str | None = None,
         **fields: Any) -> Post | None:
    """A status of the organization on Mastodon; its id is its URI, as the importer stores it."""
    number = world.mastodon_id(when)
    uri = f"https://{ORG_INSTANCE}/users/{author.user}/statuses/{number}"
    extra = {"number": number, **({"category": category} if category else {})}
    return world.add(Post("mastodon", uri, author, when, text, extra=extra, **fields))


def outside_rss(world: World, n: int, profile: str = "office") -> list[datetime]:
    """``n`` times of the year outside the RSS-fed period."""
    times: list[datetime] = []
    while len(times) < n:
        when = world.moment(START, END, profile)
        if not in_rss_period(when):
            times.append(when)
    return sorted(times)


def _media(world: World, category: str, video: float = 0.06) -> list[str]:
    if world.chance(PHOTO_SHARE.get(category, 0.4)):
        return ["photo"] * world.rng.choices((1, 2, 3), (6, 2, 1))[0]
    return ["video"] if world.chance(video) else []


def _category(world: World, mix: dict[str, float]) -> str:
    return world.rng.choices(list(mix), list(mix.values()))[0]


# --- the organization on X ----------------------------------------------------------------------

def org_x(world: World) -> None:
    org = world.accounts["org"]
    for when in world.spread(150, "office", rss=0.12):
        category = _category(world, ORG_MIX)
        text = world.texts.choose(f"org.{category}", when=when, link=link(world, ORG_SITE))
        post = tweet(world, org, when, text, media=_media(world, category), source=_client(world),
                     extra={"category": category})
        if post is not None and not in_rss_period(when) and world.chance(0.6):
            _cross_post(world, post)
    _threads(world, org, "org.thread", world.count(8, minimum=1), cross=True)
    _blog_tweets(world, org)
    peer1_posts = [p for p in world.by(world.accounts["peer1"], ("original",))]
    _reposts(world, org, world.spread(60, "office", rss=0.3), peer1_posts)
    _quotes(world, org, "org.quote", world.spread(15, "office", rss=0.3), peer1_posts)
    _mentions(world, org, world.accounts["peer1"], "org.mention_peer", world.count(5, minimum=1), peer=f"@{PEER1_X}")


def _client(world: World) -> str:
    return world.rng.choice(ORG_CLIENTS)


def _source(world: World, author: Account) -> str | None:
    """The client app of a hand-made post: recorded for the organization (its archive says),
    not for the peers (the API stopped giving it)."""
    return _client(world) if author.key == "org" else None


def _cross_post(world: World, post: Post, reply_to: Post | None = None) -> Post | None:
    """The same words on Mastodon, a few minutes later (posted by hand: no crossposter app)."""
    copy = toot(world, world.accounts["org_mastodon"], post.created + world.delay(4, 0.5), post.text,
                media=list(post.media), kind="reply" if reply_to else "original", reply_to=reply_to,
                category=post.extra.get("category"))
    return copy


def _threads(world: World, author: Account, bank: str, n: int, cross: bool = False) -> None:
    bank_items = world.texts.bank(bank)
    order = world.rng.sample(range(len(bank_items)), len(bank_items))
    for number, when in enumerate(outside_rss(world, n) if cross else world.moments(n, START, END)):
        previous: Post | None = None
        copy: Post | None = None
        for index, part in enumerate(bank_items[order[number % len(order)]]):
            text = world.texts.fill(part, when=when)
            fields = {"kind": "reply", "reply_to": previous} if previous else {}
            post = tweet(world, author, when, text, source=_source(world, author),
                         media=_media(world, "info") if index == 0 else [], extra={"category": "thread"}, **fields)
            if post is None:
                break
            if cross:
                copy = _cross_post(world, post, copy) if index == 0 or copy else None
            previous, when = post, when + world.delay(2, 0.4)


def _blog_tweets(world: World, org: Account) -> None:
    """Blog posts on X: by hand now and then, and by dlvr.it, every one, during the RSS-fed period."""
    for article in list(world.by(world.accounts["org_blog"], ("original",))):
        if article.extra.get("wp_type") != "post":
            continue
        if in_rss_period(article.created):
            tweet(world, org, article.created + world.delay(6, 0.4), f"{article.title} {article.link}",
                  source=AUTO_ORG, extra={"category": "auto"})
        elif world.chance(0.45):
            text = world.texts.choose("org.announce", title=article.title, link=article.link)
            post = tweet(world, org, article.created + world.delay(150, 0.6), text, source=_client(world),
                         media=_media(world, "announce"), extra={"category": "announce"})
            if post is not None and world.chance(0.5):
                _cross_post(world, post)


def _partner_post(world: World, when: datetime) -> Post:
    partners = [a for k, a in world.accounts.items() if k.startswith("partner")]
    partner = world.pick(partners)
    index = [p["handle"] for p in world.texts.data["partners"]].index(partner.handle)
    text = world.texts.fill(world.rng.choice(world.texts.data["partners"][index]["texts"]), when=when)
    post = Post("x", world.snowflake(when), partner, when, text, external=True)
    world.add(post)
    return post


def _earlier(world: World, posts: list[Post], when: datetime) -> Post | None:
    before = [p for p in posts if p.created < when]
    return world.rng.choice(before[-15:]) if before else None


def _reposts(world: World, author: Account, times: list[datetime], peers: list[Post]) -> None:
    for when in times:
        target = _earlier(world, peers, when) if peers and world.chance(0.3) else None
        target = target or _partner_post(world, when - world.delay(300))
        tweet(world, author, when, f"RT @{target.author.handle}: {target.text}", kind="repost",
              repost_of=target, mentions=[target.author], source=_source(world, author))


def _quotes(world: World, author: Account, bank: str, times: list[datetime], peers: list[Post],
            **context: str) -> None:
    for when in times:
        target = _earlier(world, peers, when) if peers and world.chance(0.4) else None
        target = target or _partner_post(world, when - world.delay(240))
        text = f"{world.texts.choose(bank, when=when, **context)} {status_url(target)}"
        tweet(world, author, when, text, kind="quote", quote_of=target, extra={"category": "quote"},
              source=_source(world, author))


def _mentions(world: World, author: Account, other: Account, bank: str, n: int, **context: str) -> None:
    for when in world.moments(n, START, END, "office"):
        text = world.texts.choose(bank, when=when, **context)
        tweet(world, author, when, text, mentions=[other], media=_media(world, "thanks"),
              source=_source(world, author), extra={"category": "mention"})


# --- the organization on Mastodon ---------------------------------------------------------------

def org_mastodon(world: World) -> None:
    me = world.accounts["org_mastodon"]
    for when in world.spread(30, "office", rss=0.2):
        text = world.texts.choose("org.mastodon_only", when=when, link=link(world, ORG_SITE))
        toot(world, me, when, text, media=_media(world, "info", 0.03))
    fedi = world.people["mastodon"] + [a for k, a in world.accounts.items() if k.startswith("fedi_")]
    for when in world.spread(40, "office", rss=0.3):
        target = _fedi_status(world, world.pick(fedi), when - world.delay(200), "org.info")
        toot(world, me, when, "", kind="repost", repost_of=target)
    for when in world.spread(35, "people", rss=0.3):
        _fedi_answer(world, me, world.pick(world.people["mastodon"]), when)
    for text in world.texts.bank("org.dm"):
        when = world.moment(RSS_END, END, "office")
        toot(world, me, when, f"@{fedi[-1].user} {text}", mentions=[fedi[-1]], visibility="direct")
        world.skip(DIRECT_MESSAGE)


def _fedi_status(world: World, author: Account, when: datetime, bank: str, text: str | None = None) -> Post:
    number = world.mastodon_id(when)
    uri = f"https://{author.host}/users/{author.user}/statuses/{number}"
    post = Post("mastodon", uri, author, when, text or world.texts.choose(bank, when=when, link=""), external=True)
    world.add(post)
    return post


def _fedi_answer(world: World, me: Account, person: Account, when: datetime) -> None:
    intent = world.rng.choice(("question", "question", "complaint", "thanks", "suggestion"))
    request, core = world.texts.pair(f"request.{intent}", when=when)
    asked = _fedi_status(world, person, when, "", f"@{me.user} {request}")
    asked.mentions = [me]
    answer = world.texts.fill(world.texts.name("org_answer"), first=person.first, core=core)
    toot(world, me, when + world.delay(70, 1.0), f"@{person.user} {answer}", kind="reply", reply_to=asked,
         mentions=[person])


# --- the peers ----------------------------------------------------------------------------------

def peer1_x(world: World) -> None:
    peer = world.accounts["peer1"]
    vocab = world.texts.vocab
    for when in world.spread(160, "office"):
        category = _category(world, PEER1_MIX)
        text = world.texts.choose(f"peer1.{category}", when=when, link=link(world, PEER1_SITE),
                                  branch=world.rng.choice(vocab["branch_peer1"]),
                                  tag=world.rng.choice(vocab["tag_peer1"]))
        tweet(world, peer, when, text, media=_media(world, category, 0.12), extra={"category": category})
    _threads(world, peer, "peer1.thread", world.count(4, minimum=1))
    _reposts(world, peer, world.spread(30, "office"), [])
    _quotes(world, peer, "peer1.quote", world.spread(10, "office"), [])
    _mentions(world, peer, world.accounts["org"], "peer1.mention_org", world.count(6, minimum=1), org=f"@{ORG_X}")


def peer2_x(world: World) -> None:
    peer = world.accounts["peer2"]
    for article in list(world.by(world.accounts["peer2_blog"])):
        tweet(world, peer, article.created + world.delay(3, 0.3), f"{article.title} {article.link}",
              source=AUTO_PEER2, extra={"category": "auto"})
    for when in world.spread(12, "office"):
        text = world.texts.choose("peer2.manual", when=when, link=link(world, PEER2_SITE))
        tweet(world, peer, when, text, media=_media(world, "jargon"), extra={"category": "manual"})
    _reposts(world, peer, world.spread(15, "office"), [])
