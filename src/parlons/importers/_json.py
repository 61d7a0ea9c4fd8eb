"""JSON nesting bounded before a parser sees a record.

Recursive parsers (DuckDB's, orjson) and streaming ones (ijson builds a path for every event, so
its memory grows with the square of the depth) must never see a value nested deeper than any real
export nests. :func:`too_deep` checks one record's bytes in time proportional to their size;
:func:`stream_items` streams the items of an array inside a document with ijson's low-level events,
counting the depth as it goes, and refuses the document at the first level too many.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

import ijson

__all__ = ["MAX_NESTING", "TooDeep", "stream_items", "too_deep"]

MAX_NESTING = 64
"""The deepest nesting of arrays and objects read. Real exports nest fewer than 12 levels."""

STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
SAME_BRACKETS = bytes.maketrans(b"{}", b"[]")


class TooDeep(ValueError):
    """A JSON value nests arrays and objects deeper than :data:`MAX_NESTING`."""


def too_deep(data: bytes, limit: int = MAX_NESTING) -> bool:
    """Whether the JSON text ``data`` nests arrays and objects deeper than ``limit``.

    Strings are removed first (brackets inside them do not count), then innermost pairs of
    brackets are removed, one level per pass: at most ``limit + 1`` passes over the bytes.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    brackets = STRING.sub(b"", data).translate(SAME_BRACKETS, NOT_BRACKETS)
    for _ in range(limit):
        reduced = brackets.replace(b"[]", b"")
        if reduced == brackets:
            return False
        brackets = reduced
    return b"[]" in brackets


def stream_items(stream: IO[bytes], path: tuple[str, ...], backend: Any,
                 limit: int = MAX_NESTING) -> Iterator[Any]:
    """The items of the array at ``path`` (object keys from the top), each built as Python values.

    Raises :class:`TooDeep` as soon as the document nests deeper than ``limit``, before building
    anything at that depth; ijson's own errors pass through. Memory is bounded by the largest item.
    """
    walk = _Walk(path, limit)
    builder: Any = None
    for event, value in backend.basic_parse(stream, use_float=True):
        walk.step(event)
        if builder is not None:
            builder.event(event, value)
            if walk.closing and walk.depth == walk.items + 1:
                yield builder.value
                builder = None
        elif walk.opening and walk.depth == walk.items + 1 and walk.in_items():
            builder = ijson.ObjectBuilder()
            builder.event(event, value)
        elif event == "map_key":
            walk.keys[walk.depth] = value
        elif not walk.opening and not walk.closing and walk.depth == walk.items and walk.in_items():
            yield value


class _Walk:
    """Where a stream of ijson events is: depth, keys of the open objects, which levels are arrays."""

    def __init__(self, path: tuple[str, ...], limit: int) -> None:
        self.path, self.limit, self.items = path, limit, len(path) + 1
        self.depth, self.opening, self.closing = 0, False, False
        self.keys: list[str | None] = [None] * (limit + 2)
        self.arrays = [False] * (limit + 2)

    def step(self, event: str) -> None:
        if self.closing:
            self.depth -= 1
        self.opening = event in ("start_map", "start_array")
        self.closing = event in ("end_map", "end_array")
        if self.opening:
            self.depth += 1
            if self.depth > self.limit:
                raise TooDeep(f"nested deeper than {self.limit} levels")
            self.arrays[self.depth] = event == "start_array"

    def in_items(self) -> bool:
        """Whether the array open at depth ``items`` is the one at ``path``."""
        return self.arrays[self.items] and tuple(self.keys[1:self.items]) == self.path
