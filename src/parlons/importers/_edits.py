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

Two ways of folding, for two ways of reading. When every chain is known before the rows are read
(twarc-csv: a query over the file's column first), :meth:`EditChains.fold` holds the versions' rows
back from the stream. When chains are only known as rows are read (Twitter API JSON: each row's
chains, its own and its referenced tweets', in a column of the shaping query, :meth:`EditChains.note`),
every row is written as it comes and :meth:`EditChains.fold_written` folds the written ones at the
end (a :class:`~._base.Revision`). Either way :meth:`EditChains.rows` then gives one row per chain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc

from ._base import ROW_SCHEMA, ReadContext, SqlQuery, Written

__all__ = ["EditChains"]

MAX_VERSIONS = 101
"""The longest chain taken (the API allowed five edits; a longer list is not an edit history)."""
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

    def note(self, chains: pa.Array) -> None:
        """Record the chains of a batch's column of them (per row, a list of chains of two versions or more)."""
        if chains.null_count == len(chains):
            return
        for listed in chains.drop_null().to_pylist():
            for chain in listed:
                if chain and 1 < len(chain) <= MAX_VERSIONS and all(_tweet_id(v) for v in chain):
                    self.add(tuple(chain))

    def add(self, chain: tuple[str, ...]) -> None:
        """Record one chain of version ids, oldest first (a longer one wins)."""
        if chain[0] in self.chains and len(self.chains[chain[0]]) >= len(chain):
            return
        self.chains[chain[0]] = chain
        for version in chain:
            self.first[version] = chain[0]

    def fold(self, items: Iterable[pa.RecordBatch | SqlQuery]) -> Iterator[pa.RecordBatch | SqlQuery]:
        """The batches without the rows of edited tweets (held), references rewritten; every chain must be known."""
        ids = pa.array(list(self.first), pa.string())
        for item in items:
            if isinstance(item, SqlQuery) or not self.first:
                yield item
                continue
            batch = self._rewrite(item, ids)
            edited = pc.is_in(batch.column("post_id"), value_set=ids)
            if pc.any(edited).as_py():
                self._hold(batch.filter(edited).to_pylist())
                batch = batch.filter(pc.invert(edited))
            if batch.num_rows:
                yield batch

    def fold_written(self, written: Written) -> None:
        """:meth:`fold` for rows already written: the versions taken out and held, references rewritten."""
        if not self.first:
            return
        written.register("edit_versions", pa.table({"version": pa.array(list(self.first), pa.string()),
                                                    "first": pa.array(list(self.first.values()), pa.string())}))
        for column in REFERENCES:
            written.update(f"{column} = s.first", f"SELECT staged_row, v.first FROM staged JOIN edit_versions v "
                                                  f"ON staged.{column} = v.version WHERE v.version <> v.first")
        held = written.take("post_id IN (SELECT version FROM edit_versions)")
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


def _tweet_id(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20


def _snowflake_time(tweet_id: str) -> datetime:
    """When a tweet was posted, from its id (to the second, as the API gives ``created_at``)."""
    millis = (int(tweet_id) >> 22) + TWITTER_EPOCH_MS
    return datetime.fromtimestamp(millis // 1000, UTC)
