"""Every DuckDB connection parlons opens, and the scratch space of one parlons process.

- :func:`connect` is the only place parlons calls ``duckdb.connect``: extensions are never
  installed or loaded behind the user's back (DuckDB would otherwise download one from the
  internet when it meets, say, a SQLite file), and in-memory connections spill into this
  process's scratch folder instead of ``./.tmp`` in the user's working folder.
- :func:`scratch_dir` is this process's private folder under the system's temporary folder
  (``parlons-run-<pid>-*``): copies of zip members, DuckDB spill files. It is removed when the
  process ends, normally or by Ctrl-C; what a killed process left is removed by the next
  parlons process that asks for scratch space.
- :func:`store_failure` turns a DuckDB failure on the store's side (disk full, out of memory, a
  damaged file) into a :class:`~parlons.errors.StoreError` that says what happened and what to do.
"""

from __future__ import annotations

import atexit
import errno
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from .errors import StoreError

__all__ = ["DEFAULT_MEMORY_LIMIT", "MEMORY_ENV", "SAFE_CONFIG", "clean_leftovers", "connect", "scratch_dir",
           "store_failure"]

MEMORY_ENV = "PARLONS_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory limit when :data:`MEMORY_ENV` is not set: beyond it, large imports and audits spill to disk."""
SAFE_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
"""Settings of every connection: no extension is downloaded or loaded implicitly."""

RUN_PREFIX = "parlons-run-"
_run: dict[str, Path] = {}


def connect(target: str = ":memory:", *, read_only: bool = False,
            **config: str | bool | int | float | list[str]) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with :data:`SAFE_CONFIG`, UTC, and (in memory) spill into :func:`scratch_dir`."""
    settings = {**config, **SAFE_CONFIG}
    if target == ":memory:" and "temp_directory" not in settings:
        settings["temp_directory"] = tempfile.mkdtemp(prefix="spill-", dir=scratch_dir())
    con = duckdb.connect(target, read_only=read_only, config=settings)
    con.execute("SET TimeZone = 'UTC'")
    return con


def scratch_dir() -> Path:
    """This process's private scratch folder, created on first use (leftovers of dead runs removed)."""
    folder = _run.get("root")
    if folder is None or not folder.is_dir():
        clean_leftovers()
        folder = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-"))
        _run["root"] = folder
    return folder


def _remove_scratch() -> None:
    folder = _run.pop("root", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_scratch)


def clean_leftovers(parent: Path | None = None) -> list[Path]:
    """Remove the scratch folders of parlons processes that are no longer running; return them."""
    removed = []
    for folder in (parent or Path(tempfile.gettempdir())).glob(f"{RUN_PREFIX}*"):
        pid = folder.name[len(RUN_PREFIX):].partition("-")[0]
        if pid.isdigit() and not _alive(int(pid)) and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_NO_SPACE = ("no space left on device", "disk is full", "not enough space")
_TOO_LARGE = ("file too large",)
_DAMAGED = ("corrupt", "checksum", "not a valid duckdb database", "invalid block", "unexpected end of file",
            "failed to load", "serialization error", "invalidated")


def store_failure(exc: BaseException, store: Path | str, doing: str, *, strict: bool = False,
                  limit: str | None = None) -> StoreError | None:
    """The :class:`StoreError` for a DuckDB failure on the store's side, or None if it is not one.

    ``doing`` says what parlons was doing ("writing the imported posts", "committing the import").
    ``strict``: the statement also read the input, so only failures that cannot be the input's
    (memory, disk space, file size, a fatal error, a message naming the store) are the store's.
    ``limit``: the memory limit in force, for a failure for want of memory (else ``$PARLONS_MEMORY_LIMIT``).
    """
    text = str(exc).strip()
    low = text.lower()
    if strict and not (isinstance(exc, duckdb.OutOfMemoryException | duckdb.FatalException)
                       or any(m in low for m in (*_NO_SPACE, *_TOO_LARGE, "out of memory"))
                       or str(store) in text):
        return None
    cause = text.splitlines()[0][:300] if text else type(exc).__name__
    if isinstance(exc, duckdb.OutOfMemoryException) or "out of memory" in low:
        limit = limit or os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT
        return StoreError(f"DuckDB ran out of memory while {doing} (limit {limit}): {cause}. Raise "
                          f"${MEMORY_ENV} (e.g. {MEMORY_ENV}=4GB) or free memory, then run the command again; "
                          f"the store {store} is unchanged")
    if any(m in low for m in _NO_SPACE) or _errno_in(exc, errno.ENOSPC):
        where = "the store {store} or its spill folder" if str(store) in text else "the file it names"
        return StoreError(f"no space left on the device holding {where.format(store=store)} while {doing}: "
                          f"{cause}. Free some space and run the command again; the store is unchanged")
    if any(m in low for m in _TOO_LARGE) or _errno_in(exc, errno.EFBIG):
        return StoreError(f"the system refused to grow a file while {doing} (file size limit): {cause}. "
                          f"Raise the limit (ulimit -f) and run the command again; the store {store} is unchanged")
    if isinstance(exc, duckdb.IOException | duckdb.FatalException | duckdb.InternalException) \
            or any(m in low for m in _DAMAGED):
        return StoreError(f"the store {store} cannot be read or written while {doing}: {cause}. If it is "
                          f"damaged, restore {Path(store).name} and its .wal file from a backup, or import "
                          "into a new store (--store)")
    if isinstance(exc, duckdb.TransactionException):
        return StoreError(f"the store {store} refused the import while {doing}: {cause}. "
                          "The store is unchanged; run the command again")
    return None


def _errno_in(exc: BaseException, code: int) -> bool:
    return isinstance(exc, OSError) and exc.errno == code
