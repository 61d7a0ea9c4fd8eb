"""``parlons plan``: build a plan in dialogue, check it for the classic mistakes, measure it on the audit.

A click group registered by ``parlons.cli``; each command is a thin front end over
:mod:`parlons.plan`. Errors are parlons' own (a :class:`~parlons.plan.PlanError` names the file,
the path in it and the line), printed once by ``parlons.cli.main``.

The help is in French or English like the rest of the command line (:mod:`parlons.cli_i18n`:
English msgids here, extracted through ``locale/babel.cfg``). What the commands print follows the
plan's language (``--lang``, else the plan's ``lang``, else the environment): the interview and the
checks carry their own French and English, the tables' words go through the catalogs.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..cli_i18n import Group
from ..i18n import LANGUAGES, N_, resolve_language, translator
from ..store import STORE_ENV, resolve_store_path
from ..timezones import choose_timezone
from . import Plan, load_plan, problems, recommend, run_checks
from .checks import Finding
from .document import PlanError, load_document, new_document, save_document
from .fit import Fit
from .interview import Interview
from .progress import KpiProgress, _word, audit_plan, day_text, format_value, load_history, measure_kpis, record
from .words import label, metric_label, place

__all__ = ["plan_group"]

FIT_COLUMNS = (N_("platform"), N_("score"), N_("recommended"), N_("chosen"), N_("reasons"))
PROGRESS_COLUMNS = (N_("kpi"), N_("metric"), N_("baseline"), N_("current"), N_("target"), N_("status"),
                    N_("trend"))


def _console() -> Console:
    console = Console(highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160
    return console


def _lang(option: str | None, plan_lang: object) -> str:
    if option:
        return resolve_language(option)
    return str(plan_lang) if plan_lang in LANGUAGES else resolve_language(None)


@click.group("plan", cls=Group)
def plan_group() -> None:
    """Build a social-media plan in dialogue, check it for the classic mistakes, hold it to the audit.

    \b
    Example:
      parlons plan new plan.yaml --lang fr
      parlons plan check plan.yaml
      parlons plan progress plan.yaml --store audit.duckdb
    """


@plan_group.command("new")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False), default=Path("plan.yaml"))
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the interview (default: the plan's, "
              "else from LC_ALL/LC_MESSAGES/LANG, else French).")
def new_command(file: Path, lang: str | None) -> None:
    """Build a plan by answering questions; saves after every step and resumes where it stopped.

    The three questions come first: your objective (and the real problem behind it), your
    resources (hours a week, budget), your skills (who does what). Then the organization and its
    audiences, archetypes, platforms (recommended with a score and its reasons), lines of work,
    inventory, actions and KPIs. A section already in the file is not asked again: write any of
    them by hand if you prefer (format: docs/plan.md).

    \b
    Example:
      parlons plan new plan.yaml --lang fr
      parlons plan new            # resumes ./plan.yaml, or starts it
    """
    doc = load_document(file) if file.exists() else new_document(resolve_language(lang))
    found = problems(doc)
    if found:
        raise PlanError(file, found)
    code = _lang(lang, doc.get("lang"))
    doc["lang"] = code
    save_document(doc, file)
    try:
        Interview(doc, file, code).run()
    except click.Abort:
        click.echo("\n" + ("Interrompu : les étapes terminées sont enregistrées dans " if code == "fr" else
                           "Interrupted: the finished steps are saved in ") + f"{file}; parlons plan new {file}"
                   + (" reprend là." if code == "fr" else " resumes there."), err=True)
        raise


@plan_group.command("check")
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the messages (default: the plan's).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as a JSON array.")
def check_command(plan: Path, lang: str | None, as_json: bool) -> None:
    """Check a plan for the classic mistakes; exit 1 when there are errors (warnings are listed).

    Each finding has a stable id (e.g. objective.no_problem), a severity, the place in the plan,
    a message and the seed post its idea comes from (docs/plan.md lists them all).

    \b
    Example:
      parlons plan check plan.yaml
      parlons plan check plan.yaml --lang en --json
    """
    loaded = load_plan(plan)
    code = _lang(lang, loaded.data.get("lang"))
    findings = run_checks(loaded.data, code)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in findings], indent=2, ensure_ascii=False))
    else:
        _print_findings(findings, code)
        errors = sum(f.severity == "error" for f in findings)
        t = translator(code)
        counted = t.ngettext("%(n)s error", "%(n)s errors", errors) % {"n": errors}
        click.echo(f"{plan}{' : ' if code == 'fr' else ': '}" + counted + ", "
                   + t.ngettext("%(n)s warning", "%(n)s warnings", len(findings) - errors)
                   % {"n": len(findings) - errors})
    if any(f.severity == "error" for f in findings):
        sys.exit(1)  # not click's Exit: parlons.cli.main runs click outside standalone mode, which would swallow it


def _print_findings(findings: list[Finding], lang: str) -> None:
    """Each finding in words: its severity and place, the message, then the idea and where it comes from."""
    colon = " : " if lang == "fr" else ": "
    idea = "Idée" if lang == "fr" else "Idea"
    for f in findings:
        colour = "red" if f.severity == "error" else "yellow"
        _console().print(f"[{colour}]{label('severity', f.severity, lang)}[/{colour}] · {escape(place(f.path, lang))}"
                         f"{colon}{escape(f.message)}\n  [dim]{idea}{colon}{escape(f.idea)} ({escape(f.source)})[/dim]")


@plan_group.command("fit")
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the reasons (default: the plan's).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as a JSON array.")
def fit_command(plan: Path, lang: str | None, as_json: bool) -> None:
    """Score every platform of the knowledge base for the plan, with the reasons behind each point.

    \b
    Example:
      parlons plan fit plan.yaml
    """
    loaded = load_plan(plan)
    code = _lang(lang, loaded.data.get("lang"))
    fits = recommend(loaded.data, code)
    if as_json:
        click.echo(json.dumps([f.as_dict() for f in fits], indent=2, ensure_ascii=False))
        return
    t = translator(code)
    table = Table(*(t.gettext(column) for column in FIT_COLUMNS))
    for f in fits:
        reasons = "\n".join(f"{r.points:+d} {r.text}" for r in f.reasons)
        table.add_row(f.platform.name, str(f.score), "*" if f.recommended else "", _chosen(f, code), reasons)
    _console().print(table)


def _chosen(fit: Fit, lang: str) -> str:
    """The fit table's "chosen" cell: yes (and why, when against the recommendation), or why declined."""
    t = translator(lang)
    if fit.chosen:
        return t.gettext("yes") + (" " + t.gettext("(overruled: %(why)s)") % {"why": fit.overrule}
                                   if fit.overrule else "")
    return t.gettext("declined: %(why)s") % {"why": fit.declined} if fit.declined is not None else ""


