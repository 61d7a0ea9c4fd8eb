"""Inputs as parlons sees them: a file, a folder, a zip or a tar archive, each a list of members.

A :class:`Source` never extracts a zip member under its own name, so a member called ``../x`` cannot
write anywhere; such names are still refused, as are archives that would inflate beyond
:data:`LIMITS`. Members are read as streams; :meth:`Member.local_path` gives a real file (for
DuckDB's readers), copying a zip member into a private temporary folder when needed.

A tar archive (``.tar``, ``.tar.gz``, ``.tgz``, bzip2 or xz; Mastodon wrote its account archives so
from 2018 into 2023) has no index: its regular files are extracted once, in one pass, into the source's private
temporary folder, under names checked as a zip's are and within the same limits, and read from there.
Links, devices and folders in it are left out.

A folder's archives are not members of it: :func:`open_sources` gives each one as a source of
its own (with the same limits as an archive given by name), so importing a folder imports exactly
what importing its files one by one would. An archive inside an archive is not opened; it is
listed in :attr:`Source.nested` so that the import says so.
"""

from __future__ import annotations

import codecs
import gzip
import io
import shutil
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from .engine import scratch_dir
from .errors import InputError, UnsafeArchive

__all__ = ["LIMITS", "Limits", "Member", "Source", "open_source", "open_sources"]


@dataclass(frozen=True)
class Limits:
    """Guards against archives that would exhaust the disk or memory."""

    max_total_bytes: int = 32 * 1024**3
    max_member_bytes: int = 16 * 1024**3
    max_ratio: float = 250.0
    ratio_floor_bytes: int = 64 * 1024**2
    max_members: int = 200_000


LIMITS = Limits()

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def encoding_of(head: bytes) -> str:
    """The encoding a byte-order mark announces, else UTF-16 recognised without one, else UTF-8."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    return _utf16_without_bom(head) or "utf-8"


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the first bytes are plainly UTF-16 text without a BOM.

    Text in Latin scripts encoded in UTF-16 has a zero byte in every other position (the high
    byte of ASCII characters); UTF-8 text never holds zero bytes. Half of the pairs or more must
    have their zero on the same side, and almost none (a twentieth) on the other.
    """
    pairs = len(head) // 2
    if pairs < 2:
        return None
    low, high = head[0:pairs * 2:2].count(0), head[1:pairs * 2:2].count(0)
    if high * 2 >= pairs and low * 20 <= pairs:
        return "utf-16-le"
    if low * 2 >= pairs and high * 20 <= pairs:
        return "utf-16-be"
    return None


