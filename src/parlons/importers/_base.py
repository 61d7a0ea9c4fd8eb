"""What every importer shares: the :class:`Importer` shape and the :class:`ReadContext` it writes to.

An importer module defines one subclass of :class:`Importer` and an instance named ``IMPORTER``.
It says whether a member is its format (:meth:`Importer.detect`, from content), which members it
knows but does not import (:meth:`Importer.companion`), and streams Arrow record batches of the
canonical model (:meth:`Importer.read`) without the four provenance columns the store stamps itself
(``source_file``, ``importer``, ``importer_version``, ``imported_at``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, ClassVar, Protocol

import pyarrow as pa

from ..model import ACCOUNT_FIELDS, POST_FIELDS
from ..sources import Member, Source

__all__ = [
    "ACCOUNT_ROW_SCHEMA",
    "BATCH_ROWS",
    "ROW_SCHEMA",
    "STAMPED",
    "ImportOptions",
    "Importer",
    "Numbered",
    "ReadContext",
    "Skip",
    "SqlQuery",
    "Staged",
    "post_row",
]

STAMPED = ("source_file", "importer", "importer_version", "imported_at")
"""Provenance columns the store stamps on every row of an import."""

ROW_SCHEMA = pa.schema(
    [pa.field(f.name, f.type) for f in POST_FIELDS if f.name not in STAMPED]
)
ACCOUNT_ROW_SCHEMA = pa.schema(
    [pa.field(f.name, f.type) for f in ACCOUNT_FIELDS if f.name not in STAMPED]
)
REQUIRED = tuple(f.name for f in POST_FIELDS if not f.nullable and f.name not in STAMPED)
BATCH_ROWS = 20_000


@dataclass(frozen=True)
class SqlQuery:
    """A DuckDB query that yields canonical rows, run by the store on its own connection.

    The vectorized path: rows go from DuckDB's reader into ``posts`` without passing
    through Python. ``sql`` selects the :data:`ROW_SCHEMA` columns (any order, by name);
    ``params`` are its named parameters; ``members`` are the members it reads, for messages.
    """

    sql: str
    params: Mapping[str, Any]
    members: tuple[Member, ...]
    numbered: Numbered | None = None
    """Set when the query yields one row per record of one member in the member's order: the store
    numbers ``source_record`` itself (see :class:`Numbered`)."""
    setup: tuple[str, ...] = ()
    """Statements the store runs first (``CREATE OR REPLACE TEMP MACRO`` the query calls)."""


class Staged(Protocol):
    """The rows one :class:`SqlQuery` with :class:`Numbered` wrote, before the store numbers them.

    SQL given here reads the relation ``staged``: the ``posts`` columns of those rows plus ``record``
    (BIGINT, the number each row will get).
    """

    def select(self, sql: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """The result of a query over ``staged``."""

    def take(self, where: str, params: Mapping[str, Any] | None = None) -> pa.Table:
        """The rows of ``staged`` where ``where`` holds, as :data:`ROW_SCHEMA` rows numbered; removed."""

    def update(self, assignments: str, where: str, params: Mapping[str, Any] | None = None) -> int:
        """``UPDATE posts SET assignments`` on the rows of ``staged`` where ``where`` holds; how many."""


NUMBERED_ROWS = 2_000_000
"""At most this many rows of one import are numbered by the store (:class:`Numbered`); the members
beyond are refused at once, and read by their importer's careful way. Numbering is an ``UPDATE`` whose
values DuckDB holds in memory until the commit: an import's peak grew from 531 MB at 1 M twarc2 tweets
to 568 MB at 2 M and 750 MB at 4 M (at 10 M it ran out of its 1 GB)."""
NUMBERED_ROW_BYTES = 600
"""The bytes of a record assumed when a member's size is weighed against :data:`NUMBERED_ROWS`
(a twarc2 tweet is about 1,100; fewer, shorter records are caught by the count after the insert)."""


def beyond_numbering(size: int) -> bool:
    """Whether members of ``size`` bytes in all (read in one import) hold more records than the store numbers.

    The store refuses such a member before reading it: an importer may prepare its careful way meanwhile.
    """
    return size // NUMBERED_ROW_BYTES > NUMBERED_ROWS


@dataclass
class Numbered:
    """How the store numbers the rows of a :class:`SqlQuery` that reads one member, one row per record.

    The query yields the :data:`ROW_SCHEMA` columns (``source_record`` is ignored) and
    ``skip_reason``, in the member's order, one row for every record (a record it cannot read gives
    a row with a ``skip_reason``). DuckDB reads and writes them on every core; the store numbers
    them from their order: the first is ``first``. Rows with a ``skip_reason`` are then counted as
    skips under their number and removed.

    ``expected`` is called once the rows are written: how many records the member holds (None when
    unknown). When it is not the number of rows written (say the reader passed over blank lines),
    the rows are removed and :attr:`refused` set: the importer then reads the member its careful way.
    """

    expected: Callable[[], int | None]
    size: int = 0
    """The member's size in bytes: the store weighs it against the rows it may number in one import."""
    first: int = 1
    after: Callable[[Staged], bool] | None = None
    """Sees the rows before they are numbered; False refuses them (removed, :attr:`refused` set)."""
    scratch: tuple[str, ...] = ()
    """Columns the query fills with values for ``after`` only: set to NULL when the rows are numbered."""
    rows: int = 0
    """Set by the store: the rows kept (records read less those skipped)."""
    refused: bool = False
    """Set by the store: the rows did not match ``expected`` and were removed."""


