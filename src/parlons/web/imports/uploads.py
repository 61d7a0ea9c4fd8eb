"""Uploaded exports: streamed to disk under names the server chooses, with a size limit.

Django's upload handlers write every file to disk in chunks (never whole in memory); the
:class:`LimitedUploadHandler` stops a request as soon as its body passes ``PARLONS_UPLOAD_MAX_BYTES``.
The bytes are never served back. The content is then read by parlons' own safe readers (zip
members that escape, zip bombs and too many members are refused before anything is read).
"""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

__all__ = ["LimitedUploadHandler", "remove_uploads", "store_upload", "store_upload_path", "upload_folder"]

SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading a request body as soon as it passes the limit (the view then refuses it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.PARLONS_UPLOAD_MAX_BYTES:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_folder(workspace_id: int) -> Path:
    return Path(settings.DATA_DIR) / "uploads" / str(int(workspace_id))


def safe_name(name: str) -> str:
    """The file name's last part with only safe characters (importers use names as hints only)."""
    base = SAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload"
    return base[-120:]


def store_upload(workspace_id: int, uploaded: UploadedFile) -> dict[str, Any]:
    """Move one uploaded file into ``uploads/<workspace>/<uuid>/<safe name>``; return its record."""
    folder = upload_folder(workspace_id) / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    target = folder / safe_name(uploaded.name or "upload")
    with target.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    target.chmod(0o600)
    return {"name": target.name, "size": target.stat().st_size, "path": str(target)}


def store_upload_path(workspace_id: int, source: Path) -> dict[str, Any]:
    """Copy a file already on this machine (the demo's exports) as if it had been uploaded."""
    folder = upload_folder(workspace_id) / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    target = folder / safe_name(source.name)
    shutil.copyfile(source, target)
    return {"name": target.name, "size": target.stat().st_size, "path": str(target)}


def remove_uploads(files: list[dict[str, Any]]) -> None:
    for record in files:
        shutil.rmtree(Path(record["path"]).parent, ignore_errors=True)
