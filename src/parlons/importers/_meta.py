"""Helpers for Meta's "Download Your Information" JSON exports (Facebook, Instagram).

The files are small JSON documents read whole (:func:`load_json`), holding their records either as
a top-level array or under a key that changes between export generations (:func:`records`), with
times in epoch seconds (:func:`epoch`). Every string is UTF-8 whose bytes were escaped one by one
(``\\u00c3\\u00a9`` for ``é``): :func:`repaired` undoes that throughout a parsed document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

import orjson

from ..normalize import repair_mojibake
from ..sources import Member

__all__ = ["epoch", "load_json", "owner_file", "records", "repaired"]


def load_json(member: Member) -> Any:
    """The member parsed as JSON; an :class:`InputError` naming it when it is not valid JSON."""
    text = member.read_text()
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise member.error(f"is not valid JSON ({exc}); the file may be truncated: "
                           "download the export again") from None


def repaired(value: Any) -> Any:
    """``value`` with every string (keys too) repaired with :func:`repair_mojibake`."""
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [repaired(item) for item in value]
    if isinstance(value, dict):
        return {repair_mojibake(key): repaired(item) for key, item in value.items()}
    return value


def records(member: Member, data: Any, keys: Sequence[str]) -> list[Any]:
    """The list of records: ``data`` itself, or its first list under one of ``keys``."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return list(data[key])
    raise member.error("expected a JSON array of records or an object holding one under "
                       + ", ".join(f"`{k}`" for k in keys))


def epoch(value: Any) -> datetime | None:
    """A UTC time from epoch seconds (int, float or digits); None when missing or zero."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def owner_file(member: Member, name: str, head: re.Pattern[str]) -> Member | None:
    """The export's owner file ``name`` beside ``member``: the shallowest whose start matches ``head``.

    An export can hold other files of that name (one Meta export also holds Threads, with its own
    ``threads/personal_information.json``): files under a ``threads`` folder, or whose content is
    not the expected shape, are not the owner's.
    """
    found = [m for m in member.source.members if m.basename.lower() == name
             and "threads" not in (part.lower() for part in PurePosixPath(m.name).parts[:-1])
             and head.match(m.head_text(200))]
    return min(found, key=lambda m: m.name.count("/")) if found else None
