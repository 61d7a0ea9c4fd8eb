"""The demo's world: accounts, posts, ids, the calendar and the random draws, all from one seed.

A :class:`World` is filled by the planners (``blog.py``, ``accounts.py``, ``crowd.py``) and read
by the writers (one per export format). Nothing here writes a file. Times are UTC datetimes; the
fictional organizations live in Europe/Paris, so working hours are drawn in local time.
"""

from __future__ import annotations

import itertools
import math
import random
import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from .texts import Texts

__all__ = ["END", "RSS_END", "RSS_START", "START", "TZ", "Account", "Post", "World", "local"]

TZ = ZoneInfo("Europe/Paris")
YEAR = 2024


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Kerbrat, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


START = local(YEAR, 1, 1)
END = local(YEAR + 1, 1, 1)
"""The collection ends at midnight on New Year's Eve: nothing after it is in any export."""
RSS_START = local(YEAR, 3, 11)
RSS_END = local(YEAR, 7, 1)
"""The organization's "RSS-fed period": its community manager is away, dlvr.it posts the blog."""
TWITTER_EPOCH_MS = 1288834974657

HOURS: dict[str, tuple[Sequence[float], Sequence[float]]] = {
    # weights per local hour 0..23, and per weekday Monday..Sunday
    "office": ([0] * 8 + [3, 6, 6, 5, 2, 3, 6, 6, 5, 3, 1] + [0] * 5, [1, 1, 1, 1, 1, 0.25, 0.05]),
    "people": ([1, 0.5, 0.2, 0.1, 0.1, 0.2, 0.6, 2, 4, 5, 5, 5, 7, 6, 5, 5, 5, 6, 7, 8, 8, 7, 5, 3],
               [1, 1, 1, 1, 1, 1.2, 1.1]),
    "evening": ([0] * 7 + [1, 2, 3, 3, 3, 4, 4, 3, 3, 4, 5, 6, 6, 5, 4, 2, 0], [1, 1, 1, 1, 1, 1.3, 1.2]),
}


@dataclass(frozen=True)
class Account:
    """An author: an audited organization, a person, or an outside account (a partner, a town hall)."""

    key: str
    platform: str
    handle: str
    """X: screen name; Mastodon: ``user@host``; blog: the commenter's name or the site host."""
    name: str
    id: str
    description: str = ""
    created: datetime = START - timedelta(days=2000)
    first: str = ""
    """A person's first name, for answers that greet them."""

    @property
    def user(self) -> str:
        """The part before ``@host`` (Mastodon), else the handle."""
        return self.handle.split("@", 1)[0]

    @property
    def host(self) -> str:
        return self.handle.split("@", 1)[1] if "@" in self.handle else ""


@dataclass(eq=False)
class Post:
    """One post in the world. ``external`` posts are referred to but written to no export."""

    platform: str
    id: str
    author: Account
    created: datetime
    text: str
    kind: str = "original"
    reply_to: Post | None = None
    quote_of: Post | None = None
    repost_of: Post | None = None
    addressed: Account | None = None
    """X: a tweet that starts with ``@account`` without answering a tweet of it."""
    mentions: list[Account] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    """``photo``, ``video`` or ``animated_gif``."""
    source: str | None = None
    title: str | None = None
    link: str | None = None
    """Blog posts: the permalink."""
    intent: str | None = None
    """Requests: ``question``, ``complaint``, ``thanks``, ``suggestion``, ``audience``, ``followup``."""
    visibility: str = "public"
    external: bool = False
    likes: int = 0
    reposts: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Post:
        post = self
        while post.reply_to is not None:
            post = post.reply_to
        return post


