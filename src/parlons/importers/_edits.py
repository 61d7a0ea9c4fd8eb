"""Edited tweets: one edit chain is one post, under its first id, with its latest text.

The API v2 gives every tweet ``edit_history_tweet_ids``: the ids of all the versions of the
tweet, oldest first, the latest last; a tweet never edited lists only itself. Each version is a
tweet of its own in a collection, so without care one edited tweet would count as several
original posts. The rule (``docs/formats/twitter_api.md``):

- the chain is one post whose ``post_id`` is the chain's **first** id (it never changes, however
  many edits follow, so two collections made before and after an edit give the same post) and
  whose ``created_at`` is the first version's (from its snowflake id when that version was not
  collected);
- its text, entities, counts and kind are the **latest** version's seen in the import;
- the edits are recorded in ``source_record``: the record read, then ``edits:`` and the chain's
  ids in order (``"12 edits: 1576994746135764992 1576994789110992896"``);
- references to a later version (``in_reply_to_id``, ``quote_of_id``, ``repost_of_id``) are
  rewritten to the chain's first id, so that replies to an edited tweet join it.

Chains are found by a byte-level pass over each member (a regular expression; a key in quotes
cannot occur inside a JSON string, whose quotes are escaped), before DuckDB reads it; the rows of
edited tweets are held until the end of the job (a handful in any real collection).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from ..sources import Member
from ._base import ROW_SCHEMA, ReadContext, SqlQuery, Staged

__all__ = ["EditChains"]

CHAIN = re.compile(rb'"edit_history_tweet_ids"\s*:\s*\[\s*("\d{1,20}"(?:\s*,\s*"\d{1,20}"){1,100})\s*\]')
"""A chain of two versions or more (at most 101: the API allowed five edits)."""
KEY = b'"edit_history_tweet_ids"'
ID = re.compile(rb"\d+")
CHUNK = 1 << 22
OVERLAP = 4096
TWITTER_EPOCH_MS = 1288834974657
REFERENCES = ("in_reply_to_id", "quote_of_id", "repost_of_id")


class EditChains:
    """The edit chains of the members of one job, and the rows of their versions held back."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        """Every version id of a chain, to the chain's first id."""
        self.chains: dict[str, tuple[str, ...]] = {}
        self.held: dict[str, tuple[int, dict[str, object]]] = {}
        self.times: dict[str, datetime] = {}

    def scan(self, member: Member) -> None:
        """Find the chains in the member's bytes."""
        with member.open() as stream:
            self._scan(stream)

    def scan_path(self, path: Path) -> None:
        """Find the chains in a file."""
        with open(path, "rb") as stream:
            self._scan(stream)

    def _scan(self, stream: BinaryIO) -> None:
        tail = b""
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            self.find(data)
            tail = data[-OVERLAP:]

    def find(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        """Record the chains written in ``data[start:end]`` (whole records, or overlapping pieces of a document)."""
        end = len(data) if end is None else end
        if data.find(KEY, start, end) >= 0:
            for match in CHAIN.finditer(data, start, end):
                self.add(tuple(i.decode() for i in ID.findall(match.group(1))))

    def add(self, chain: tuple[str, ...]) -> None:
        """Record one chain of version ids, oldest first (a longer one wins)."""
        if chain[0] in self.chains and len(self.chains[chain[0]]) >= len(chain):
            return
        self.chains[chain[0]] = chain
        for version in chain:
            self.first[version] = chain[0]

    def fold(self, items: Iterable[pa.RecordBatch | SqlQuery], ready: Callable[[], None] | None = None
             ) -> Iterator[pa.RecordBatch | SqlQuery]:
        """The batches without the rows of edited tweets (held), references rewritten.

        ``ready`` waits until the chains are all found (they may be searched for on another thread
        while the first batch is read); it is called before any batch is passed on. Queries pass
        as they come: the store runs them, and their rows are folded by :meth:`fold_staged`.
        """
        ids: pa.Array | None = None
        for item in items:
            if isinstance(item, SqlQuery):
                yield item
                continue
            if ids is None:
                if ready is not None:
                    ready()
                ids = pa.array(list(self.first), pa.string())
            if not self.first:
                yield item
                continue
            batch = self._rewrite(item, ids)
            edited = pc.is_in(batch.column("post_id"), value_set=ids)
            if pc.any(edited).as_py():
                self._hold(batch.filter(edited).to_pylist())
                batch = batch.filter(pc.invert(edited))
            if batch.num_rows:
                yield batch

    def fold_staged(self, staged: Staged) -> None:
        """:meth:`fold` for rows the store wrote (every chain must be known): versions held, references rewritten."""
        if not self.first:
            return
        versions = {"versions": list(self.first), "firsts": list(self.first.values())}
        for column in REFERENCES:
            staged.update(f"{column} = $firsts[list_position($versions, {column})]",
                          f"{column} IS NOT NULL AND list_contains($versions, {column})", versions)
        held = staged.take("list_contains($versions, post_id)", {"versions": versions["versions"]})
        if held.num_rows:
            self._hold(held.to_pylist())

    def _rewrite(self, batch: pa.RecordBatch, ids: pa.Array) -> pa.RecordBatch:
        columns = []
        for name in batch.schema.names:
            column = batch.column(name)
            if name in REFERENCES and pc.any(pc.is_in(column, value_set=ids)).as_py():
                column = pa.array([self.first.get(v, v) if v else v for v in column.to_pylist()], pa.string())
            columns.append(column)
        return pa.RecordBatch.from_arrays(columns, schema=batch.schema)

    def _hold(self, rows: list[dict[str, object]]) -> None:
        for row in rows:
            version = str(row["post_id"])
            first = self.first[version]
            if version == first and isinstance(row["created_at"], datetime):
                self.times[first] = row["created_at"]
            position = self.chains[first].index(version)
            if first not in self.held or self.held[first][0] < position:
                self.held[first] = (position, row)

    def rows(self, ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        """One row per chain seen: the latest version, under the first id; a note counts them."""
        folded = []
        for first, (_, row) in self.held.items():
            chain = self.chains[first]
            permalink = row.get("permalink")
            folded.append({
                **row, "post_id": first, "created_at": self.times.get(first) or _snowflake_time(first),
                "permalink": str(permalink).rsplit("/", 1)[0] + "/" + first if permalink else None,
                "source_record": f"{row['source_record']} edits: {' '.join(chain)}",
            })
        if folded:
            ctx.note(f"{len(folded)} edited tweets: each is one post under its first id with its latest "
                     "text; the versions are listed in source_record")
            yield pa.RecordBatch.from_pylist(folded, schema=ROW_SCHEMA)


def _snowflake_time(tweet_id: str) -> datetime:
    """When a tweet was posted, from its id (to the second, as the API gives ``created_at``)."""
    millis = (int(tweet_id) >> 22) + TWITTER_EPOCH_MS
    return datetime.fromtimestamp(millis // 1000, UTC)
