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
from pathlib import Path
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
    "ReadContext",
    "Revision",
    "Skip",
    "SqlQuery",
    "Written",
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
    through Python. ``sql`` selects the :data:`ROW_SCHEMA` columns (any order, by name) from the
    files it reads, never from the store's tables (see :attr:`reread`). ``params`` are its named
    parameters; ``members`` are the members it reads, for messages.
    """

    sql: str
    params: Mapping[str, Any]
    members: tuple[Member, ...]
    reread: bool = False
    """Whether a file imported before is read by a DuckDB of the store's own, its rows written as batches,
    so that those already stored are left out (:mod:`parlons.known`) instead of written then deleted by the
    merge (:meth:`~parlons.store.Store.stage_query`), in the query's order unless :attr:`ordered` is False or
    :attr:`order_free`. Generic JSON lines, Jetstream and the X archive: 1 M generic lines imported again so
    took 6.5 CPU-seconds instead of 8.5, 880,000 Jetstream events 3.3 s instead of 4.3 (5.7 CPU-seconds
    instead of 8.0)."""
    paths: Mapping[Path, Member] = field(default_factory=dict)
    """The files the query reads, each with the member it stands for (the member's own file, or a scratch
    copy of it): a failure whose message names one names that member (:func:`~._duck.blame`)."""
    ordered: bool = True
    """Whether the store must write the rows in the query's order. False when no column depends on
    the order (no ``row_number()``: ``source_record`` comes from the record itself): DuckDB then writes
    them as its threads finish, and the store still keeps the first of a key the query gives twice
    (:meth:`~parlons.store.Store.stage_query`). Generic JSON lines gain a third; Jetstream's query and the
    X archive's stay ordered (the X archive's parts, read in any order within the limit of an unordered
    write, ran out of memory)."""
    order_free: bool = False
    """Whether no column depends on the rows' order, although the store's own query writes them in order:
    then a read apart (:attr:`reread`) gives its rows in any order. The X archive's: a JSON array file is
    read by one thread, and read apart in order its second part waited for the first (1 M tweets: 5.1-5.2 s
    instead of 4.3-4.5)."""
    memory: str | None = None
    """DuckDB's memory limit while the store writes an ordered query (default
    :data:`~parlons.store.QUERY_MEMORY_LIMIT`): DuckDB caches the blocks it writes up to it, so that a
    query that keeps its parallel insert with less (Jetstream's) peaks lower on large files."""


class Written(Protocol):
    """The rows one importer has written in this import so far, for a :class:`Revision`.

    SQL given here reads the relation ``staged``: the ``posts`` columns of those rows plus
    ``staged_row`` (the row's id in the store), and the tables given to :meth:`register`.
    Rows already revised (an edit chain folded: ``source_record`` says ``edits:``) are left out.
    """

    def register(self, name: str, table: pa.Table) -> None:
        """Make ``table`` readable under ``name`` until the revision ends."""

    def update(self, assignments: str, rows: str) -> int:
        """``UPDATE posts SET assignments`` on the rows that the query ``rows`` (over ``staged``, aliased ``s``
        in ``assignments``) gives by their ``staged_row``; how many were updated."""

    def take(self, where: str) -> pa.Table:
        """The rows of ``staged`` where ``where`` holds, as :data:`ROW_SCHEMA` rows in the order written; removed."""


@dataclass(frozen=True)
class Revision:
    """Work on the rows an importer has written in this import, run by the store once the rows before it
    are written: what can only be decided at the end (the versions of an edited tweet, folded into one post
    once every chain is known) without holding rows back while reading.

    Rows :meth:`Written.take` removes are not counted as read; the importer yields what replaces them.
    """

    apply: Callable[[Written], None]


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
    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch | SqlQuery | Revision]:
        """Stream record batches (schema :data:`ROW_SCHEMA`), queries that produce them, or revisions."""


def post_row(**fields: Any) -> dict[str, Any]:
    """A canonical row with every column present (None where not given)."""
    return {name: fields.get(name) for name in ROW_SCHEMA.names}


