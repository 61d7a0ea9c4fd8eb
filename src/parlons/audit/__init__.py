"""The audit: one module per family of metrics, all computed by DuckDB queries over ``posts``.

``run_audit`` resolves the accounts, builds the scoped tables (``scope.py``) and the per-post
features (``features.py``) once, then asks each family for its figures. Every share carries its
denominator ``n``; what the data cannot support says ``unknown`` with the reason.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from ..errors import StoreError
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
from .scope import Target, prepare, resolve
from .settings import AuditSettings
from .voice import voice

__all__ = ["AuditSettings", "explain_post", "open_posts", "run_audit"]


def open_posts(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A connection with ``posts`` and ``accounts``: a store file, or a folder of its Parquet export."""
    location = Path(path)
    if location.is_dir() and (location / "posts.parquet").exists():
        con = duckdb.connect(":memory:")
        for table in ("posts", "accounts"):
            target = str(location / f"{table}.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{target}')")
    else:
        from ..store import Store

        con = Store(location, read_only=True).con
    con.execute("SET TimeZone = 'UTC'")
    return con


def run_audit(con: duckdb.DuckDBPyConnection, accounts: list[str], *, platform: str | None = None,
              since: datetime | None = None, until: datetime | None = None,
              settings: AuditSettings | None = None) -> list[dict[str, Any]]:
    """Audit ``accounts`` (the first one and its peers) and return one dict per account."""
    settings = settings or AuditSettings()
    targets = [resolve(con, name, platform) for name in accounts]
    try:
        prepare(con, targets, since, until)
        build_features(con)
        prepare_duplicates(con)
    except duckdb.Error as exc:
        raise StoreError(f"the audit query failed: {exc}") from None
    audits = [_audit_one(con, t, settings) for t in targets]
    if len(audits) > 1:
        benchmark(audits)
    return audits


def _audit_one(con: duckdb.DuckDBPyConnection, target: Target, settings: AuditSettings) -> dict[str, Any]:
    period = one(con, """SELECT strftime(since, '%Y-%m-%dT%H:%M:%SZ') AS since,
                                strftime(until, '%Y-%m-%dT%H:%M:%SZ') AS until,
                                strftime(data_end, '%Y-%m-%dT%H:%M:%SZ') AS data_end
                         FROM audited WHERE account = $a AND platform = $p""",
                 {"a": target.account, "p": target.platform})
    cov = coverage(con, target.account, target.platform)
    name, n, ex = target.account, settings.min_n, settings.examples
    audit: dict[str, Any] = {
        "platform": target.platform, "account": name, "period": period, "coverage": cov,
        "responsiveness": responsiveness(con, name, settings) if cov["responsiveness"]["status"] == "ok"
        else {"status": "unknown", "reason": cov["responsiveness"]["reason"]},
        "conversation": conversation(con, name, n),
        "broadcast": broadcast(con, name, n, ex),
        "voice": voice(con, name, n, ex),
        "content": content(con, name, n, settings.timezone),
        "function": function(con, name, n, ex),
    }
    audit["maturity"] = maturity(audit)
    return audit
