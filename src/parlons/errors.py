"""The one exception tree of parlons.

Everything parlons raises on purpose derives from :class:`ParlonsError`; the CLI catches that base
once, prints the message and exits non-zero. Messages are whole sentences that say what failed,
where (file, archive member, record) and what to try.

::

    ParlonsError
     ├── InputError            a file, member or record cannot be read
     │    ├── FormatNotRecognised   no importer claims the input
     │    └── UnsafeArchive         a zip whose members escape, or that inflates beyond limits
     ├── MappingError          a generic CSV/JSONL column mapping is wrong
     ├── StoreError            the store cannot be opened, written or exported
     ├── OutputError           an output file or folder (report, export, demo) cannot be written
     ├── CollectError          a server to collect from cannot be reached, refuses, or answers wrongly
     └── UsageError            the command line asks for something impossible
"""

from __future__ import annotations

__all__ = [
    "CollectError",
    "FormatNotRecognised",
    "InputError",
    "MappingError",
    "OutputError",
    "ParlonsError",
    "StoreError",
    "UnsafeArchive",
    "UsageError",
]


class ParlonsError(Exception):
    """Base of every error parlons raises on purpose."""

    exit_code = 1


class InputError(ParlonsError):
    """An input cannot be read; names the file, the archive member and the record."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        member: str | None = None,
        record: str | int | None = None,
    ) -> None:
        self.reason = message
        self.file = file
        self.member = member
        self.record = record
        super().__init__(self._compose())

    def _compose(self) -> str:
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.member:
            where.append(f"member {self.member}")
        if self.record is not None:
            where.append(f"record {self.record}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class FormatNotRecognised(InputError):
    """No importer recognises the input."""


class UnsafeArchive(InputError):
    """An archive that would escape its folder or inflate beyond the limits."""


class MappingError(ParlonsError):
    """A column mapping for the generic importers is incomplete or inconsistent."""

    exit_code = 2


class StoreError(ParlonsError):
    """The store cannot be opened, written or exported."""

    exit_code = 3


class OutputError(ParlonsError):
    """An output file or folder cannot be written; checked before the work that would fill it."""

    exit_code = 3


class CollectError(ParlonsError):
    """Live collection failed: names the account and the server, says what to try.

    What was collected before the failure is committed and kept; the next run resumes.
    """

    exit_code = 4


class UsageError(ParlonsError):
    """The command line asks for something that cannot be done."""

    exit_code = 2
