"""``parlons collect``: live collection from Mastodon, Bluesky and feeds into the store.

A click group registered by ``parlons.cli``; each command calls one function of
:mod:`parlons.collect` and prints what it did. Errors are parlons' own (a
:class:`~parlons.errors.CollectError` names the account and the server; exit 4), printed once by
``parlons.cli.main``. Ctrl-C keeps every batch already committed; the next run resumes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from ..cli_i18n import Group, language
from ..i18n import format_count, translator
from ..store import STORE_ENV, Store
from . import CollectReport, collect_bluesky, collect_feeds, collect_mastodon
from ._sink import Progress

__all__ = ["collect_group"]

store_option = click.option(
    "--store", "store_path", envvar=STORE_ENV, type=click.Path(path_type=Path),
    help="Store file or folder (default: ./parlons.duckdb; env PARLONS_STORE).")
since_option = click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
                            help="Collect nothing older than this day (YYYY-MM-DD).")
cap_option = click.option("--max-requests", type=click.IntRange(1, 1_000_000), default=2000, show_default=True,
                          help="Stop after this many requests; the next run goes on.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")


@click.group("collect", cls=Group)
def collect_group() -> None:
    """Collect public posts and their threads from open networks into the store.

    \b
    Example:
      parlons collect mastodon @mairie@example.social
      parlons collect bluesky mairie.bsky.social --since 2024-01-01
      parlons collect feed https://blog.example.org/feed/
    """


@collect_group.command("mastodon")
@click.argument("account")
@click.option("--instance", help="Server to ask (default: the account's own, https://HOST).")
@click.option("--token", envvar="PARLONS_MASTODON_TOKEN",
              help="The account's own access token: adds its mentions (env PARLONS_MASTODON_TOKEN).")
@click.option("--thread-days", type=click.IntRange(0, 365), default=14, show_default=True,
              help="Look again at the threads of posts from the last N days.")
@since_option
@cap_option
@store_option
@json_option
def mastodon_command(account: str, instance: str | None, token: str | None, thread_days: int,
                     since: datetime | None, max_requests: int, store_path: Path | None, as_json: bool) -> None:
    """Collect a Mastodon account's public posts and the public threads under them.

    \b
    Example:
      parlons collect mastodon @mairie@example.social --since 2024-01-01
    """
    _run(store_path, as_json, lambda store, progress: [collect_mastodon(
        store, account, instance=instance, token=token, since=_utc(since), max_requests=max_requests,
        thread_days=thread_days, progress=progress)])


@collect_group.command("bluesky")
@click.argument("handle")
@click.option("--service", help="AppView to ask (default: https://public.api.bsky.app).")
@click.option("--app-password", envvar="PARLONS_BLUESKY_APP_PASSWORD",
              help="An app password of the account: adds its notifications (env PARLONS_BLUESKY_APP_PASSWORD).")
@click.option("--pds", help="The account's server, to sign in with the app password (default: https://bsky.social).")
@since_option
@cap_option
@store_option
@json_option
def bluesky_command(handle: str, service: str | None, app_password: str | None, pds: str | None,
                    since: datetime | None, max_requests: int, store_path: Path | None, as_json: bool) -> None:
    """Collect a Bluesky account's public posts and the public threads under them.

    \b
    Example:
      parlons collect bluesky mairie.bsky.social --since 2024-01-01
    """
    _run(store_path, as_json, lambda store, progress: [collect_bluesky(
        store, handle, service=service, app_password=app_password, pds=pds, since=_utc(since),
        max_requests=max_requests, progress=progress)])


@collect_group.command("feed")
@click.argument("urls", nargs=-1, required=True)
@click.option("--no-comments", is_flag=True, help="Do not follow the comment feeds the feed announces.")
@cap_option
@store_option
@json_option
def feed_command(urls: tuple[str, ...], no_comments: bool, max_requests: int, store_path: Path | None,
                 as_json: bool) -> None:
    """Collect RSS/Atom feeds and their comment feeds (conditional GET: unchanged feeds cost nothing).

    \b
    Example:
      parlons collect feed https://blog.example.org/feed/
    """
    _run(store_path, as_json, lambda store, progress: collect_feeds(
        store, list(urls), comments=not no_comments, max_requests=max_requests, progress=progress))


Work = Callable[[Store, Progress | None], list[CollectReport]]


def _run(store_path: Path | None, as_json: bool, work: Work) -> None:
    lang = language()
    console = Console(stderr=True)
    store = Store(store_path)
    try:
        if as_json or not console.is_terminal:
            reports = work(store, None)
        else:
            with console.status(translator(lang).gettext("collecting…")) as status:
                reports = work(store, lambda report: status.update(_counts(report, lang)))
    except BaseException:
        _close(store)
        raise
    store.close()
    if as_json:
        click.echo(json.dumps([asdict(r) for r in reports], indent=2))
        return
    for report in reports:
        _print(report, lang)


def _counts(report: CollectReport, lang: str) -> str:
    n = {"fetched": format_count(report.fetched, lang), "new": format_count(report.inserted, lang),
         "requests": format_count(report.requests, lang)}
    return translator(lang).gettext("%(fetched)s posts read, %(new)s new, in %(requests)s requests") % n


def _print(report: CollectReport, lang: str) -> None:
    t = translator(lang)
    out = Console()
    out.print(f"[bold]{escape(report.account)}[/] ({escape(report.server)})")
    out.print("  " + escape(_counts(report, lang)))
    if report.stopped:
        out.print("  [yellow]" + escape(t.gettext("stopped early: %(why)s") % {"why": report.stopped}) + "[/]")
    for note in report.notes:
        out.print("  " + escape(note))


def _close(store: Store) -> None:
    """After a failure: keep every committed batch, but leave no empty store behind a first run."""
    if store.created and store.con.execute("SELECT count(*) FROM posts").fetchall()[0][0] == 0:
        store.discard()
    else:
        store.close()


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None
