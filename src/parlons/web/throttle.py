"""A fixed-window counter in Django's cache (shared by every process through the file cache)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

__all__ = ["Throttle"]


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window: int
    """seconds"""

    def _key(self, who: str) -> str:
        return f"throttle:{self.scope}:{who}"

    def blocked(self, who: str) -> bool:
        return int(cache.get(self._key(who), 0)) >= self.limit

    def hit(self, who: str) -> None:
        key = self._key(who)
        if not cache.add(key, 1, self.window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, self.window)

    def allow(self, who: str) -> bool:
        """Count one more attempt; False when the limit was already reached."""
        if self.blocked(who):
            return False
        self.hit(who)
        return True

    def reset(self, who: str) -> None:
        cache.delete(self._key(who))
