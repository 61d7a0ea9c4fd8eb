"""The commands that audit: ``parlons audit``, ``report`` and ``explain``.

Loaded by :class:`parlons.cli._Parlons` when one of them runs or the help lists them, so that
``parlons import`` does not pay for the audit's modules (pydantic, the corpus' Parquet and
file systems): about 0.25 CPU-seconds and 20 MB at every start.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from .audit import AuditSettings, explain_post, open_posts, run_audit
from .audit.explain import describe as describe_post
from .audit.result import AuditResult, dump_audits
from .cli import make_console, store_option
from .cli_i18n import Command, language
from .corpus import ENGINES
from .corpus.command import check_options, run_all_accounts
from .errors import UsageError
from .i18n import LANGUAGES, N_, format_count, resolve_language, translator
from .outputs import check_output_file
from .store import resolve_store_path
from .timezones import choose_timezone

__all__ = ["audit_command", "explain_command", "report_command"]

F = TypeVar("F", bound=Callable[..., Any])


def audit_options(timezone_help: str) -> Callable[[F], F]:
    """The options ``audit`` and ``report`` share: who, when, where from, and the audit's settings."""
    options = [
        click.option("--with", "together", multiple=True, metavar="ACCOUNT",
                     help="Another account of the same organization, audited together with ACCOUNT (repeatable)."),
        click.option("--name", "label", help="Name of the organization when --with is given."),
        click.option("--vs", "peers", multiple=True, metavar="ACCOUNT", help="A peer or competitor (repeatable)."),
        click.option("--platform", help="Platform of the accounts, when a name exists on several."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
                     help="Start of the period (UTC)."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
                     help="End of the period (UTC)."),
        store_option,
        click.option("--min-n", type=click.IntRange(1), default=AuditSettings.min_n, show_default=True,
                     help="Smallest denominator for a share or a median; fewer is shown as 'too few'."),
        click.option("--pending-hours", type=click.FloatRange(0), default=AuditSettings.pending_window_s / 3600,
                     show_default=True, help="Unanswered requests this recent are 'pending'."),
        click.option("--timezone", help=timezone_help),
        click.option("--business-hours", metavar="OPEN-CLOSE", help="Working hours, Monday to Friday, e.g. 9-18."),
    ]

    def apply(command: F) -> F:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


ALL_ACCOUNTS_OPTIONS = [
    click.option("--all-accounts", is_flag=True,
                 help=N_("Audit every account of the store: one row per account, written with -o.")),
    click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                 help=N_("With --all-accounts: the table to write (.parquet or .csv).")),
    click.option("--accounts-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                 help=N_("With --all-accounts: only the accounts listed in this file (one per line).")),
    click.option("--min-posts", type=click.IntRange(1), default=1, show_default=True,
                 help=N_("With --all-accounts: only accounts with at least this many posts in the period.")),
    click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
                 help=N_("With --all-accounts: DuckDB on this machine, or Apache Spark.")),
    click.option("--spark-master", metavar="URL",
                 help=N_("With --engine spark: the Spark master (default local[*]).")),
    click.option("--jobs", type=click.IntRange(1),
                 help=N_("With --engine duckdb: worker processes (default: one per core).")),
]




def all_accounts_options(command: F) -> F:
    """The options of ``parlons audit --all-accounts`` (:mod:`parlons.corpus`)."""
    for option in reversed(ALL_ACCOUNTS_OPTIONS):
        command = option(command)
    return command


def _audit_from_options(account: str, peers: tuple[str, ...], together: tuple[str, ...], label: str | None,
                        platform: str | None, since: datetime | None, until: datetime | None,
                        store_path: Path | None, min_n: int, pending_hours: float, timezone: str,
                        business_hours: str | None) -> list[AuditResult]:
    settings = AuditSettings(min_n=min_n, pending_window_s=int(pending_hours * 3600), timezone=timezone,
                             business_hours=_hours(business_hours))
    con = open_posts(store_path if store_path is not None and _is_export(store_path)
                     else resolve_store_path(store_path))
    with make_console(stderr=True).status(translator(language()).gettext("auditing…")):
        return run_audit(con, [account, *peers], together=together, label=label, platform=platform,
                         since=_utc(since), until=_utc(until), settings=settings)


@click.command("audit", cls=Command)
@click.argument("account", required=False, metavar="ACCOUNT")
@audit_options(N_("Time zone for the weekday-by-hour table and business hours (default: the machine's)."))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per account (an array).")
@all_accounts_options
def audit_command(account: str | None, together: tuple[str, ...], label: str | None, peers: tuple[str, ...],
                  platform: str | None, since: datetime | None,
                  until: datetime | None, store_path: Path | None, min_n: int, pending_hours: float,
                  timezone: str | None, business_hours: str | None, as_json: bool, **corpus: Any) -> None:
    """Audit an account: responsiveness, conversation, broadcast, voice, content, function, maturity.

    The store may also be a folder holding a Parquet export (posts.parquet, accounts.parquet).

    With --all-accounts: every account of the store, one row each, written to a .parquet or .csv table.

    \b
    Example:
      parlons audit AppleSupport --vs SpotifyCares --json
      parlons audit MairieDeBrest --with @brest@social.example --name "Ville de Brest" --vs VilleDeQuimper
      parlons audit @mairie@social.example --since 2024-01-01 --business-hours 9-18 --timezone Europe/Paris
      parlons audit --all-accounts --store corpus.duckdb --min-posts 20 -o accounts.parquet
    """
    check_options(language(), all_accounts=corpus["all_accounts"], account=account, output=corpus["output"],
                  single_only=bool(peers or together or label or as_json), corpus_only=_corpus_only(corpus))
    if corpus["all_accounts"]:
        _audit_all(store_path, since, until, min_n, pending_hours, timezone, business_hours, platform, corpus)
        return
    assert account is not None
    audits = _audit_from_options(account, peers, together, label, platform, since, until, store_path, min_n,
                                 pending_hours, choose_timezone(timezone).name, business_hours)
    if as_json:
        click.echo(dump_audits(audits))
    else:
        from .summary import print_summary  # the report's number formats, loaded for the table alone

        print_summary(make_console(), audits, language())


