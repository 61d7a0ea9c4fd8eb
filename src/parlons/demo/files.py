"""Small helpers shared by the demo's writers: deterministic zips, times, accounts by handle."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from .world import Account, Post

__all__ = ["EXPORTED", "accounts_by_handle", "iso", "iso_ms", "write_zip"]

EXPORTED = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
"""When the exports were made (the morning after the collection ended)."""


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip whose bytes depend only on ``members`` (fixed dates, sorted names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=EXPORTED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    return path


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def accounts_by_handle(accounts: Iterable[Account], posts: Iterable[Post]) -> dict[str, Account]:
    """X accounts by lower-case handle: the organizations, partners and every author of a post."""
    found = {a.handle.lower(): a for a in accounts if a.platform == "x"}
    found.update({p.author.handle.lower(): p.author for p in posts if p.platform == "x"})
    return found
