"""Audit one account over the posts that concern it: the unit of work of both engines.

An engine hands over, for one account, the posts that concern it (its own, those that mention it
or reply to it, and replies to its posts: see :mod:`parlons.corpus.route`); this module runs
parlons' own audit (:func:`parlons.run_audit`) on them in a private in-memory DuckDB and flattens
the result. The period is the audit's own (the account's data, as ``parlons audit ACCOUNT`` takes
it), unless ``--since``/``--until`` say otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from ..audit import AuditSettings, run_audit
from ..engine import connect
from .flatten import flatten_audit

__all__ = ["ROUTE_COLUMNS", "AccountAuditor", "AuditJob"]

ROUTE_COLUMNS = ("route_platform", "route_key")
"""The columns the routing adds to each post: which account it is sent to."""


@dataclass(frozen=True)
class AuditJob:
    """What every per-account audit of one corpus shares (small enough to ship to every worker)."""

    owners: pa.Table
    """The ``accounts`` rows of owners (accounts whose own archive was imported)."""
    settings: AuditSettings = field(default_factory=AuditSettings)
    since: datetime | None = None
    until: datetime | None = None
    memory_limit: str = "1GB"


class AccountAuditor:
    """A private DuckDB that audits one account at a time (reused across accounts)."""

    def __init__(self, job: AuditJob) -> None:
        self.job = job
        self.con = connect(":memory:", memory_limit=job.memory_limit, threads=1)
        self.con.register("accounts", job.owners)

    def audit(self, platform: str, posts: pa.Table) -> dict[str, Any]:
        """The flat figures of the account that wrote the most of ``posts`` routed to it.

        ``posts`` are the posts routed to one account (``route_key``); its display name is taken
        as ``parlons audit`` takes it (the spelling with the most posts).
        """
        key = posts.column("route_key")[0].as_py()
        self.con.register("posts", posts.drop_columns([c for c in ROUTE_COLUMNS if c in posts.column_names]))
        audit = run_audit(self.con, [f"{platform}:{key}"], since=self.job.since, until=self.job.until,
                          settings=self.job.settings)[0]
        self.con.unregister("posts")
        return flatten_audit(audit)

    def audit_json(self, platform: str, posts: pa.Table) -> tuple[str, str, str]:
        """``(platform, account, figures as JSON)``: a row of :data:`~parlons.corpus.table.FIGURES_SCHEMA`."""
        row = self.audit(platform, posts)
        return platform, str(row["account"]), orjson.dumps(row, default=str).decode()

    def close(self) -> None:
        self.con.close()
