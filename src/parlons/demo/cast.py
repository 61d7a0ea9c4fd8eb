"""Who is in the demo: the audited organization (X, Mastodon, blog), its two peers, partners, people.

The organization converses a little (it answers about half of what it is asked), its first peer
converses well, its second peer broadcasts. Handles and sites are the same in both languages; the
display names and biographies are translated. Every host is under the reserved ``.example`` TLD.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .world import Account, World, ascii_handle

__all__ = [
    "INSTANCES",
    "ORG_BLOG",
    "ORG_MASTODON",
    "ORG_SITE",
    "ORG_X",
    "PEER1_SITE",
    "PEER1_X",
    "PEER2_BLOG",
    "PEER2_SITE",
    "PEER2_X",
    "cast",
]

ORG_X = "MediasKerbrat"
PEER1_X = "MediaPlouvenec"
PEER2_X = "BibMorvezen"
ORG_SITE = "https://mediatheques.kerbrat.example"
ORG_BLOG = "mediatheques.kerbrat.example"
ORG_INSTANCE = "social.kerbrat.example"
ORG_MASTODON = f"mediatheques@{ORG_INSTANCE}"
PEER1_SITE = "https://mediatheque.plouvenec.example"
PEER2_SITE = "https://bibliotheques.morvezen.example"
PEER2_BLOG = "bibliotheques.morvezen.example"
INSTANCES = ("piaille.example", "mastodon.example", "toot.bzh.example", ORG_INSTANCE)
FEDI_ORGS = (("ville", ORG_INSTANCE, "fedi_ville"), ("lirebzh", "toot.bzh.example", "fedi_lire"),
             ("librairievague", "piaille.example", "fedi_vague"))


def cast(world: World) -> None:
    """Create every account of the demo in ``world``."""
    _organizations(world)
    _partners(world)
    world.people["x"] = _people(world, "x", world.count(220, minimum=40))
    world.people["mastodon"] = _people(world, "mastodon", world.count(60, minimum=12))
    world.people["blog"] = _people(world, "blog", world.count(120, minimum=20))


def _organizations(world: World) -> None:
    t = world.texts
    organizations = (
        Account("org", "x", ORG_X, t.name("org"), "1957302846", t.name("org_bio"), _date(2013, 9, 3)),
        Account("org_mastodon", "mastodon", ORG_MASTODON, t.name("org"),
                f"https://{ORG_INSTANCE}/users/mediatheques", t.name("org_bio"), _date(2022, 11, 14)),
        Account("org_blog", "blog", ORG_BLOG, t.name("org_blog_title"), "1", t.name("org_blog_description")),
        Account("peer1", "x", PEER1_X, t.name("peer1"), "2284619035", t.name("peer1_bio"), _date(2014, 1, 20)),
        Account("peer2", "x", PEER2_X, t.name("peer2"), "3318740562", t.name("peer2_bio"), _date(2015, 6, 2)),
        Account("peer2_blog", "blog", PEER2_BLOG, t.name("peer2_blog_title"), "",
                t.name("peer2_blog_description")),
    )
    for account in organizations:
        world.accounts[account.key] = account


def _partners(world: World) -> None:
    for index, partner in enumerate(world.texts.data["partners"]):
        key = f"partner{index}"
        world.accounts[key] = Account(key, "x", partner["handle"], partner["name"], world.number(9))
    for user, host, key in FEDI_ORGS:
        world.accounts[key] = Account(key, "mastodon", f"{user}@{host}", user, f"https://{host}/users/{user}")


def _people(world: World, platform: str, n: int) -> list[Account]:
    vocab, seen = world.texts.vocab, set[str]()
    people: list[Account] = []
    while len(people) < n:
        first, last = world.rng.choice(vocab["first"]), world.rng.choice(vocab["last"])
        handle = _handle(world, first, last, platform)
        if handle.lower() in seen:
            continue
        seen.add(handle.lower())
        name = f"{first} {last}" if world.chance(0.6) else first
        ident = world.number(world.rng.choice((8, 9, 10, 19)))
        if platform == "mastodon":
            ident = f"https://{handle.split('@')[1]}/users/{handle.split('@')[0]}"
        created = datetime(world.rng.randint(2009, 2023), world.rng.randint(1, 12), world.rng.randint(1, 28),
                           world.rng.randint(0, 23), tzinfo=UTC)
        people.append(Account(f"{platform}:{handle}", platform, handle, name, ident, "", created, first))
    return people


def _handle(world: World, first: str, last: str, platform: str) -> str:
    forms = (ascii_handle(first, last), ascii_handle(first + last), ascii_handle(first) + str(world.rng.randint(1, 99)),
             ascii_handle(first, last[:1]), ascii_handle(last, first[:1]) + str(world.rng.randint(10, 99)))
    handle = world.rng.choice(forms)[:15]
    if platform == "x":
        return handle if world.chance(0.5) else handle.lower()
    if platform == "mastodon":
        return f"{handle.lower()}@{world.rng.choice(INSTANCES)}"
    return f"{first} {last[:1]}." if world.chance(0.5) else first


def _date(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=UTC)
