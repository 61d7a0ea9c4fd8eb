"""Checking, before any work, that an output file or folder can be written.

A report is written after the whole audit has run, an export after the store is read: a place
that cannot be written must be refused first, with a clear :class:`~parlons.errors.OutputError`,
not found out by a traceback at the end. The check creates and removes a probe file in the
nearest folder that exists, so it tells the truth whatever the reason (permissions, a read-only
file system, a path that goes through a regular file) and whoever runs it, root included.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError

__all__ = ["check_output_file", "check_output_folder"]


def check_output_folder(folder: str | os.PathLike[str], what: str = "the output folder") -> Path:
    """Refuse a folder that cannot be created or written into; return it."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise OutputError(f"cannot write {what} {path}: it is a file, not a folder; choose another place (-o)")
    _probe(path, what)
    return path


def check_output_file(file: str | os.PathLike[str], what: str = "the output") -> Path:
    """Refuse a file that cannot be written (its folder cannot be created or written into); return it."""
    path = Path(file)
    if path.is_dir():
        raise OutputError(f"cannot write {what} {path}: it is a folder; give a file name (-o)")
    _probe(path.parent, what, path)
    return path


def _probe(folder: Path, what: str, target: Path | None = None) -> None:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    shown = target or folder
    if not existing.is_dir():
        raise OutputError(f"cannot write {what} {shown}: {existing} is a file, not a folder; "
                          "choose another place (-o)")
    try:
        handle, probe = tempfile.mkstemp(prefix=".parlons-probe-", dir=existing)
    except OSError as exc:
        raise OutputError(f"cannot write {what} {shown}: {exc.strerror or exc} ({existing}); "
                          "choose another place (-o)") from None
    os.close(handle)
    os.unlink(probe)