def _corpus_only(corpus: dict[str, Any]) -> bool:
    return bool(corpus["accounts_file"] or corpus["engine"] != "duckdb" or corpus["spark_master"]
                or corpus["jobs"] or corpus["min_posts"] != 1)


def _audit_all(store_path: Path | None, since: datetime | None, until: datetime | None, min_n: int,
               pending_hours: float, timezone: str | None, business_hours: str | None, platform: str | None,
               corpus: dict[str, Any]) -> None:
    if platform is not None:
        raise UsageError(translator(language()).gettext("--platform picks one account; with --all-accounts, "
                                                        "list the accounts in --accounts-file"))
    settings = AuditSettings(min_n=min_n, pending_window_s=int(pending_hours * 3600),
                             timezone=choose_timezone(timezone).name, business_hours=_hours(business_hours))
    source = store_path if store_path is not None and (corpus["engine"] == "spark" or _is_export(store_path)) \
        else resolve_store_path(store_path)
    done = run_all_accounts(language(), source, corpus["output"], settings=settings, since=_utc(since),
                            until=_utc(until), accounts_file=corpus["accounts_file"], min_posts=corpus["min_posts"],
                            engine=corpus["engine"], spark_master=corpus["spark_master"], jobs=corpus["jobs"])
    template = translator(language()).ngettext("%(n)s account audited: %(path)s", "%(n)s accounts audited: %(path)s",
                                               done.accounts)
    click.echo(template % {"n": format_count(done.accounts, language()), "path": str(done.output)})


@click.command("report", cls=Command)
@click.argument("account")
@audit_options(N_("Time zone for dates, the weekday-by-hour chart and business hours (default: the plan's, else "
                   "the machine's; the report says which)."))
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of the report (default: from LC_ALL/LC_MESSAGES/LANG, else French).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The report file: .html (one self-contained page) or .pdf (A4).")
@click.option("--plan", "plan_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A plan file (parlons plan new): the report shows it, its checks and each KPI's progress.")
def report_command(account: str, together: tuple[str, ...], label: str | None, peers: tuple[str, ...],
                   platform: str | None, since: datetime | None, until: datetime | None, store_path: Path | None,
                   min_n: int, pending_hours: float, timezone: str | None, business_hours: str | None, lang: str | None,
                   output: Path, plan_path: Path | None = None) -> None:
    """Write the audit as a report a client reads: HTML (self-contained, offline) or PDF (A4), French or English.

    The report opens with the verdict (maturity level, evidence, three priorities), then
    responsiveness with the unanswered requests, conversation and broadcast, voice, content and
    cadence, post function, peers side by side (--vs), and a methods appendix.

    \b
    Example:
      parlons report MairieDeBrest --vs VilleDeQuimper -o rapport.html
      parlons report AppleSupport --lang en --since 2024-01-01 --timezone America/New_York -o report.pdf
    """
    from .plan import load_plan
    from .plan.progress import report_view
    from .report import render

    check_output_file(output, "the report")
    plan = load_plan(plan_path) if plan_path else None
    zone = choose_timezone(timezone, plan.data.get("timezone") if plan else None)
    audits = _audit_from_options(account, peers, together, label, platform, since, until, store_path, min_n,
                                 pending_hours, zone.name, business_hours)
    code = resolve_language(lang)
    written = render(audits, output, lang=code, plan=report_view(plan, audits[0], code) if plan else None,
                     timezone_source=zone.source)
    click.echo(str(written))


@click.command("explain", cls=Command)
@click.argument("post_id")
@click.option("--platform", help="Platform of the post, when the id exists on several.")
@store_option
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of the explanation (default: from LC_ALL/LC_MESSAGES/LANG, else French).")
@click.option("--json", "as_json", is_flag=True, help="Print the raw data as JSON (for programs).")
def explain_command(post_id: str, platform: str | None, store_path: Path | None, lang: str | None,
                    as_json: bool) -> None:
    """Show why the audit classifies a post as it does: language, lexicon words, function, asking, automation.

    \b
    Example:
      parlons explain 1700000000000000004 --platform x --lang en
    """
    con = open_posts(store_path if store_path is not None and _is_export(store_path)
                     else resolve_store_path(store_path))
    why = explain_post(con, post_id, platform)
    if as_json:
        click.echo(json.dumps(why, indent=2, ensure_ascii=False))
    else:
        click.echo(describe_post(why, lang or language()))


def _is_export(path: Path | None) -> bool:
    try:
        return path is not None and path.is_dir() and (path / "posts.parquet").exists()
    except OSError:  # a folder that cannot be searched: resolve_store_path says so clearly
        return False


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def _hours(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    opens, sep, closes = value.partition("-")
    if not (sep and opens.isdigit() and closes.isdigit() and 0 <= int(opens) < int(closes) <= 24):
        raise UsageError(translator(language()).gettext(
            "--business-hours expects OPEN-CLOSE hours such as 9-18, got %(value)s") % {"value": repr(value)})
    return int(opens), int(closes)