@dataclass(eq=False)
class Member:
    """One file inside a source: a plain file, a file in a folder, or a zip member."""

    source: Source
    name: str
    size: int
    _zipinfo: zipfile.ZipInfo | None = None
    _head: bytes | None = field(default=None, repr=False)
    _gzip: bool | None = field(default=None, repr=False)

    @property
    def basename(self) -> str:
        """The file name; without ``.gz`` for a gzip-compressed member (read decompressed)."""
        name = PurePosixPath(self.name).name
        return name[:-3] if name.lower().endswith(".gz") and self.gzipped else name

    @property
    def gzipped(self) -> bool:
        """Whether the member is gzip-compressed (``tweets.jsonl.gz``): it is then read decompressed."""
        if self._gzip is None:
            try:
                with self._open_raw() as stream:
                    self._gzip = stream.read(2) == GZIP_MAGIC
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise self.error(f"cannot be read ({exc})") from None
        return self._gzip

    def open(self) -> BinaryIO:
        """A binary stream of the member's bytes (decompressed, within the limits, when gzipped)."""
        raw = self._open_raw()
        if not self.gzipped:
            return raw
        inflated = _Inflated(gzip.GzipFile(fileobj=raw, mode="rb"), raw, self)
        return io.BufferedReader(inflated, 1024 * 1024)

    def _open_raw(self) -> BinaryIO:
        if self._zipinfo is not None:
            return self.source.zip().open(self._zipinfo)  # type: ignore[return-value]
        return open(self.source.member_path(self.name), "rb")

    def head(self, size: int = 4096) -> bytes:
        """The first bytes of the member (cached for the first 4 KiB)."""
        if self._head is None or len(self._head) < min(size, self.size):
            try:
                with self.open() as stream:
                    self._head = stream.read(max(size, 4096))
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                raise self.error(f"cannot be read ({exc})") from None
        return self._head[:size]

    def head_text(self, size: int = 4096) -> str:
        """The first characters, decoded leniently: for format detection only."""
        return self.head(size).decode(self.encoding(), errors="replace").lstrip("\ufeff")

    def encoding(self) -> str:
        return encoding_of(self.head(512))

    def open_text(self) -> io.TextIOWrapper:
        """A strict text stream (UTF-8 unless a byte-order mark says otherwise)."""
        return io.TextIOWrapper(self.open(), encoding=self.encoding(), newline="")

    def read_text(self) -> str:
        """The whole member as text; raises :class:`InputError` if it is not valid text."""
        data = self.open().read()
        try:
            return data.decode(self.encoding()).lstrip("\ufeff")
        except UnicodeDecodeError as exc:
            raise self.error(self.decode_message(data, exc)) from None

    def decode_message(self, data: bytes, exc: UnicodeDecodeError) -> str:
        line = data.count(b"\n", 0, exc.start) + 1
        return (
            f"the file is not valid {exc.encoding.upper()} (byte {exc.start}, line {line}); "
            "re-save it as UTF-8"
        )

    def local_path(self) -> Path:
        """A file on disk holding the member's bytes, as UTF-8 when it was UTF-16/32."""
        encoding = self.encoding()
        if self._zipinfo is None and encoding == "utf-8" and not self.gzipped:
            return self.source.member_path(self.name)
        target = self.source.scratch() / f"m{id(self)}_{self.basename}"  # without .gz when gzipped
        if not target.exists():
            self._copy_to(target, encoding)
        return target

    def _copy_to(self, target: Path, encoding: str) -> None:
        with self.open() as src, open(target, "wb") as dst:
            if encoding == "utf-8":
                shutil.copyfileobj(src, dst, 1024 * 1024)
                return
            reader = codecs.getreader(encoding)(src)
            while chunk := reader.read(1024 * 1024):
                dst.write(chunk.lstrip("\ufeff").encode("utf-8"))

    def error(self, message: str, record: str | int | None = None) -> InputError:
        """An :class:`InputError` located at this member (and record)."""
        member = None if self.source.kind == "file" else self.name
        return InputError(message, file=str(self.source.path), member=member, record=record)


GZIP_MAGIC = b"\x1f\x8b"


class _Inflated(io.RawIOBase):
    """A gzip stream that refuses to inflate beyond the source's limits (a gzip bomb)."""

    def __init__(self, stream: gzip.GzipFile, raw: BinaryIO, member: Member) -> None:
        self.stream, self.raw, self.member, self.total = stream, raw, member, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            count = self.stream.readinto(buffer)
        except (OSError, EOFError, zlib.error) as exc:
            raise self.member.error(f"the gzip stream cannot be read ({exc}); the file may be truncated") from None
        self.total += count
        self._check()
        return count

    def _check(self) -> None:
        limits, size = self.member.source.limits, max(self.member.size, 1)
        ratio = self.total / size
        if self.total > limits.max_member_bytes or (self.total > limits.ratio_floor_bytes
                                                    and ratio > limits.max_ratio):
            raise UnsafeArchive(f"refusing to inflate more than {self.total} bytes (ratio {ratio:.0f}:1): "
                                "this looks like a gzip bomb", file=str(self.member.source.path),
                                member=None if self.member.source.kind == "file" else self.member.name)

    def close(self) -> None:
        self.stream.close()
        self.raw.close()
        super().close()