@dataclass(frozen=True)
class ImportOptions:
    """Options given on the command line that some importers use."""

    mapping: Mapping[str, str] = field(default_factory=dict)
    platform: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class Skip:
    """One record that could not be read, and why."""

    member: str
    record: str
    reason: str


@dataclass
class ReadContext:
    """Where an importer reports accounts, skipped records and notes while it reads."""

    source: Source
    options: ImportOptions = field(default_factory=ImportOptions)
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[Skip] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0

    def skip(self, member: Member | str, record: object, reason: str) -> None:
        """Count a record that cannot be read; keep the first examples of each reason."""
        self.skipped[reason] += 1
        if self.skipped[reason] <= 3:
            self.examples.append(Skip(member if isinstance(member, str) else member.name, str(record), reason))

    def account(self, member: Member, **fields: Any) -> None:
        """Record an account described by the input (``platform`` and ``account`` required)."""
        row = {name: fields.get(name) for name in ACCOUNT_ROW_SCHEMA.names}
        row["is_owner"] = bool(fields.get("is_owner", False))
        row["source_member"] = member.name
        self.accounts.append(row)

    def note(self, message: str) -> None:
        self.notes.append(message)

    def batches(self, rows: Iterable[dict[str, Any]]) -> Iterator[pa.RecordBatch]:
        """Record batches of the canonical rows; rows missing a required field are skipped."""
        iterator = iter(rows)
        while chunk := list(islice(iterator, BATCH_ROWS)):
            kept = [row for row in chunk if self._complete(row)]
            if kept:
                yield pa.RecordBatch.from_pylist(kept, schema=ROW_SCHEMA)

    def _complete(self, row: dict[str, Any]) -> bool:
        missing = [name for name in REQUIRED if row.get(name) is None]
        if missing:
            self.skip(str(row.get("source_member")), row.get("source_record"), f"missing {', '.join(missing)}")
        return not missing


class Importer(ABC):
    """One input format: how to recognise it and how to read it."""

    name: ClassVar[str]
    platform: ClassVar[str]
    description: ClassVar[str]
    example: ClassVar[str]
    auto: ClassVar[bool] = True
    """False for importers that only run when asked for by ``--format``."""

    @abstractmethod
    def detect(self, member: Member) -> bool:
        """True when the member's content is this format."""

    def companion(self, member: Member) -> bool:
        """True for members this format knows but does not import (profile, manifest, ...)."""
        return False

    @abstractmethod
    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery]:
        """Stream record batches (schema :data:`ROW_SCHEMA`), or queries that produce them."""


def post_row(**fields: Any) -> dict[str, Any]:
    """A canonical row with every column present (None where not given)."""
    return {name: fields.get(name) for name in ROW_SCHEMA.names}


