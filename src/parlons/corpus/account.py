"""Audit a batch of accounts over the posts that concern them: the unit of work of both engines.

An engine hands over a batch of accounts of one platform and the posts routed to them (each
account's own posts, those that mention it or reply to it, and replies to its posts: see
:mod:`parlons.corpus.route`), each with its figures against the owners' posts
(:data:`parlons.DUP_COLUMNS`, computed once for the corpus); this module runs parlons' own audit
on them in a private in-memory DuckDB, every account of the batch in one pass
(:func:`parlons.run_audit` with ``separately``: each account as if audited alone, each family's
queries once for the whole batch), with the store-wide facts of the whole corpus
(:func:`parlons.corpus_facts`: files, importers, titles), and flattens each result. The period is
the audit's own (the account's data, as ``parlons audit ACCOUNT`` takes it), unless
``--since``/``--until`` say otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..audit import DUP_COLUMNS, AuditSettings, run_audit
from ..engine import connect
from ..errors import StoreError
from .flatten import flatten_audit

__all__ = ["MIN_SHARE", "ROUTE_COLUMNS", "THREAD_MEMORY", "AccountAuditor", "AuditJob", "memory_bytes", "memory_share",
           "memory_threads"]

ROUTE_COLUMNS = ("route_platform", "route_key")
"""The columns the routing adds to each post: which account it is sent to."""


@dataclass(frozen=True)
class AuditJob:
    """What every batch of one corpus shares (small enough to ship to every worker)."""

    facts: dict[str, pa.Table]
    """The store-wide facts of the whole corpus (:func:`parlons.corpus_facts`)."""
    settings: AuditSettings = field(default_factory=AuditSettings)
    since: datetime | None = None
    until: datetime | None = None
    memory_limit: str = "1GB"


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


MIN_SHARE = 64 * 10**6
"""The least memory a DuckDB of the run gets (one account's audit needs some tens of MB)."""


THREAD_MEMORY = 128 * 10**6
"""DuckDB's sorts and joins need about this much per thread to spill rather than fail."""


def memory_bytes(limit: str) -> int | None:
    """A DuckDB memory limit (``"1GB"``, ``"512MiB"``) in bytes; None for what this does not read (``"80%"``)."""
    found = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]*)?)\s*([a-zA-Z]*)\s*", limit)
    if found is None or found.group(2).lower() not in _UNITS:
        return None
    return int(float(found.group(1)) * _UNITS[found.group(2).lower()])


def memory_share(limit: str, parts: int) -> str:
    """One of ``parts`` equal shares of the DuckDB memory limit ``limit`` (``"1GB"`` in 3: ``"333333333B"``),
    so that the DuckDBs of one run (the router, each worker) together stay within it; at least
    :data:`MIN_SHARE`. A limit DuckDB reads but this does not (a percentage) is returned as it is."""
    total = memory_bytes(limit)
    return limit if total is None else f"{max(MIN_SHARE, total // max(1, parts))}B"


def memory_threads(limit: str, threads: int) -> int:
    """How many of ``threads`` a DuckDB limited to ``limit`` should use: one per :data:`THREAD_MEMORY`."""
    total = memory_bytes(limit)
    return threads if total is None else max(1, min(threads, total // THREAD_MEMORY))


class AccountAuditor:
    """A private DuckDB that audits one batch of accounts at a time (reused across batches)."""

    def __init__(self, job: AuditJob) -> None:
        self.job = job
        # Examples and lists of posts are not columns of the table: not computed.
        self.settings = replace(job.settings, examples=0, unanswered_limit=0)
        self.con = connect(":memory:", memory_limit=job.memory_limit, threads=1)

    def audit(self, platform: str, keys: list[str], posts: pa.Table) -> list[dict[str, Any]]:
        """The flat figures of each account ``keys`` names (lower-cased handles of ``platform``), in order.

        ``posts`` are the posts routed to them (``route_key`` says to which); each account's display
        name is taken as ``parlons audit`` takes it (the spelling with the most posts). A batch that
        does not fit in the memory limit is audited in two halves, down to one account at a time.
        """
        try:
            return self._audit(platform, keys, posts)
        except StoreError as exc:
            if "Out of Memory" not in str(exc) or len(keys) == 1:
                raise
        half = len(keys) // 2
        return [row for part in (keys[:half], keys[half:])
                for row in self.audit(platform, part, posts.filter(pc.is_in(posts["route_key"], pa.array(part))))]

    def _audit(self, platform: str, keys: list[str], posts: pa.Table) -> list[dict[str, Any]]:
        self.con.register("routed", posts)
        columns = ", ".join(f'"{c}"' for c in posts.column_names if c not in (*ROUTE_COLUMNS, *DUP_COLUMNS))
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE posts AS SELECT DISTINCT ON (platform, post_id) {columns} "
                         "FROM routed")
        dups = ", ".join(DUP_COLUMNS)
        owner_dups = self.con.sql(f"SELECT DISTINCT ON (platform, post_id) platform, post_id, {dups} FROM routed "
                                  "WHERE dup_owners_n IS NOT NULL").to_arrow_table()
        self.con.unregister("routed")
        names = self._spellings(keys)
        audits = run_audit(self.con, [f"{platform}:{names[key]}" for key in keys], separately=True,
                           since=self.job.since, until=self.job.until, settings=self.settings,
                           facts={**self.job.facts, "owner_dups": owner_dups})
        return [flatten_audit(audit) for audit in audits]

    def _spellings(self, keys: list[str]) -> dict[str, str]:
        """Each account's spelling with the most posts (as ``parlons audit`` picks it): the audit compares a
        Facebook page's or a LinkedIn member's name exactly, so the lower-cased key would name no one."""
        rows = self.con.execute("""
            SELECT key, arg_max(account, (n, -rank)) FROM (
              SELECT lower(account) AS key, account, count(*) AS n,
                     rank() OVER (PARTITION BY lower(account) ORDER BY account) AS rank
              FROM posts WHERE lower(account) IN (SELECT unnest($keys::VARCHAR[])) GROUP BY account)
            GROUP BY key""", {"keys": keys}).fetchall()
        return {**{key: key for key in keys}, **{str(k): str(a) for k, a in rows}}

    def audit_json(self, platform: str, keys: list[str], posts: pa.Table) -> list[tuple[str, str, str]]:
        """``(platform, account, figures as JSON)`` per account: rows of
        :data:`~parlons.corpus.table.FIGURES_SCHEMA`."""
        return [(platform, str(row["account"]), orjson.dumps(row, default=str).decode())
                for row in self.audit(platform, keys, posts)]

    def close(self) -> None:
        self.con.close()
