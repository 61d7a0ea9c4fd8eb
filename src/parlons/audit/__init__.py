"""The audit: one module per family of metrics, all computed by DuckDB queries over ``posts``.

``run_audit`` resolves the accounts, builds the scoped tables (``scope.py``) and the per-post
features (``features.py``) once, then asks each family for its figures. Every share carries its
denominator ``n``; what the data cannot support says ``unknown`` with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from .. import engine
from ..errors import StoreError
from ..store import DEFAULT_MEMORY_LIMIT, MEMORY_ENV
from ._sql import one
from .benchmark import benchmark
from .broadcast import broadcast, prepare_duplicates
from .content import content
from .conversation import conversation
from .coverage import coverage
from .explain import explain_post
from .features import build_features
from .function import function
from .maturity import maturity
from .responsiveness import responsiveness
from .result import AuditResult, Maturity
from .scope import Audited, prepare, resolve
from .settings import AuditSettings
from .voice import voice

__all__ = ["AuditResult", "AuditSettings", "explain_post", "open_posts", "run_audit"]

_PENDING = Maturity(level=None, range=[], rule="", evidence={}, next_step="")
"""Placeholder while the other families are read: maturity is placed from them."""


def open_posts(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A connection with ``posts`` and ``accounts``: a store file, or a folder of its Parquet export."""
    location = Path(path)
    if location.is_dir() and (location / "posts.parquet").exists():
        con = engine.connect(memory_limit=os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT)
        for table in ("posts", "accounts"):
            target = str(location / f"{table}.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{target}')")
    else:
        from ..store import Store

        con = Store(location, read_only=True).con
    con.execute("SET TimeZone = 'UTC'")
    return con


def run_audit(con: duckdb.DuckDBPyConnection, accounts: Sequence[str], *, together: Sequence[str] = (),
              label: str | None = None, platform: str | None = None, since: datetime | None = None,
              until: datetime | None = None, settings: AuditSettings | None = None) -> list[AuditResult]:
    """Audit ``accounts[0]`` and its peers ``accounts[1:]``; return one result per audited subject.

    ``together`` names more accounts of the same organization (another platform, a support
    account): they are audited with ``accounts[0]`` as one subject, called ``label``.
    """
    settings = settings or AuditSettings()
    first = [resolve(con, name, platform) for name in (accounts[0], *together)]
    subjects = [Audited(label or " + ".join(t.account for t in first), tuple(first))]
    subjects += [Audited(t.account, (t,)) for t in (resolve(con, name, platform) for name in accounts[1:])]
    subjects = _unique_labels(subjects)
    try:
        prepare(con, subjects, since, until)
        build_features(con)
        prepare_duplicates(con)
    except duckdb.Error as exc:
        raise StoreError(f"the audit query failed: {exc}") from None
    audits = [_audit_one(con, subject, settings) for subject in subjects]
    if len(audits) > 1:
        benchmark(audits)
    return audits


def _unique_labels(subjects: list[Audited]) -> list[Audited]:
    """Subjects whose labels collide (one handle on two platforms) are named ``platform:handle``."""
    labels = [s.label for s in subjects]
    return [Audited(f"{s.members[0].platform}:{s.label}", s.members)
            if labels.count(s.label) > 1 and len(s.members) == 1 else s for s in subjects]


def _audit_one(con: duckdb.DuckDBPyConnection, subject: Audited, settings: AuditSettings) -> AuditResult:
    period = one(con, """SELECT strftime(p.since, '%Y-%m-%dT%H:%M:%SZ') AS since,
                                strftime(p.until, '%Y-%m-%dT%H:%M:%SZ') AS until,
                                (SELECT strftime(max(data_end), '%Y-%m-%dT%H:%M:%SZ') FROM audited
                                 WHERE target = $t) AS data_end,
                                strftime(p.own_since, '%Y-%m-%dT%H:%M:%SZ') AS own_since,
                                strftime(p.own_until, '%Y-%m-%dT%H:%M:%SZ') AS own_until, p.basis
                         FROM periods p WHERE p.target = $t""", {"t": subject.label})
    cov = coverage(con, subject.label)
    name, n, ex = subject.label, settings.min_n, settings.examples
    families: dict[str, Any] = {
        "platform": ", ".join(subject.platforms), "account": name,
        "members": [{"platform": m.platform, "account": m.account} for m in subject.members],
        "period": period, "coverage": cov,
        "responsiveness": responsiveness(con, name, settings) if cov["responsiveness"]["status"] == "ok"
        else {"status": "unknown", "reason": cov["responsiveness"]["reason"]},
        "conversation": conversation(con, name, n),
        "broadcast": broadcast(con, name, n, ex),
        "voice": voice(con, name, n, ex),
        "content": content(con, name, n, settings.timezone),
        "function": function(con, name, n, ex),
    }
    audit = AuditResult.model_validate({**families, "maturity": _PENDING})
    audit.maturity = maturity(audit)
    return audit