class Source:
    """A file, a folder, a zip or a tar archive given to ``parlons import``."""

    def __init__(self, path: Path, limits: Limits = LIMITS) -> None:
        self.path = path
        self.limits = limits
        self._zip: zipfile.ZipFile | None = None
        self._scratch: Path | None = None
        self._extracted: Path | None = None
        """Where a tar archive's files were extracted (:meth:`_list_tar`)."""
        self.archives: list[Path] = []
        """Archives found in a folder: sources of their own (:func:`open_sources`)."""
        self.nested: list[str] = []
        """Members of an archive that are archives themselves: not opened, reported."""
        self.kind = self._kind()
        self.members: list[Member] = list(self._list())

    def _kind(self) -> str:
        if not self.path.exists():
            raise InputError("no such file or folder", file=str(self.path))
        if self.path.is_dir():
            return "folder"
        if zipfile.is_zipfile(self.path):
            return "zip"
        if is_tar(self.path):
            return "tar"
        if _starts_as_zip(self.path):
            raise InputError("the zip archive is damaged or incomplete (its table of contents, at the end, is "
                             "missing: was the download cut short?); download it again", file=str(self.path))
        return "file"

    def _list(self) -> Iterator[Member]:
        if self.kind == "file":
            yield Member(self, self.path.name, self.path.stat().st_size)
        elif self.kind == "folder":
            yield from self._list_folder()
        elif self.kind == "tar":
            yield from self._list_tar()
        else:
            yield from self._list_zip()

    def _list_folder(self) -> Iterator[Member]:
        for path in sorted(self.path.rglob("*")):
            if not path.is_file() or path.is_symlink() or _hidden(path, self.path):
                continue
            if is_archive(path):
                self.archives.append(path)
            else:
                yield Member(self, path.relative_to(self.path).as_posix(), path.stat().st_size)

    def _list_zip(self) -> Iterator[Member]:
        infos = [i for i in self.zip().infolist() if not i.is_dir()]
        self._check_zip(infos)
        for info in infos:
            if _hidden_name(info.filename):
                continue
            if _archive_name(info.filename):
                self.nested.append(info.filename)
            else:
                yield Member(self, info.filename, info.file_size, info)

    def _list_tar(self) -> Iterator[Member]:
        """Extract the archive's regular files in one pass (see the module's docstring), checking each
        header before its bytes: names, how many, how big, and how far they inflate the file."""
        root = self._extracted = self.scratch() / "tar"
        limits, file = self.limits, str(self.path)
        compressed, total, count = max(self.path.stat().st_size, 1), 0, 0
        members: dict[str, Member] = {}
        name = None
        try:
            with tarfile.open(self.path, mode="r|*") as archive:
                for info in archive:
                    if not info.isreg():
                        continue
                    _check_name(info.name, file)
                    name = PurePosixPath(info.name).as_posix()  # ``./outbox.json`` is ``outbox.json``
                    count, total = count + 1, total + info.size
                    if count > limits.max_members:
                        raise UnsafeArchive(f"the archive has more than {limits.max_members} members", file=file)
                    if info.size > limits.max_member_bytes or total > limits.max_total_bytes or (
                            total > limits.ratio_floor_bytes and total / compressed > limits.max_ratio):
                        raise UnsafeArchive(f"refusing to extract {total} bytes from {compressed} "
                                            "(a tar bomb, or beyond the limits)", file=file, member=name)
                    if _hidden_name(name):
                        continue
                    if _archive_name(name):
                        self.nested.append(name)
                        continue
                    _extract(archive, info, root / name)
                    members[name] = Member(self, name, info.size)
        except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
            where = f" after member {name}" if name else ""
            raise InputError(f"cannot read the tar archive{where} ({exc}); the file may be truncated",
                             file=file) from None
        yield from sorted(members.values(), key=lambda m: m.name)

    def _check_zip(self, infos: list[zipfile.ZipInfo]) -> None:
        limits, file = self.limits, str(self.path)
        if len(infos) > limits.max_members:
            raise UnsafeArchive(f"the archive has {len(infos)} members", file=file)
        total = 0
        for info in infos:
            _check_name(info.filename, file)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > limits.max_member_bytes or (
                info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio
            ):
                raise UnsafeArchive(
                    f"refusing to inflate {info.file_size} bytes (ratio {ratio:.0f}:1): "
                    "this looks like a zip bomb", file=file, member=info.filename)
            total += info.file_size
        if total > limits.max_total_bytes:
            raise UnsafeArchive(f"the archive would inflate to {total} bytes", file=file)

    def zip(self) -> zipfile.ZipFile:
        if self._zip is None:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InputError(f"cannot open the zip archive ({exc})", file=str(self.path)) from None
        return self._zip

    def member_path(self, name: str) -> Path:
        if self._extracted is not None:
            return self._extracted / name
        return self.path if self.kind == "file" else self.path / name

    def scratch(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="source-", dir=scratch_dir()))
        return self._scratch

    def find(self, basename: str) -> Member | None:
        """The shallowest member with this file name (case-insensitive), if any."""
        found = [m for m in self.members if m.basename.lower() == basename.lower()]
        return min(found, key=lambda m: m.name.count("/")) if found else None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _extract(archive: tarfile.TarFile, info: tarfile.TarInfo, target: Path) -> None:
    """A tar member's bytes into ``target`` (its name checked: it stays under the extraction folder)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    stream = archive.extractfile(info)
    assert stream is not None  # a regular file always has its bytes
    with stream, open(target, "wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)


def _check_name(name: str, file: str) -> None:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        raise UnsafeArchive("member name escapes the archive; refusing it", file=file, member=name)


def _hidden_name(name: str) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in PurePosixPath(name).parts)


def _hidden(path: Path, root: Path) -> bool:
    return _hidden_name(path.relative_to(root).as_posix())


def open_source(path: str | Path, limits: Limits = LIMITS) -> Source:
    """Open a file, folder or zip archive as a :class:`Source`."""
    return Source(Path(path), limits)


@contextmanager
def open_sources(path: str | Path, limits: Limits = LIMITS) -> Iterator[list[Source]]:
    """The sources one path gives, closed on exit: itself, then each zip archive in it if a folder.

    A folder whose files are all archives gives only the archives; an empty folder gives itself
    (so that the import can say there is nothing to read).
    """
    with ExitStack() as stack:
        top = stack.enter_context(open_source(path, limits))
        archives = [stack.enter_context(open_source(p, limits)) for p in top.archives]
        yield [top, *archives] if top.members or not archives else archives


ZIP_MAGIC = b"PK\x03\x04"
TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
DOCUMENT_SUFFIXES = frozenset({".xlsx", ".xlsm", ".docx", ".pptx", ".odt", ".ods", ".odp", ".epub",
                               ".jar", ".apk", ".ipa", ".whl"})
"""Files that are zip archives by construction but documents or programs, not exports."""


def is_archive(path: Path) -> bool:
    """True for a zip or tar archive in a folder that is an archive to open (not an office document)."""
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return False
    if path.name.lower().endswith(TAR_SUFFIXES):
        return is_tar(path)
    return _starts_as_zip(path)


def _starts_as_zip(path: Path) -> bool:
    """Whether a file starts like a zip archive (in a folder: one to open; given by name but not a readable
    zip: a download cut short)."""
    try:
        with open(path, "rb") as stream:
            return stream.read(4) == ZIP_MAGIC
    except OSError:
        return False


def is_tar(path: Path) -> bool:
    """Whether the file is a tar archive, compressed or not (a compressed single file is not)."""
    try:
        return tarfile.is_tarfile(path)
    except (OSError, EOFError, zlib.error):
        return False


def _archive_name(name: str) -> bool:
    """A member named as an archive: not opened inside another archive."""
    return name.lower().endswith((".zip", *TAR_SUFFIXES))