class World:
    """The random draws, the ids and the posts of one demo."""

    def __init__(self, lang: str, scale: float, seed: int) -> None:
        self.lang, self.scale, self.seed = lang, scale, seed
        self.rng = random.Random(seed)
        self.texts = Texts(lang, self.rng)
        self.posts: list[Post] = []
        self.accounts: dict[str, Account] = {}
        self.people: dict[str, list[Account]] = {}
        self.skips: dict[str, int] = {}
        self._ids: set[str] = set()
        self._counters: dict[str, int] = {}
        self._days: dict[tuple[datetime, datetime, str], tuple[list[date], list[float]]] = {}
        self._by_author: dict[str, list[Post]] = {}

    # --- volumes ------------------------------------------------------------------------------

    def count(self, per_year: float, minimum: int = 0) -> int:
        """A designed yearly volume times the scale, rounded; at least ``minimum``."""
        return max(minimum, round(per_year * self.scale))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[Account]) -> Account:
        return items[self.rng.randrange(len(items))]

    def skip(self, reason: str, n: int = 1) -> None:
        """Record a record that the importers are expected to skip and count."""
        self.skips[reason] = self.skips.get(reason, 0) + n

    # --- time ---------------------------------------------------------------------------------

    def moment(self, start: datetime, end: datetime, profile: str = "office") -> datetime:
        """A time in [start, end) drawn from a profile of local hours and weekdays."""
        days, weights = self._calendar(start, end, profile)
        for _ in range(50):
            day = self.rng.choices(days, cum_weights=weights)[0]
            hour = self.rng.choices(range(24), HOURS[profile][0])[0]
            when = datetime(day.year, day.month, day.day, hour, self.rng.randrange(60),
                            self.rng.randrange(60), tzinfo=TZ).astimezone(UTC)
            if start <= when < end:
                return when
        return start + (end - start) * self.rng.random()

    def _calendar(self, start: datetime, end: datetime, profile: str) -> tuple[list[date], list[float]]:
        """The days from ``start`` to ``end`` and their cumulative weights (computed once)."""
        key = (start, end, profile)
        if key not in self._days:
            first = start.astimezone(TZ).date()
            days = [first + timedelta(days=i) for i in range((end - start).days + 2)]
            self._days[key] = days, list(itertools.accumulate(HOURS[profile][1][d.weekday()] for d in days))
        return self._days[key]

    def moments(self, n: int, start: datetime, end: datetime, profile: str = "office") -> list[datetime]:
        return sorted(self.moment(start, end, profile) for _ in range(n))

    def spread(self, per_year: float, profile: str = "office", *, rss: float = 1.0,
               start: datetime = START, end: datetime = END) -> list[datetime]:
        """Times for a yearly volume; ``rss`` multiplies the rate inside the RSS-fed period."""
        year = (END - START).total_seconds()
        times: list[datetime] = []
        for lo, hi, factor in ((start, RSS_START, 1.0), (RSS_START, RSS_END, rss), (RSS_END, end, 1.0)):
            lo, hi = max(lo, start), min(hi, end)
            if hi > lo:
                share = (hi - lo).total_seconds() / year
                times += self.moments(self.count(per_year * share * factor), lo, hi, profile)
        return sorted(times)

    def delay(self, median_minutes: float, sigma: float = 0.9) -> timedelta:
        """A log-normal delay: most are near the median, a few much longer."""
        return timedelta(minutes=self.rng.lognormvariate(math.log(median_minutes), sigma))

    # --- ids ----------------------------------------------------------------------------------

    def snowflake(self, when: datetime) -> str:
        """An X id for a tweet posted at ``when`` (ids grow with time, as on X)."""
        ms = int(when.timestamp() * 1000) - TWITTER_EPOCH_MS
        return self._unique(lambda: str((ms << 22) | self.rng.randrange(1 << 22)))

    def mastodon_id(self, when: datetime) -> str:
        """A Mastodon status id: milliseconds shifted by 16 bits, plus a sequence."""
        return self._unique(lambda: str((int(when.timestamp() * 1000) << 16) | self.rng.randrange(1 << 16)))

    def number(self, digits: int) -> str:
        return self._unique(lambda: str(self.rng.randrange(10 ** (digits - 1), 10**digits)))

    def next(self, name: str, start: int = 1, step: int = 1) -> int:
        """The next number of a named sequence (WordPress post and comment ids)."""
        value = self._counters.get(name, start - step) + step
        self._counters[name] = value
        return value

    def code(self, n: int = 10) -> str:
        return "".join(self.rng.choices(string.ascii_letters + string.digits, k=n))

    def _unique(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self._ids:
                self._ids.add(value)
                return value

    # --- posts --------------------------------------------------------------------------------

    def add(self, post: Post) -> Post | None:
        """Keep ``post`` in the world, unless it would come after the collection ended."""
        if post.created >= END and not post.external:
            return None
        self.posts.append(post)
        self._by_author.setdefault(post.author.key, []).append(post)
        return post

    def by(self, account: Account, kinds: Sequence[str] = ()) -> Iterator[Post]:
        return (p for p in self._by_author.get(account.key, []) if not kinds or p.kind in kinds)


def ascii_handle(*parts: str) -> str:
    """An X-style handle from names: ASCII letters, digits and underscores."""
    text = "_".join(parts)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain if c.isalnum() or c == "_")
