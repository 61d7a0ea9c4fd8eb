"""What the audit should find in the demo, computed from the plan itself (not from the store).

This re-states the metric dictionary's definitions over the generator's own posts, so that a test
can compare the audit of the imported exports with what was designed: requests, answered,
pending; automated posts; posts per kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .world import Account, Post

__all__ = ["Responsiveness", "automated", "imported", "own_span", "responsiveness"]


def imported(posts: Iterable[Post]) -> list[Post]:
    """The posts that end up in the store: written to an export and not skipped by an importer."""
    return [p for p in posts if not p.external and p.visibility == "public"]


@dataclass(frozen=True)
class Responsiveness:
    requests: int
    answered: int
    pending: int

    @property
    def settled(self) -> int:
        return self.requests - self.pending

    @property
    def answered_share(self) -> float:
        return self.answered / self.settled


def own_span(posts: Sequence[Post], members: Sequence[Account]) -> tuple[datetime, datetime]:
    """The first and last post by ``members`` or addressed to them: their own period."""
    kept = imported(posts)
    platforms = {m.platform for m in members}
    times = [x.created for x in kept if x.author in members or (x.platform in platforms and _is_request(x, members))]
    return min(times), max(times)


def responsiveness(posts: Sequence[Post], members: Sequence[Account],
                   pending: timedelta = timedelta(hours=24), *, period: tuple[datetime, datetime] | None = None,
                   ends: dict[str, datetime] | None = None) -> Responsiveness:
    """Requests to ``members`` (one organization) in ``period``, answered ones and pending ones, as defined.

    ``ends`` gives, per platform, the end of the data that could hold the members' answers (default:
    the last post on the platform).
    """
    kept = imported(posts)
    platforms = {m.platform for m in members}
    ends = ends or {p: max(x.created for x in kept if x.platform == p) for p in platforms}
    since, until = period or own_span(posts, members)
    answered_ids = {id(x.reply_to) for x in kept if x.author in members and x.reply_to is not None}
    requests = [x for x in kept if x.platform in platforms and _is_request(x, members) and since <= x.created <= until]
    answered = [x for x in requests if id(x) in answered_ids]
    waiting = [x for x in requests if id(x) not in answered_ids and x.created > ends[x.platform] - pending]
    return Responsiveness(len(requests), len(answered), len(waiting))


def _is_request(post: Post, members: Sequence[Account]) -> bool:
    if post.author in members or post.kind == "repost":
        return False
    parent = post.reply_to.author if post.reply_to is not None else None
    return parent in members or post.addressed in members or any(m in members for m in post.mentions)


def automated(posts: Sequence[Post], author: Account, period: tuple[datetime, datetime] | None = None) -> int:
    """Posts of ``author`` made by an automation client (dlvr.it, IFTTT), in ``period`` when given."""
    since, until = period or (datetime.min.replace(tzinfo=None), datetime.max.replace(tzinfo=None))
    return sum(1 for p in imported(posts) if p.author is author and p.extra.get("category") == "auto"
               and (period is None or since <= p.created <= until))