@plan_group.command("progress")
@click.argument("plan", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--store", "store_path", envvar=STORE_ENV, type=click.Path(path_type=Path),
              help="Store file or folder, or a Parquet export (default: ./parlons.duckdb; env PARLONS_STORE).")
@click.option("--account", help="Account to audit (default: the plan's audit: section).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="Start of the period (UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]), help="End of the period (UTC).")
@click.option("--min-n", type=click.IntRange(1), default=5, show_default=True,
              help="Smallest denominator for a share or a median; fewer is shown as 'too few'.")
@click.option("--no-record", is_flag=True, help="Measure only: write neither the history nor missing baselines.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the figures (default: the plan's).")
@click.option("--json", "as_json", is_flag=True, help="Print the KPIs' progress as a JSON array.")
def progress_command(plan: Path, store_path: Path | None, account: str | None, since: datetime | None,
                     until: datetime | None, min_n: int, no_record: bool, lang: str | None, as_json: bool) -> None:
    """Measure each KPI on the latest audit, against its baseline and target, with the trend.

    The measurement is dated by the end of the audited period and appended to PLAN.history.json
    (the same date twice replaces it); a KPI without a baseline gets this one, written into the
    plan with its date. --until replays an earlier state of the store.

    \b
    Example:
      parlons plan progress plan.yaml --store audit.duckdb
      parlons plan progress plan.yaml --until 2024-06-30 --json
    """
    from ..audit import AuditSettings, open_posts

    loaded = load_plan(plan)
    export = store_path is not None and store_path.is_dir() and (store_path / "posts.parquet").exists()
    con = open_posts(store_path if export and store_path is not None else resolve_store_path(store_path))
    zone = choose_timezone(None, loaded.data.get("timezone")).name
    audit = audit_plan(loaded, con, account=account, settings=AuditSettings(min_n=min_n, timezone=zone),
                       since=_utc(since), until=_utc(until))
    progress = (measure_kpis(loaded.data, audit, load_history(plan)) if no_record else record(loaded, audit))
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in progress], indent=2, ensure_ascii=False))
    else:
        _print_progress(loaded, progress, _lang(lang, loaded.data.get("lang")))


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _print_progress(plan: Plan, progress: list[KpiProgress], lang: str) -> None:
    t = translator(lang)
    table = Table(*(t.gettext(column) for column in PROGRESS_COLUMNS))
    for p in progress:
        base = p.baseline or {}
        value = base.get("value")
        baseline = format_value(p.metric, value if isinstance(value, int | float) else None, lang)
        current = format_value(p.metric, p.current.value, lang) + (f" (n={p.current.n})" if p.current.n else "")
        target = f"{p.target.op} {format_value(p.metric, p.target.value, lang)}" if p.target else "–"
        series = " → ".join(format_value(p.metric, v, lang) for _, v in p.series[-5:])
        trend = f"{_word(p.trend, lang)} {series}".strip()
        table.add_row(p.id, metric_label(p.metric, lang), f"{baseline} ({day_text(base.get('date', '–'), lang)})",
                      f"{current} ({day_text(p.date, lang)})",
                      f"{target} ({day_text(p.deadline, lang) if p.deadline else '–'})", _word(p.status, lang), trend)
    _console().print(table)
    click.echo(t.gettext("history: %(path)s") % {"path": plan.path.with_name(plan.path.stem + ".history.json")})
