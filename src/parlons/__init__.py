"""parlons: audit whether an organization converses or only broadcasts, from its own exports.

The public API is exactly :data:`__all__` (a test keeps it complete and importable); everything
else is private. Heavy parts (reports, plans, demo) are imported on first use.

>>> from parlons import Store, import_paths, run_audit
>>> with Store("client.duckdb") as store:                          # doctest: +SKIP
...     import_paths(store, ["twitter-2024.zip"])
...     audits = run_audit(store.con, ["MairieDeBrest"])
...     audits[0].responsiveness.status, audits[0].value("responsiveness.answered_share")

``run_audit`` returns :class:`AuditResult` models (typed, versioned by ``AUDIT_SCHEMA_VERSION``;
their JSON form is described by ``docs/schema/audit-result-v1.json``).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "AuditSettings": "parlons.audit",
    "READ_COLUMNS": "parlons.audit",
    "corpus_facts": "parlons.audit",
    "merge_facts": "parlons.audit",
    "CORPUS_FACTS": "parlons.audit",
    "DUP_COLUMNS": "parlons.audit",
    "OWNER_DUPS_SQL": "parlons.audit",
    "build_owner_dups": "parlons.audit",
    "dup_rows_sql": "parlons.audit",
    "explain_post": "parlons.audit",
    "open_posts": "parlons.audit",
    "run_audit": "parlons.audit",
    "AUDIT_SCHEMA_VERSION": "parlons.audit.result",
    "AuditResult": "parlons.audit.result",
    "Benchmark": "parlons.audit.result",
    "Coverage": "parlons.audit.result",
    "Figure": "parlons.audit.result",
    "Maturity": "parlons.audit.result",
    "Period": "parlons.audit.result",
    "Responsiveness": "parlons.audit.result",
    "ResponsivenessUnknown": "parlons.audit.result",
    "UnansweredRequest": "parlons.audit.result",
    "audit_json_schema": "parlons.audit.result",
    "dump_audits": "parlons.audit.result",
    "load_audits": "parlons.audit.result",
    "CollectReport": "parlons.collect",
    "collect_bluesky": "parlons.collect",
    "collect_feeds": "parlons.collect",
    "collect_mastodon": "parlons.collect",
    "CollectError": "parlons.errors",
    "FormatNotRecognised": "parlons.errors",
    "InputError": "parlons.errors",
    "MappingError": "parlons.errors",
    "OutputError": "parlons.errors",
    "ParlonsError": "parlons.errors",
    "StoreError": "parlons.errors",
    "UnsafeArchive": "parlons.errors",
    "UsageError": "parlons.errors",
    "ImportOptions": "parlons.importers._base",
    "FileReport": "parlons.ingest",
    "ImportReport": "parlons.ingest",
    "import_paths": "parlons.ingest",
    "POST_FIELDS": "parlons.model",
    "ACCOUNT_FIELDS": "parlons.model",
    "open_source": "parlons.sources",
    "MergeResult": "parlons.store",
    "Store": "parlons.store",
    "render": "parlons.report",
    "audit_charts": "parlons.report",
    "Chart": "parlons.report",
    "CHART_SECTIONS": "parlons.report",
    "metric_definitions": "parlons.report",
    "MetricDefinition": "parlons.report",
    "audit_corpus": "parlons.corpus",
    "CorpusAudit": "parlons.corpus",
    "import_dataset": "parlons.corpus.spark_import",
    "build_demo": "parlons.demo",
    "DEMO_ACCOUNTS": "parlons.demo",
    "DemoAccounts": "parlons.demo",
    "load_plan": "parlons.plan",
    "run_checks": "parlons.plan",
    "recommend": "parlons.plan",
    "KpiProgress": "parlons.plan.progress",
    "format_kpi_value": "parlons.plan.progress",
    "measure_kpis": "parlons.plan.progress",
    "metric_label": "parlons.plan.words",
    "INTERVIEW_STEPS": "parlons.plan.wizard",
    "InterviewProblem": "parlons.plan.wizard",
    "answer_interview_step": "parlons.plan.wizard",
    "interview_answers": "parlons.plan.wizard",
    "interview_draft": "parlons.plan.wizard",
    "interview_options": "parlons.plan.wizard",
    "kpi_metrics": "parlons.plan.wizard",
    "plan_from_interview": "parlons.plan.wizard",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'parlons' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
