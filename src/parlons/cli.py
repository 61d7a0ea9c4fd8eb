"""The ``parlons`` command: a thin front end over the library.

Each command parses its options, calls one library function and prints the result. Every
:class:`~parlons.errors.ParlonsError` is caught once, in :func:`main`, printed as one sentence and
turned into a non-zero exit code (see ``docs/cli.md``).

Everything printed is in French or English (:mod:`parlons.cli_i18n`): help texts and messages are
English msgids translated through parlons' catalogs, in the language of ``--lang`` where a command
has it, else of the environment, else French; counts and dates follow the locale.
"""

from __future__ import annotations

import importlib
import json
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import click
import duckdb
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import __version__
from ._launch import interrupted, was_interrupted
from .cli_i18n import Group, lang_in_args, language
from .engine import clean_leftovers
from .errors import ParlonsError, UsageError
from .i18n import LANGUAGES, N_, format_count, resolve_language, translator
from .importers._base import ImportOptions
from .ingest import FileReport, ImportReport, import_paths
from .mapping import load_mapping
from .outputs import check_output_folder
from .store import STORE_ENV, Store

__all__ = ["cli", "main"]

ACCOUNT_COLUMNS = (N_("platform"), N_("account"), N_("owner"), N_("posts"), N_("replies"), N_("reposts"),
                   N_("comments"), N_("first"), N_("last"))

store_option = click.option(
    "--store", "store_path", envvar=STORE_ENV, type=click.Path(path_type=Path),
    help="Store file or folder (default: ./parlons.duckdb; env PARLONS_STORE).")


def make_console(stderr: bool = False) -> Console:
    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 160
    return console


