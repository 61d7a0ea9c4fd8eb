"""The audit: one module per family of metrics, all computed by DuckDB queries over ``posts``.

``run_audit`` resolves the accounts, reads the store-wide facts (``facts.py``), builds the scoped
tables (``scope.py``) and the per-post features (``features.py``) once, then asks each family for
the figures of every audited subject (each family's queries run once, grouped by subject: auditing
many accounts costs about what auditing one does, plus what is per post). Every share carries its
denominator ``n``; what the data cannot support says ``unknown`` with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import engine
from ..errors import StoreError
from ..store import DEFAULT_MEMORY_LIMIT, MEMORY_ENV
from ._sql import per_target
from .benchmark import benchmark
from .broadcast import broadcast, prepare_duplicates
from .content import content
from .conversation import conversation
from .coverage import coverage
from .explain import explain_post
from .facts import (
    CORPUS_FACTS,
    DUP_COLUMNS,
    FACT_TABLES,
    OWNER_DUPS_SQL,
    build_facts,
    build_importer_precision,
    build_owner_dups,
    dup_rows_sql,
    merge_facts,
    use_facts,
)
from .features import build_features
from .function import function
from .maturity import maturity
from .responsiveness import responsiveness
from .result import AuditResult, Maturity
from .scope import READ_COLUMNS, Audited, prepare, resolve, resolve_many
from .settings import AuditSettings
from .voice import voice

__all__ = ["CORPUS_FACTS", "DUP_COLUMNS", "OWNER_DUPS_SQL", "READ_COLUMNS", "AuditResult", "AuditSettings",
           "build_owner_dups", "corpus_facts", "dup_rows_sql", "explain_post", "merge_facts", "open_posts", "run_audit"]

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
              until: datetime | None = None, settings: AuditSettings | None = None, separately: bool = False,
              facts: Mapping[str, pa.Table] | None = None) -> list[AuditResult]:
    """Audit ``accounts[0]`` and its peers ``accounts[1:]``; return one result per audited subject.

    ``together`` names more accounts of the same organization (another platform, a support
    account): they are audited with ``accounts[0]`` as one subject, called ``label``.
    ``separately`` audits each account as if it were audited alone (its own period, duplicates
    among its own and owners' posts, no comparison): many accounts in one pass, each with the
    figures of ``run_audit(con, [account])``. ``facts`` (:func:`corpus_facts`) are the store-wide
    facts to read instead of those of ``posts`` (the all-accounts audit hands over the corpus's:
    :data:`CORPUS_FACTS`, and ``owner_dups``, :data:`DUP_COLUMNS` of the audited posts, instead of
    ``owner_keys``); with them, the audit reads no column of ``posts`` but :data:`READ_COLUMNS`.
    """
    settings = settings or AuditSettings()
    if separately:
        return _separately(con, accounts, platform, since, until, settings, facts)
    first = [resolve(con, name, platform) for name in (accounts[0], *together)]
    subjects = [Audited(label or " + ".join(t.account for t in first), tuple(first))]
    subjects += [Audited(t.account, (t,)) for t in (resolve(con, name, platform) for name in accounts[1:])]
    subjects = _unique_labels(subjects)
    try:
        audits = _audit_all(con, subjects, since, until, settings, facts, separately=False)
    except duckdb.Error as exc:
        raise StoreError(f"the audit query failed: {exc}") from None
    if len(audits) > 1:
        benchmark(audits)
    return audits


def _separately(con: duckdb.DuckDBPyConnection, accounts: Sequence[str], platform: str | None,
                since: datetime | None, until: datetime | None, settings: AuditSettings,
                facts: Mapping[str, pa.Table] | None) -> list[AuditResult]:
    """Each account audited as if alone; two names of one account share its result."""
    targets = resolve_many(con, accounts, platform)
    subjects = _unique_labels(list({t: Audited(t.account, (t,)) for t in targets}.values()))
    try:
        audits = _audit_all(con, subjects, since, until, settings, facts, separately=True)
    except duckdb.Error as exc:
        raise StoreError(f"the audit query failed: {exc}") from None
    by_target = {s.members[0]: a for s, a in zip(subjects, audits, strict=True)}
    return [by_target[t] for t in targets]


def corpus_facts(con: duckdb.DuckDBPyConnection, names: Sequence[str] = FACT_TABLES) -> dict[str, pa.Table]:
    """The store-wide facts an audit reads (``facts.py``), computed once over ``posts`` and ``accounts``
    (of a whole corpus; or of a part, then combined with :func:`merge_facts`)."""
    build_facts(con, names)
    return {name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in names}


def _unique_labels(subjects: list[Audited]) -> list[Audited]:
    """Subjects whose labels collide (one handle on two platforms) are named ``platform:handle``."""
    labels = [s.label for s in subjects]
    return [Audited(f"{s.members[0].platform}:{s.label}", s.members)
            if labels.count(s.label) > 1 and len(s.members) == 1 else s for s in subjects]


def _audit_all(con: duckdb.DuckDBPyConnection, subjects: list[Audited], since: datetime | None,
               until: datetime | None, settings: AuditSettings, facts: Mapping[str, pa.Table] | None, *,
               separately: bool) -> list[AuditResult]:
    """Every subject's result: each family's queries run once for all subjects, grouped by subject."""
    if facts is None:
        build_facts(con, [name for name in FACT_TABLES if name != "importer_precision"])
    else:
        use_facts(con, facts)
    prepare(con, subjects, since, until, separately=separately)
    if facts is None or "importer_precision" not in facts:
        importers = con.execute("SELECT DISTINCT importer FROM own_all ORDER BY importer").fetchall()
        build_importer_precision(con, [row[0] for row in importers])
    build_features(con)
    prepare_duplicates(con, separately=separately, owner_dups_given=facts is not None and "owner_dups" in facts)
    names = [s.label for s in subjects]
    periods = per_target(con, """SELECT p.target, strftime(p.since, '%Y-%m-%dT%H:%M:%SZ') AS since,
                                strftime(p.until, '%Y-%m-%dT%H:%M:%SZ') AS until,
                                strftime(a.data_end, '%Y-%m-%dT%H:%M:%SZ') AS data_end,
                                strftime(p.own_since, '%Y-%m-%dT%H:%M:%SZ') AS own_since,
                                strftime(p.own_until, '%Y-%m-%dT%H:%M:%SZ') AS own_until, p.basis
                         FROM periods p
                         LEFT JOIN (SELECT target, max(data_end) AS data_end FROM audited GROUP BY target) a
                           USING (target)""")
    cov = coverage(con, names)
    n, ex = settings.min_n, settings.examples
    known = [name for name in names if cov[name]["responsiveness"]["status"] == "ok"]
    answers = responsiveness(con, known, settings) if known else {}
    families = {"conversation": conversation(con, names, n), "broadcast": broadcast(con, names, n, ex),
                "voice": voice(con, names, n, ex), "content": content(con, names, n, settings.timezone),
                "function": function(con, names, n, ex)}
    audits = []
    for subject in subjects:
        name = subject.label
        audit = AuditResult.model_validate({
            "platform": ", ".join(subject.platforms), "account": name,
            "members": [{"platform": m.platform, "account": m.account} for m in subject.members],
            "period": periods[name], "coverage": cov[name],
            "responsiveness": answers[name] if name in answers
            else {"status": "unknown", "reason": cov[name]["responsiveness"]["reason"]},
            **{family: figures[name] for family, figures in families.items()},
            "maturity": _PENDING})
        audit.maturity = maturity(audit)
        audits.append(audit)
    return audits
