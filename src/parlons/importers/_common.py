"""Helpers for row-by-row importers of personal exports that carry no post ids (Facebook, Instagram, LinkedIn).

Such exports belong to one account (:class:`Owner`), name their media by file or URL
(:func:`media_kind`), and give their records no ids, so each row gets a deterministic one
(:func:`stable_id`): importing the same export, or a newer one that overlaps it, adds nothing twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = ["Owner", "media_kind", "stable_id", "text_or_none"]

_EXTENSIONS = {
    "jpg": "image", "jpeg": "image", "png": "image", "webp": "image", "heic": "image", "bmp": "image",
    "gif": "gif", "mp4": "video", "mov": "video", "m4v": "video", "webm": "video",
    "mp3": "audio", "m4a": "audio", "aac": "audio", "wav": "audio", "pdf": "document",
}


@dataclass(frozen=True)
class Owner:
    """The account an export belongs to: its normalized handle and display name."""

    account: str
    name: str | None = None


def stable_id(prefix: str, *parts: str) -> str:
    """A deterministic id for records that have none: ``prefix`` + 24 hex digits of SHA-256 of ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return prefix + digest[:24]


def media_kind(uri: str) -> str:
    """The model's media kind from a file name's extension (``image``, ``video``, ... or ``other``)."""
    suffix = PurePosixPath(uri.split("?", 1)[0]).suffix.lower().lstrip(".")
    return _EXTENSIONS.get(suffix, "other")


def text_or_none(value: object) -> str | None:
    """A JSON value that is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None
