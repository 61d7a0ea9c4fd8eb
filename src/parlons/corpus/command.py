"""``parlons audit --all-accounts``: the options and the progress bar (the CLI stays thin)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..audit import AuditSettings
from ..errors import UsageError
from ..i18n import N_, translator
from . import ENGINES, CorpusAudit, audit_corpus

__all__ = ["all_accounts_options", "check_options", "run_all_accounts"]

F = TypeVar("F", bound=Callable[..., Any])

OPTIONS = [
    click.option("--all-accounts", is_flag=True,
                 help=N_("Audit every account of the store: one row per account, written with -o.")),
    click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                 help=N_("With --all-accounts: the table to write (.parquet or .csv).")),
    click.option("--accounts-file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                 help=N_("With --all-accounts: only the accounts listed in this file (one per line).")),
    click.option("--min-posts", type=click.IntRange(1), default=1, show_default=True,
                 help=N_("With --all-accounts: only accounts with at least this many posts.")),
    click.option("--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
                 help=N_("With --all-accounts: DuckDB on this machine, or Apache Spark.")),
    click.option("--spark-master", metavar="URL",
                 help=N_("With --engine spark: the Spark master (default local[*]).")),
    click.option("--jobs", type=click.IntRange(1),
                 help=N_("With --engine duckdb: worker processes (default: one per core).")),
]


def all_accounts_options(command: F) -> F:
    """Add the ``--all-accounts`` options to ``parlons audit``."""
    for option in reversed(OPTIONS):
        command = option(command)
    return command


def check_options(lang: str, *, all_accounts: bool, account: str | None, output: Path | None,
                  single_only: bool, corpus_only: bool) -> None:
    """``--all-accounts`` takes no ACCOUNT, no ``--vs``/``--with``/``--name``/``--json`` and needs ``-o``;
    without it, the corpus options (``-o``, ``--accounts-file``, ``--min-posts``, ``--engine``...) make no sense."""
    t = translator(lang)
    if all_accounts:
        if account is not None or single_only:
            raise UsageError(t.gettext("--all-accounts audits every account: give no ACCOUNT, --vs, --with, "
                                       "--name or --json"))
        if output is None:
            raise UsageError(t.gettext("--all-accounts needs -o FILE (.parquet or .csv)"))
    elif account is None:
        raise UsageError(t.gettext("give the ACCOUNT to audit, or --all-accounts"))
    elif output is not None or corpus_only:
        raise UsageError(t.gettext("-o, --accounts-file, --min-posts, --engine, --spark-master and --jobs go "
                                   "with --all-accounts"))


def run_all_accounts(lang: str, source: Path, output: Path, *, settings: AuditSettings, since: datetime | None,
                     until: datetime | None, accounts_file: Path | None, min_posts: int, engine: str,
                     spark_master: str | None, jobs: int | None) -> CorpusAudit:
    """Run :func:`~parlons.corpus.audit_corpus` with a progress bar on stderr (accounts done, time left)."""
    t = translator(lang)
    console = Console(stderr=True)
    columns = (TextColumn(t.gettext("accounts audited")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("·"), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
        def start(total: int) -> Callable[[int], None]:
            task = progress.add_task("audit", total=total)
            return lambda done: progress.advance(task, done)

        return audit_corpus(dataset_location(source), output, engine=engine, min_posts=min_posts,
                            accounts_file=accounts_file, settings=settings, since=since, until=until, jobs=jobs,
                            spark_master=spark_master, progress=start)


def dataset_location(path: Path) -> str:
    """``s3a://bucket/x`` survives the path option (which folds ``//``): object-store URLs for Spark."""
    text = str(path)
    return re.sub(r"^([a-z][a-z0-9+.-]*):/(?!/)", r"\1://", text)
