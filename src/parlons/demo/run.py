"""The whole demo in one call: write the exports, import them into a fresh store, audit, report.

This is the library behind ``parlons demo``. The reports are written only when the report package
(``parlons.report``, with ``render(audits, output, lang=...)``) is installed; otherwise the run says
so and everything else is still done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..audit import AuditSettings, open_posts, run_audit
from ..audit.result import AuditResult, dump_audits
from ..ingest import ImportReport, import_paths
from ..store import Store
from . import DEMO_ACCOUNTS, plan_demo, write_demo

__all__ = ["DemoRun", "run_demo"]

STORE_NAME = "parlons.duckdb"


@dataclass
class DemoRun:
    """Where everything went, and what was found."""

    folder: Path
    exports: list[Path]
    store: Path
    imported: ImportReport
    audits: list[AuditResult]
    audit_json: Path
    reports: list[Path] = field(default_factory=list)
    """Why the reports were not written, if they were not."""


def run_demo(folder: Path, *, lang: str = "fr", scale: float = 1.0, seed: int = 7) -> DemoRun:
    """Build the demo into ``folder``: ``exports/``, ``parlons.duckdb`` (fresh), ``audit.json``, reports."""
    folder = Path(folder)
    demo = plan_demo(lang, scale, seed)
    exports = write_demo(demo, folder / "exports")
    store_path = _fresh_store(folder)
    imported = _import(store_path, exports)
    audits = _audit(store_path, demo.name)
    audit_json = folder / "audit.json"
    audit_json.write_text(dump_audits(audits) + "\n", encoding="utf-8")
    run = DemoRun(folder, exports, store_path, imported, audits, audit_json)
    _reports(run, lang)
    return run


def _fresh_store(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STORE_NAME
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    return path


def _import(store_path: Path, exports: list[Path]) -> ImportReport:
    store = Store(store_path)
    try:
        report = import_paths(store, exports)
    except BaseException:
        store.discard()
        raise
    store.close()
    return report


def _audit(store_path: Path, name: str) -> list[AuditResult]:
    """The organization (X, Mastodon and blog together) against its two peers on X."""
    con = open_posts(store_path)
    try:
        return run_audit(con, [DEMO_ACCOUNTS.account, *DEMO_ACCOUNTS.peers], together=list(DEMO_ACCOUNTS.together),
                         label=name, settings=AuditSettings(timezone="Europe/Paris"))
    finally:
        con.close()


def _reports(run: DemoRun, lang: str) -> None:
    from ..report import render

    for name in ("report.html", "report.pdf"):
        render(run.audits, run.folder / name, lang=lang)
        run.reports.append(run.folder / name)
