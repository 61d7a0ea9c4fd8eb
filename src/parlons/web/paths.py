"""Where the workspace keeps its files: the data folder, its secret key, its stores and uploads.

The data folder is ``--data`` (``PARLONS_DATA``), else ``$XDG_DATA_HOME/parlons``, else
``~/.local/share/parlons``. It holds ``secret_key`` (generated on first start, readable by its
owner only, never in the repository), ``app.sqlite3`` (the application's own data when no
``DATABASE_URL`` is set), ``workspaces/<id>/parlons.duckdb`` (one parlons store per workspace),
``uploads/`` (uploaded exports, under names the server chooses) and ``cache/``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["DATA_ENV", "data_dir", "secret_key"]

DATA_ENV = "PARLONS_DATA"
SECRET_ENV = "PARLONS_SECRET_KEY"


def data_dir() -> Path:
    """The data folder (created, private to its owner)."""
    explicit = os.environ.get(DATA_ENV)
    if explicit:
        folder = Path(explicit)
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        folder = Path(base) / "parlons"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder.resolve()


def secret_key(folder: Path) -> str:
    """``PARLONS_SECRET_KEY``, else the file ``PARLONS_SECRET_KEY_FILE``, else ``folder/secret_key``
    (written once with 64 random bytes, mode 0600)."""
    if os.environ.get(SECRET_ENV):
        return os.environ[SECRET_ENV]
    named = os.environ.get(SECRET_ENV + "_FILE")
    path = Path(named) if named else folder / "secret_key"
    if not path.exists() and not named:
        _write_once(path, secrets.token_urlsafe(64))
    return path.read_text(encoding="ascii").strip()


def _write_once(path: Path, value: str) -> None:
    """Write ``value`` to a new file readable by its owner only; a concurrent writer's file wins."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(value)
    try:
        os.link(partial, path)  # atomic, and fails if another process got there first
    except FileExistsError:
        pass
    finally:
        partial.unlink()
