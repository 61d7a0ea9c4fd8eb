"""A realistic synthetic dataset for ``parlons demo``, written in the real export formats.

A fictional library network, the *Médiathèques de Kerbrat* (X, Mastodon, a WordPress blog), and
two peers over the year 2024: the *Médiathèque de Plouvenec*, which converses, and the
*Bibliothèques de Morvézen*, which broadcasts its blog through IFTTT. The exports are what each
party really holds or can collect: the organization's X archive and Mastodon archive, its blog's
WXR export, the second peer's public RSS feed, and twarc2 collections (flattened) of the mentions
of all three accounts and of the peers' timelines. Every file goes through the real importers.

Everything derives from one seed: the same ``(lang, scale, seed)`` gives the same bytes. ``scale``
multiplies the yearly volumes (1.0: a few thousand posts). :func:`plan_demo` gives the plan (the
posts before they are written) so that tests can compute what the audit must find
(``expected.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .blog import org_blog, peer2_blog
from .cast import ORG_BLOG, ORG_MASTODON, ORG_X, PEER1_X, PEER2_BLOG, PEER2_X, cast
from .crowd import conversations
from .feed import write_feed
from .mastodon import write_mastodon
from .timelines import org_mastodon, org_x, peer1_x, peer2_x
from .twarc import collections, write_twarc
from .wordpress import write_wordpress
from .world import World
from .x_archive import write_x_archive

__all__ = [
    "DEMO_ACCOUNTS",
    "ORG_BLOG",
    "ORG_MASTODON",
    "ORG_X",
    "PEER1_X",
    "PEER2_BLOG",
    "PEER2_X",
    "Demo",
    "DemoAccounts",
    "build_demo",
    "plan_demo",
    "write_demo",
]

ORG_MASTODON_HANDLE = "@" + ORG_MASTODON


@dataclass(frozen=True)
class DemoAccounts:
    """Who the demo audits, as ``run_audit`` takes it: the organization's X account, its other accounts
    audited with it (Mastodon, the blog), and its two peers on X."""

    account: str
    together: tuple[str, ...]
    peers: tuple[str, ...]


DEMO_ACCOUNTS = DemoAccounts(ORG_X, (ORG_MASTODON_HANDLE, ORG_BLOG), (PEER1_X, PEER2_X))
"""The demo's audited account, its other accounts and its peers (``parlons.DEMO_ACCOUNTS``)."""


@dataclass(frozen=True)
class Demo:
    """A planned demo: its world (accounts and posts) and what importing it should skip."""

    lang: str
    scale: float
    seed: int
    world: World

    @property
    def name(self) -> str:
        """The organization's name, in the demo's language."""
        return self.world.texts.name("org")

    @property
    def skips(self) -> dict[str, int]:
        """Records the importers skip and count, by reason (drafts, attachments, direct messages...)."""
        return dict(self.world.skips)

    @property
    def repeated(self) -> int:
        """Tweets present in more than one export (the same id; the store keeps the first)."""
        x_owner = [p for p in self.world.posts if p.author is self.world.accounts["org"] and not p.external]
        files = [x_owner, *(c.posts for c in collections(self.world))]
        ids = [id(p) for posts in files for p in posts]
        return len(ids) - len(set(ids))


def plan_demo(lang: str = "fr", scale: float = 1.0, seed: int = 7) -> Demo:
    """The demo's world, planned in order: accounts, blogs, own posts, then what people say."""
    world = World(lang, scale, seed)
    cast(world)
    org_blog(world)
    peer2_blog(world)
    peer1_x(world)
    peer2_x(world)
    org_x(world)
    org_mastodon(world)
    conversations(world)
    return Demo(lang, scale, seed, world)


def write_demo(demo: Demo, folder: Path) -> list[Path]:
    """Write every export of ``demo`` into ``folder``; return the paths to import, archive first."""
    world = demo.world
    return [
        write_x_archive(world, world.accounts["org"], folder),
        write_mastodon(world, world.accounts["org_mastodon"], folder),
        write_wordpress(world, folder),
        write_feed(world, folder),
        *write_twarc(world, folder),
    ]


def build_demo(folder: Path, *, lang: str = "fr", scale: float = 1.0, seed: int = 7) -> list[Path]:
    """Plan and write the demo's exports into ``folder``; return the export paths written."""
    return write_demo(plan_demo(lang, scale, seed), Path(folder))
