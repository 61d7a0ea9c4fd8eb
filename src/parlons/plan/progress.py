"""Progress: each KPI measured on the latest audit, against its baseline and target, over time.

``measure_kpis(plan, audit, history)`` is pure: it reads the KPI's figure in the audit
(:func:`parlons.plan.measure.lookup`), compares it to the target, and places it among the earlier
measurements. ``record(plan, audit)`` also keeps the measurements: it appends them, dated by the end
of the audited period, to the sidecar ``PLAN.history.json`` (one entry per date: measuring the same
data twice changes nothing), and writes a KPI's baseline into the plan file when it has none yet
(the first measurement, with its date and denominator; comments in the file are kept).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ..audit.result import AuditResult
from . import Plan
from .measure import Measured, Target, catalogue, compare, lookup, parse_target

__all__ = ["KpiProgress", "audit_plan", "day_text", "format_kpi_value", "format_value", "history_path",
           "load_history", "measure_kpis", "record", "report_plan", "report_view"]


@dataclass
class KpiProgress:
    """One KPI at one audit."""

    id: str
    metric: str
    objective: str | None
    target: Target | None
    deadline: str | None
    baseline: dict[str, Any] | None
    current: Measured
    date: str
    series: list[tuple[str, float]] = field(default_factory=list)

    @property
    def status(self) -> str:
        """met, not met, overdue (not met after the deadline), too few, unknown, or no target."""
        if self.current.value is None:
            return self.current.status
        if self.target is None:
            return "no target"
        if compare(self.current.value, self.target):
            return "met"
        return "overdue" if self.deadline and self.date > self.deadline else "not met"

    @property
    def trend(self) -> str | None:
        """better, worse or steady since the previous measurement (toward the target or away from it)."""
        if len(self.series) < 2 or self.target is None:
            return None
        before, now = self.series[-2][1], self.series[-1][1]
        if now == before:
            return "steady"
        if self.target.op == "==":
            return "better" if abs(now - self.target.value) < abs(before - self.target.value) else "worse"
        higher = self.target.op in (">=", ">")
        return "better" if (now > before) == higher else "worse"

    @property
    def way(self) -> float | None:
        """How far from the baseline to the target the current value has come (1.0: there)."""
        base = (self.baseline or {}).get("value")
        if self.current.value is None or self.target is None or not isinstance(base, int | float):
            return None
        span = self.target.value - base
        return None if span == 0 else round((self.current.value - base) / span, 4)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "metric": self.metric, "objective": self.objective,
                "target": str(self.target) if self.target else None, "deadline": self.deadline,
                "baseline": self.baseline, "current": {**self.current.as_dict(), "date": self.date},
                "status": self.status, "trend": self.trend, "way": self.way,
                "series": [{"date": d, "value": v} for d, v in self.series]}


def audit_date(audit: AuditResult) -> str:
    """The date a measurement stands for: the end of the audited period (YYYY-MM-DD)."""
    end = audit.period.until or audit.period.data_end
    return str(end)[:10] if end else datetime.now(UTC).date().isoformat()


def measure_kpis(plan: dict[str, Any], audit: AuditResult,
                 history: Sequence[dict[str, Any]] = ()) -> list[KpiProgress]:
    """Every KPI of ``plan`` (plain dicts) measured on ``audit``, with the series of earlier measurements."""
    date = audit_date(audit)
    out = []
    for kpi in plan.get("kpis") or []:
        current = lookup(audit, str(kpi.get("metric")))
        past = [(str(h["date"]), float(v)) for h in history
                if h.get("date") != date and isinstance(v := (h.get("kpis") or {}).get(kpi["id"], {}).get("value"),
                                                        int | float)]
        series = sorted(past + ([(date, current.value)] if current.value is not None else []))
        out.append(KpiProgress(str(kpi["id"]), str(kpi.get("metric")), kpi.get("objective"),
                               parse_target(kpi.get("target")), kpi.get("deadline"), kpi.get("baseline"),
                               current, date, series))
    return out


def audit_plan(plan: Plan, con: Any, *, account: str | None = None, settings: Any = None,
               since: datetime | None = None, until: datetime | None = None) -> AuditResult:
    """Run the audit the plan names (its ``audit:`` section, or ``account``) on a store connection."""
    from ..audit import run_audit
    from ..errors import UsageError

    section = plan.data.get("audit") or {}
    name = account or section.get("account")
    if not name:
        raise UsageError("the plan names no account to audit: add 'audit: {account: NAME}' to it, or give --account")
    audits = run_audit(con, [name], together=() if account else section.get("with") or (),
                       label=None if account else section.get("name"),
                       platform=None if account else section.get("platform"), since=since, until=until,
                       settings=settings)
    return audits[0]


def history_path(plan_path: Path) -> Path:
    """``plan.yaml`` keeps its measurements in ``plan.history.json`` beside it."""
    return plan_path.with_name(f"{plan_path.stem}.history.json")


def load_history(plan_path: Path) -> list[dict[str, Any]]:
    path = history_path(plan_path)
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        from .document import PlanError

        raise PlanError(path, [f"the history cannot be read: {exc}"]) from None
    return list(data.get("measurements") or [])


def record(plan: Plan, audit: AuditResult) -> list[KpiProgress]:
    """Measure, append to the history (replacing a measurement of the same date), fill missing baselines."""
    history = load_history(plan.path)
    progress = measure_kpis(plan.data, audit, history)
    date = audit_date(audit)
    entry = {"date": date, "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "account": audit.account, "period": audit.period.model_dump(mode="json"),
             "kpis": {p.id: p.current.as_dict() for p in progress}}
    history = sorted([h for h in history if h.get("date") != date] + [entry], key=lambda h: str(h["date"]))
    _write_json(history_path(plan.path), {"plan": plan.path.name, "measurements": history})
    if _fill_baselines(plan, progress, audit):
        plan.save()
    return measure_kpis(plan.data, audit, history)


def _fill_baselines(plan: Plan, progress: list[KpiProgress], audit: AuditResult) -> bool:
    filled = False
    by_id = {p.id: p for p in progress}
    for kpi in plan.doc.get("kpis") or []:
        measured = by_id.get(str(kpi.get("id")))
        if kpi.get("baseline") or measured is None or measured.current.value is None:
            continue
        baseline = CommentedMap()
        baseline["value"] = measured.current.value
        if measured.current.n is not None:
            baseline["n"] = measured.current.n
        baseline["date"] = datetime.fromisoformat(measured.date).date()
        since = (audit.period.since or "")[:10]
        baseline["source"] = f"parlons audit {audit.account} ({since} – {measured.date})"
        kpi["baseline"] = baseline
        filled = True
    return filled


def _write_json(path: Path, data: dict[str, Any]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, ensure_ascii=False)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def format_value(metric: str, value: float | None, lang: str) -> str:
    """A KPI's value as the report shows it: a share in percent, a duration in h/min, else a number."""
    if value is None:
        return "–"
    from ..report.fmt import Formatter  # the report's formatting, loaded only when something is shown

    fmt, style = Formatter(lang), catalogue().get(metric, "decimal")
    if style == "share":
        return fmt.share(value)
    if style == "duration":
        return fmt.duration(value)
    return fmt.count(value) if style in ("count", "level") else fmt.decimal(value, 2)


