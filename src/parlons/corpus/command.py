"""``parlons audit --all-accounts``: the options and the progress bar (the CLI stays thin)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from ..audit import AuditSettings
from ..cli_i18n import TranslatedUsageError, translate_click_message
from ..i18n import translator
from . import CorpusAudit, audit_corpus

__all__ = ["check_options", "dataset_location", "run_all_accounts"]

def check_options(lang: str, *, all_accounts: bool, account: str | None, output: Path | None,
                  single_only: bool, corpus_only: bool) -> None:
    """``--all-accounts`` takes no ACCOUNT, no ``--vs``/``--with``/``--name``/``--json`` and needs ``-o``;
    without it, ACCOUNT is required and the corpus options make no sense (click usage errors, exit 2)."""
    t = translator(lang)
    ctx = click.get_current_context()

    def usage(message: str) -> TranslatedUsageError:
        return TranslatedUsageError(message, ctx)

    if all_accounts:
        if account is not None or single_only:
            raise usage(t.gettext("--all-accounts audits every account: give no ACCOUNT, --vs, --with, "
                                   "--name or --json"))
        if output is None:
            raise usage(t.gettext("--all-accounts needs -o FILE (.parquet or .csv)"))
    elif account is None:
        missing = click.MissingParameter(ctx=ctx, param=next(p for p in ctx.command.params if p.name == "account"))
        raise usage(translate_click_message(missing.format_message(), t))
    elif output is not None or corpus_only:
        raise usage(t.gettext("-o, --accounts-file, --min-posts, --engine, --spark-master and --jobs "
                               "go with --all-accounts"))


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


def dataset_location(path: Path | str) -> str:
    """``s3a://bucket/x`` survives a path option (which folds ``//``): object-store URLs for Spark."""
    text = str(path)
    if text.startswith("file:/") and not text.startswith("file:///"):
        return "file:///" + text[len("file:/"):].lstrip("/")
    return re.sub(r"^([a-z][a-z0-9+.-]*):/(?!/)", r"\1://", text)
