"""Which time zone a person expects: the one given, else the plan's, else the machine's.

A report about a town hall in Brest reads its times in Europe/Paris, not UTC. The audit and the
report take ``--timezone`` when given, else the ``timezone`` of the plan (``--plan``), else the
machine's zone (``TZ``, then ``/etc/localtime``, then ``/etc/timezone``), else UTC; and the report
says which. Zones are IANA names (``Europe/Paris``); a wrong name is a usage error that says so.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import UsageError

__all__ = ["Zone", "choose_timezone", "is_timezone", "machine_timezone"]

LOCALTIME = Path("/etc/localtime")
TIMEZONE_FILE = Path("/etc/timezone")
UTC_ALIASES = {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "Etc/GMT", "UCT", "Universal", "Zulu", "GMT"}


@dataclass(frozen=True)
class Zone:
    """A time zone and where it was taken from: ``option``, ``plan``, ``machine`` or ``default``."""

    name: str
    source: str


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows."""
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def machine_timezone(environ: Mapping[str, str] | None = None, localtime: Path = LOCALTIME,
                     timezone_file: Path = TIMEZONE_FILE) -> str | None:
    """The machine's zone: ``TZ`` (a zone name), else where ``/etc/localtime`` points, else ``/etc/timezone``."""
    env = os.environ if environ is None else environ
    candidates = [env.get("TZ", "").lstrip(":")]
    try:
        target = str(localtime.resolve()) if localtime.is_symlink() else ""
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError, IndexError, UnicodeDecodeError):
        candidates.append(timezone_file.read_text(encoding="utf-8").strip().splitlines()[0])
    found = next((c for c in candidates if is_timezone(c)), None)
    return "UTC" if found in UTC_ALIASES else found


def choose_timezone(option: str | None, plan: str | None = None, machine: str | None = None) -> Zone:
    """The zone given, else the plan's, else the machine's (detected when not passed), else UTC."""
    if option:
        if not is_timezone(option):
            close = sorted(z for z in available_timezones() if z.lower().endswith(option.lower().split("/")[-1]))
            hint = f"; did you mean {', '.join(close[:3])}?" if close else " such as Europe/Paris"
            raise UsageError(f"unknown time zone {option!r}: give an IANA name{hint}")
        return Zone(option, "option")
    if plan and is_timezone(plan):
        return Zone(plan, "plan")
    found = machine if machine is not None else machine_timezone()
    return Zone(found, "machine") if found else Zone("UTC", "default")