def format_kpi_value(metric: str, value: float | None, lang: str) -> str:
    """:func:`format_value`, by its public name (``parlons.format_kpi_value``)."""
    return format_value(metric, value, lang)


STATUS = {"fr": {"met": "atteint", "not met": "pas encore", "overdue": "en retard", "too few": "trop peu",
                 "unknown": "inconnu", "no target": "sans cible", "better": "en progrès", "worse": "en recul",
                 "steady": "stable"}}


def _word(word: str | None, lang: str) -> str:
    return "" if word is None else STATUS.get(lang, {}).get(word, word)


def report_plan(path: Path, audit: AuditResult, lang: str) -> dict[str, Any]:
    """The plan file at ``path`` as the report shows it, its KPIs measured on ``audit`` (``report --plan``)."""
    from . import load_plan

    return report_view(load_plan(path), audit, lang)


def report_view(plan: Plan, audit: AuditResult | None, lang: str) -> dict[str, Any]:
    """The plan as ``parlons.report.render(..., plan=...)`` shows it: name, objectives, KPIs, findings.

    Everything is in words for the reader: each KPI by its figure's readable name, dates written
    for the locale, severities translated (the codes stay in the plan file and in ``--json``).
    """
    from .checks import run_checks
    from .words import label, metric_label

    data = plan.data
    progress = measure_kpis(data, audit, load_history(plan.path)) if audit is not None else []
    kpis = [_kpi_row(p, lang) | {"metric": metric_label(p.metric, lang)} for p in progress]
    today = _as_date(audit_date(audit)) if audit is not None else None
    findings = [{"severity": label("severity", f.severity, lang), "message": f.message}
                for f in run_checks(data, lang, today)]
    objectives = [f"{o.get('text')}" + (f" ({_by(o['deadline'], lang)})" if o.get("deadline") else "")
                  for o in data.get("objectives") or []]
    return {"name": data.get("name") or (data.get("organization") or {}).get("name") or plan.path.stem,
            "objectives": objectives, "kpis": kpis, "findings": findings}


SYMBOLS = {">=": "≥", "<=": "≤", "==": "="}


def _kpi_row(p: KpiProgress, lang: str) -> dict[str, str]:
    base = (p.baseline or {}).get("value")
    baseline = format_value(p.metric, base if isinstance(base, int | float) else None, lang)
    when = (p.baseline or {}).get("date")
    target = (f"{SYMBOLS.get(p.target.op, p.target.op)} {format_value(p.metric, p.target.value, lang)}"
              if p.target else "–")
    status = _word(p.status, lang) + (f", {_word(p.trend, lang)}" if p.trend else "")
    return {"baseline": f"{baseline} ({day_text(when, lang)})" if when else baseline,
            "current": f"{format_value(p.metric, p.current.value, lang)} ({day_text(p.date, lang)})",
            "target": f"{target} {_by(p.deadline, lang)}" if p.deadline else target, "status": status}


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def day_text(value: Any, lang: str) -> str:
    """A date (``2024-06-30`` or a date) written for the reader: « 30 juin 2024 », "June 30, 2024"."""
    from ..report.fmt import day_text as written

    day = _as_date(value)
    return written(day, "long", lang) if day else str(value)


def _by(deadline: Any, lang: str) -> str:
    return f"d'ici le {day_text(deadline, lang)}" if lang == "fr" else f"by {day_text(deadline, lang)}"