class _Parlons(Group):
    """The ``parlons`` group, whose ``plan`` and ``collect`` groups (and what they import: an HTTP client,
    the plan's knowledge base) and the commands that audit (:mod:`parlons.cli_audit`: pydantic, the
    corpus' Parquet) are loaded when one of them runs or the help lists them, so that ``parlons audit``
    does not pay for the first ones at every start, nor ``parlons import`` for any."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {"plan": ("parlons.plan.cli", "plan_group"),
                                                   "collect": ("parlons.collect.cli", "collect_group"),
                                                   "audit": ("parlons.cli_audit", "audit_command"),
                                                   "report": ("parlons.cli_audit", "report_command"),
                                                   "explain": ("parlons.cli_audit", "explain_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY and cmd_name not in self.commands:
            module, name = self.LAZY[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Parlons, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="parlons")
def cli() -> None:
    """Audit whether an organization converses or only broadcasts, from its own exports."""


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_option
@click.option("--format", "fmt", help="Force one importer (see `parlons formats`).")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="Column mapping for generic-csv/generic-jsonl (repeatable).")
@click.option("--mapping-file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A JSON or TOML file mapping model fields to columns.")
@click.option("--platform", help="Platform code for generic imports (default: generic).")
@click.option("--account", help="Owner handle when the input does not name it.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--engine", type=click.Choice(["store", "spark"]), default="store", show_default=True,
              help="store: into the DuckDB store; spark: in Spark tasks, into a Parquet dataset (-o).")
@click.option("-o", "--output", "dataset", metavar="DATASET",
              help="With --engine spark: the dataset folder or URL to write.")
@click.option("--spark-master", metavar="URL", help="With --engine spark: the Spark master (default local[*]).")
def import_command(paths: tuple[Path, ...], store_path: Path | None, fmt: str | None,
                   mapping: tuple[str, ...], mapping_file: Path | None, platform: str | None,
                   account: str | None, quiet: bool, as_json: bool, engine: str, dataset: str | None,
                   spark_master: str | None) -> None:
    """Import exports (files, folders, zip or tar archives) into the store, in one transaction.

    With --engine spark, each file is imported by a Spark task into a Parquet dataset (-o), the
    input of parlons audit --all-accounts --engine spark.

    \b
    Example:
      parlons import twitter-2024-01-01.zip mastodon-archive.zip --store audit.duckdb
      parlons import support.csv --format generic-csv --map post_id=id --map text=body ...
      parlons import --engine spark captures/*.jsonl -o corpus-dataset --spark-master local[4]
    """
    options = ImportOptions(load_mapping(mapping, mapping_file), platform, account)
    lang = language()
    if engine == "spark" or dataset is not None or spark_master is not None:
        _import_spark(lang, paths, engine, dataset, spark_master, fmt, options)
        return
    store: Store | None = None
    try:
        store = Store(store_path)
        with _progress(quiet or as_json, lang) as progress:
            task = progress.add_task(translator(lang).gettext("importing"), total=None)
            report = import_paths(store, paths, forced=fmt, options=options,
                                  progress=lambda name, n: progress.update(task, advance=n, description=name))
    except BaseException:
        if store is not None:
            with _uninterrupted():
                store.discard()
        raise
    store.close()
    if as_json:
        click.echo(json.dumps(_report_json(report), indent=2))
    elif not quiet:
        _Printer(lang).report(report, store.path)


@contextmanager
def _uninterrupted() -> Iterator[None]:
    # Cleanup that a second Ctrl-C must not cut short (the store's rollback and removal).
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _PostCount(ProgressColumn):
    """The number of posts read so far, in the reader's language."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def render(self, task: Task) -> Text:
        n = int(task.completed)
        return Text(translator(self.lang).ngettext("%(n)s post", "%(n)s posts", n) % {"n": format_count(n, self.lang)})


def _import_spark(lang: str, paths: tuple[Path, ...], engine: str, dataset: str | None, spark_master: str | None,
                  fmt: str | None, options: ImportOptions) -> None:
    from .corpus.command import dataset_location
    from .corpus.spark_import import import_dataset

    if engine != "spark" or dataset is None:
        raise UsageError(translator(lang).gettext("-o DATASET and --spark-master go with --engine spark, "
                                                  "which needs -o DATASET"))
    done = import_dataset([dataset_location(p) for p in paths], dataset_location(dataset),
                          master=spark_master, forced=fmt, options=options)
    click.echo(translator(lang).gettext("%(posts)s posts and %(accounts)s accounts from %(files)s files: "
                                        "%(dataset)s") % {"posts": format_count(done.posts, lang),
                                                          "accounts": format_count(done.accounts, lang),
                                                          "files": format_count(done.files, lang),
                                                          "dataset": done.output})


def _progress(disabled: bool, lang: str) -> Progress:
    console = make_console(stderr=True)
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), _PostCount(lang),
                    TimeElapsedColumn(), console=console, disable=disabled or not console.is_terminal,
                    transient=True)


def _report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "files": [{"path": f.path, "read": f.formats, "skipped": f.skipped,
                   "skipped_examples": [vars(e) for e in f.examples],
                   "known_not_imported": f.known, "unknown": f.unknown, "notes": f.notes}
                  for f in report.files],
        "merge": {**vars(report.merge),
                  "duplicate_examples": [dict(zip(("file", "member", "record", "post_id"), d, strict=True))
                                         for d in report.merge.duplicate_examples]},
    }


SHOWN_MEMBERS = 20
"""How many member names (or folders of them) an import's summary lists per file and kind."""


class _Printer:
    """Prints the import report in one language; what comes from the input is escaped, never markup."""

    def __init__(self, lang: str) -> None:
        self.lang, self.t, self.console = lang, translator(lang), make_console()

    def say(self, indent: int, message: str, style: str | None = None, **values: object) -> None:
        text = message % {k: escape(v if isinstance(v, str) else str(v)) for k, v in values.items()}
        self.console.print(" " * indent + text, style=style)

    def count(self, template: str, n: int, **values: object) -> str:
        """``template`` (chosen by ``ngettext`` for ``n``) with ``n`` written for the locale."""
        return template % {"n": format_count(n, self.lang), **values}

    def report(self, report: ImportReport, store: Path) -> None:
        for file in report.files:
            self.file(file)
        m, ngettext = report.merge, self.t.ngettext
        new = self.count(ngettext("%(n)s new post in %(store)s", "%(n)s new posts in %(store)s", m.inserted),
                         m.inserted, store=store)
        stored = self.count(ngettext("%(n)s already there", "%(n)s already there", m.already_stored),
                            m.already_stored)
        repeated = self.count(ngettext("%(n)s repeated in the input (first kept)",
                                       "%(n)s repeated in the input (first kept)", m.duplicates_in_input),
                              m.duplicates_in_input)
        self.say(0, self.t.gettext("%(new)s; %(stored)s, %(repeated)s."), new=new, stored=stored, repeated=repeated)
        for source, member, record, post_id in m.duplicate_examples:
            self.say(2, self.t.gettext("repeated: post %(post)s at %(file)s, member %(member)s, record %(record)s"),
                     post=post_id, file=source, member=member, record=record)

    def file(self, file: FileReport) -> None:
        read = ", ".join(self.count(self.t.ngettext("%(n)s post as %(format)s", "%(n)s posts as %(format)s", n),
                                    n, format=fmt) for fmt, n in file.formats.items())
        header = self.t.gettext("%(file)s: %(read)s") % {"file": f"[bold]{escape(file.path)}[/bold]",
                                                         "read": escape(read or self.t.gettext("no posts"))}
        self.console.print(header)
        for reason, n in file.skipped.items():
            self.say(2, self.t.ngettext("skipped %(n)s: %(reason)s", "skipped %(n)s: %(reason)s", n),
                     n=format_count(n, self.lang), reason=reason)
        for example in file.examples[:10]:
            self.say(4, self.t.gettext("e.g. %(member)s, record %(record)s: %(reason)s"),
                     member=example.member, record=example.record, reason=example.reason)
        self.details(file)

    def details(self, file: FileReport) -> None:
        if file.known:
            self.say(2, self.t.gettext("known, not posts: %(members)s"), members=self.members(file.known))
        if file.unknown:
            self.say(2, self.t.gettext("not recognised, skipped: %(members)s"), "yellow",
                     members=self.members(file.unknown))
        for note in file.notes:
            self.say(2, self.t.gettext("note: %(note)s"), note=note)

    def members(self, names: list[str]) -> str:
        """Member names for a person: the files of a folder two levels down or more (an archive's media)
        as that folder and their count, then at most :data:`SHOWN_MEMBERS` entries (``--json`` lists all)."""
        entries: dict[str, int] = {}
        for name in names:
            parts = name.split("/")
            key = "/".join(parts[:2]) + "/" if len(parts) > 2 else name
            entries[key] = entries.get(key, 0) + 1
        shown = [key if not key.endswith("/") else
                 self.count(self.t.ngettext("%(folder)s (%(n)s file)", "%(folder)s (%(n)s files)", n), n, folder=key)
                 for key, n in list(entries.items())[:SHOWN_MEMBERS]]
        rest = len(entries) - SHOWN_MEMBERS
        if rest > 0:
            shown.append(self.count(self.t.ngettext("%(n)s more", "%(n)s more", rest), rest))
        return ", ".join(shown)


@cli.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def formats_command(as_json: bool) -> None:
    """List the formats parlons reads, with an example file name for each.

    \b
    Example:
      parlons formats
    """
    from .cli_formats import format_rows  # the importers' readable names: the report's, loaded when asked

    if as_json:
        click.echo(json.dumps(format_rows(), indent=2))
        return
    t = translator(language())
    rows = format_rows(t)
    table = Table(t.gettext("format"), t.gettext("platform"), t.gettext("what"), t.gettext("example"))
    for row in rows:
        name = row["name"] + ("" if row["auto_detected"] else " (--format)")
        table.add_row(name, row["platform"], row["description"], row["example"])
    make_console().print(table)


@cli.command("accounts")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
def accounts_command(store_path: Path | None, as_json: bool) -> None:
    """List accounts in the store with their post counts and date ranges, per platform.

    \b
    Example:
      parlons accounts --json
    """
    with Store(store_path, read_only=True) as store:
        rows = store.accounts_summary()
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    lang = language()
    t = translator(lang)
    table = Table(*(t.gettext(h) for h in ACCOUNT_COLUMNS))
    for r in rows:
        counts = (format_count(r[k], lang) for k in ("posts", "replies", "reposts", "comments"))
        table.add_row(escape(r["platform"]), escape(r["account"]), t.gettext("yes") if r["is_owner"] else "",
                      *counts, _day(r["first_at"], lang), _day(r["last_at"], lang))
    make_console().print(table)


def _day(value: str | None, lang: str) -> str:
    from .report.fmt import day_text  # the report's package, loaded by the commands that use it

    return "–" if not value else day_text(date.fromisoformat(value[:10]), "medium", lang)


@cli.command("export")
@store_option
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write posts.* and accounts.* into.")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True, help="File format.")
@click.option("--raw", is_flag=True,
              help="CSV: write cells that begin with = + - @ as they are (for data tools; unsafe in a spreadsheet).")
def export_command(store_path: Path | None, output: Path, fmt: str, raw: bool) -> None:
    """Write the store out as Parquet or CSV for other tools.

    In CSV, text that begins with = + - @, a tab or a carriage return gets a ' in front, so that
    a spreadsheet shows it instead of running it as a formula; --raw writes it as it is.

    \b
    Example:
      parlons export -o out/ --format csv
    """
    check_output_folder(output, "the export")
    with Store(store_path, read_only=True) as store:
        written = store.export(output, fmt, raw=raw)
    for path in written:
        click.echo(str(path))


@cli.command("demo")
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), default=Path("parlons-demo"),
              show_default=True, help="Folder for the exports, the store, audit.json and the reports.")
@click.option("--lang", type=click.Choice(LANGUAGES),
              help="Language of the demo's posts and reports (default: from LC_ALL/LC_MESSAGES/LANG, else French).")
@click.option("--scale", type=click.FloatRange(0.02, 20.0), default=1.0, show_default=True,
              help="Multiplies the volumes (1.0: about 2,500 posts over a year).")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed: the same seed, the same exports.")
def demo_command(output: Path, lang: str | None, scale: float, seed: int) -> None:
    """Show the whole job on a realistic synthetic dataset: build, import, audit, report.

    A fictional library network and two peers over a year (one converses, one broadcasts), on X,
    Mastodon, a WordPress blog and an RSS feed, written in the real export formats into
    DIR/exports, imported into a fresh DIR/parlons.duckdb, audited (DIR/audit.json), and
    reported (DIR/report.html, DIR/report.pdf).

    \b
    Example:
      parlons demo
      parlons demo --lang en -o demo-en/ --scale 0.3
    """
    from .demo.run import run_demo
    from .summary import print_summary

    check_output_folder(output, "the demo")
    lang = resolve_language(lang)
    out = _Printer(lang)
    with make_console(stderr=True).status(out.t.gettext("building, importing and auditing the demo…")):
        run = run_demo(output, lang=lang, scale=scale, seed=seed)
    print_summary(out.console, run.audits, lang)
    inserted = run.imported.merge.inserted
    posts = out.count(out.t.ngettext("%(n)s post", "%(n)s posts", inserted), inserted)
    n = sum(sum(f.skipped.values()) for f in run.imported.files)
    skipped = out.count(out.t.ngettext("%(n)s record skipped as designed", "%(n)s records skipped as designed", n), n)
    out.console.print()
    out.say(0, out.t.ngettext("exports (%(n)s file): %(folder)s", "exports (%(n)s files): %(folder)s",
                              len(run.exports)), n=format_count(len(run.exports), lang), folder=run.exports[0].parent)
    out.say(0, out.t.gettext("store: %(path)s (%(posts)s; %(skipped)s)"), path=run.store, posts=posts, skipped=skipped)
    out.say(0, out.t.gettext("audit: %(path)s"), path=run.audit_json)
    for report in run.reports:
        out.say(0, out.t.gettext("report: %(path)s"), path=report)


@cli.command("serve")
@click.option("--demo", is_flag=True, help="Start with the demo organization imported and audited; print its sign-ins.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False),
              help="Data folder: database, secret key, stores, uploads "
                   "(default: env PARLONS_DATA, else the user's data folder).")
def serve_command(demo: bool, host: str, port: int, data: Path | None) -> None:
    """Start the shared workspace (web pages for a consultant and the client's people).

    \b
    Example:
      parlons serve --demo
      parlons serve --host 0.0.0.0 --port 8080 --data /srv/parlons
    """
    try:
        import django  # noqa: F401
        import waitress  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"the workspace needs its extra: pip install 'parlons[web]' ({exc.name} is missing)") from None
    from .web.server import serve

    serve(host=host, port=port, data=data, demo=demo, lang=language(), echo=click.echo)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; parlons' own errors become one line on stderr and a non-zero exit."""
    args = sys.argv[1:] if argv is None else list(argv)
    t = translator(resolve_language(lang_in_args(args)))
    clean_leftovers()
    try:
        with cli.make_context("parlons", args) as ctx:
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ParlonsError as exc:
        if was_interrupted():
            interrupted(t.gettext("Aborted."))
        head, _, tail = t.gettext("error: %(message)s").partition("%(message)s")
        make_console(stderr=True).print(Text.assemble((head, "red"), str(exc), tail))
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt, duckdb.InterruptException):
        interrupted(t.gettext("Aborted."))
    except click.UsageError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(t.gettext("Error: %(message)s") % {"message": exc.format_message()}, err=True)
        sys.exit(exc.exit_code)
    except Exception:
        if was_interrupted():
            interrupted(t.gettext("Aborted."))
        raise


