"""One parlons store per workspace, in the data folder."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

__all__ = ["store_path"]


def store_path(workspace_id: int) -> Path:
    """``<data>/workspaces/<id>/parlons.duckdb`` (its folder created)."""
    folder = Path(settings.DATA_DIR) / "workspaces" / str(int(workspace_id))
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / "parlons.duckdb"
