"""The command line in French and English: click's help and usage errors through parlons' catalogs.

Help texts stay in English in the code (command docstrings, options' ``help=``): they are the
msgids. :class:`Group` and :class:`Command` translate them when the help is formatted, paragraph by
paragraph (a ``\\b`` block, such as an example, is kept as written; only its heading line is
translated), together with click's own words around them (Usage, Options, Commands, default,
required, the help and version options). The language is the command's ``--lang`` when it has
one, read from the arguments before parsing so that ``--lang en --help`` works, else the
environment (:func:`parlons.i18n.resolve_language`), else French.

Usage errors (a missing option, an unknown option or command, a bad value) are framed in the
language and click's common sentences translated; what click says about a bad value itself
("'de' is not one of 'fr', 'en'") stays in English.

Babel does not read docstrings: :func:`extract` is the extraction method ``locale/babel.cfg`` uses
for ``cli.py``. It yields the ``_()``/``N_()`` messages as Babel's Python extractor does, plus each
paragraph of a command's docstring and every ``help=`` string.
"""

from __future__ import annotations

import ast
import gettext
import inspect
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import IO, Any

import click

from .i18n import N_, resolve_language, translator

__all__ = ["Command", "Group", "TranslatedUsageError", "extract", "help_messages", "lang_in_args", "language",
           "tr", "translate_help"]

LANG_KEY = "parlons.lang"

# click's own words, as parlons' msgids (click formats them itself in English)
CLICK_WORDS = (N_("Show this message and exit."), N_("Show the version and exit."), N_("required"))
CLICK_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^Missing option (.+)\.", N_("Missing option %(name)s.")),
    (r"^Missing argument (.+)\.", N_("Missing argument %(name)s.")),
    (r"^Missing parameter:? (.+?)\.?$", N_("Missing parameter %(name)s.")),
    (r"^No such option:? (.+?)\.", N_("No such option %(name)s.")),
    (r"^No such command:? (.+?)\.", N_("No such command %(name)s.")),
    (r"^Invalid value for (.+?): ", N_("Invalid value for %(name)s: ")),
    (r"^Got unexpected extra arguments? \((.+)\)", N_("Unexpected extra argument(s): %(name)s")),
    (r"^Option (.+?) requires an argument\.", N_("Option %(name)s requires a value.")),
    (r"Did you mean (.+?)\?", N_("Did you mean %(name)s?")),
    (r"\(Possible options: (.+?)\)", N_("(possible options: %(name)s)")),
)


def language(ctx: click.Context | None = None) -> str:
    """The language of ``ctx`` (or of the current click context): its ``--lang``, else the environment's."""
    ctx = ctx if ctx is not None else click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get(LANG_KEY):
        return str(ctx.meta[LANG_KEY])
    return resolve_language()


def tr(ctx: click.Context | None = None) -> gettext.NullTranslations:
    """The catalog for :func:`language`."""
    return translator(language(ctx))


def lang_in_args(args: Sequence[str]) -> str | None:
    """The supported language named by ``--lang X`` or ``--lang=X`` in ``args``, if any."""
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = args[index + 1] if arg == "--lang" and index + 1 < len(args) else None
        value = arg.partition("=")[2] if arg.startswith("--lang=") else value
        if value:
            try:
                return resolve_language(value)
            except ValueError:
                return None
    return None


def _paragraphs(text: str) -> list[str]:
    return inspect.cleandoc(text).partition("\f")[0].split("\n\n")


def _msgid(paragraph: str) -> str:
    """A paragraph's msgid: its words on one line; for a ``\\b`` block, its heading line."""
    if paragraph.startswith("\b"):
        lines = paragraph.split("\n")
        return lines[1].strip() if len(lines) > 1 and not lines[1][:1].isspace() else ""
    return " ".join(paragraph.split())


def help_messages(text: str) -> list[str]:
    """The msgids of a command's help text, in order."""
    return [m for m in map(_msgid, _paragraphs(text)) if m]


def translate_help(text: str, t: gettext.NullTranslations) -> str:
    """``text`` with each paragraph translated (a ``\\b`` block keeps its lines, heading translated)."""
    out = []
    for paragraph in _paragraphs(text):
        msgid = _msgid(paragraph)
        if paragraph.startswith("\b"):
            lines = paragraph.split("\n")
            out.append("\n".join([lines[0], t.gettext(msgid), *lines[2:]]) if msgid else paragraph)
        else:
            out.append(t.gettext(msgid) if msgid else paragraph)
    return "\n\n".join(out)


def short_help(command: click.Command, limit: int, t: gettext.NullTranslations) -> str:
    """The first sentence of the translated help, cut at ``limit`` characters."""
    if command.short_help:
        msgid = " ".join(command.short_help.split())
        return t.gettext(msgid)
    first = " ".join(translate_help(command.help or "", t).split("\n\n")[0].split())
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def option_help(param: click.Parameter, ctx: click.Context, t: gettext.NullTranslations) -> tuple[str, str] | None:
    """An option's row in the help, its text and its [default; required] notes translated."""
    if not isinstance(param, click.Option) or param.hidden:
        return None
    msgid = " ".join(param.help.split()) if param.help else ""
    text = t.gettext(msgid) if msgid else ""
    extra = param.get_help_extra(ctx)
    notes = []
    if "envvars" in extra:
        notes.append(t.gettext("env var: %(var)s") % {"var": ", ".join(extra["envvars"])})
    if "default" in extra:
        notes.append(t.gettext("default: %(default)s") % {"default": extra["default"]})
    if "range" in extra:
        notes.append(extra["range"])
    if "required" in extra:
        notes.append(t.gettext("required"))
    if notes:
        text = f"{text}  [{'; '.join(notes)}]" if text else f"[{'; '.join(notes)}]"
    return param.get_help_spec(ctx), text


def translate_click_message(message: str, t: gettext.NullTranslations) -> str:
    """click's usage-error sentence with its known parts translated."""
    for pattern, msgid in CLICK_MESSAGES:
        found = re.search(pattern, message)
        if found:
            translated = t.gettext(msgid) % {"name": found.group(1)}
            message = message[:found.start()] + translated + message[found.end():]
    return message


class TranslatedUsageError(click.UsageError):
    """A click usage error shown in the command's language (usage line, hint, message)."""

    def show(self, file: IO[Any] | None = None) -> None:
        t = tr(self.ctx)
        color = None if self.ctx is None else self.ctx.color
        if self.ctx is not None:
            hint = ""
            if self.ctx.command.get_help_option(self.ctx) is not None:
                option = max(self.ctx.help_option_names, key=len)
                hint = t.gettext("Try '%(command)s %(option)s' for help.") % {
                    "command": self.ctx.command_path, "option": option} + "\n"
            click.echo(f"{self.ctx.get_usage()}\n{hint}", file=file, err=file is None, color=color)
        click.echo(t.gettext("Error: %(message)s") % {"message": self.format_message()}, file=file,
                   err=file is None, color=color)


def _translated(exc: click.UsageError) -> click.UsageError:
    if isinstance(exc, (TranslatedUsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    return TranslatedUsageError(translate_click_message(exc.format_message(), tr(exc.ctx)), exc.ctx)


def _section(formatter: click.HelpFormatter, heading: str, rows: list[tuple[str, str]]) -> None:
    """A titled list (click's ``section`` appends an English colon; the heading here carries its own)."""
    formatter.write_paragraph()
    formatter.write(f"{'':>{formatter.current_indent}}{heading}\n")
    with formatter.indentation():
        formatter.write_dl(rows)


class Command(click.Command):
    """A click command whose help and usage errors are in French or English."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if any(p.name == "lang" for p in self.params) and (lang := lang_in_args(args)):
            ctx.meta[LANG_KEY] = lang
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _translated(exc) from exc

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = " ".join(self.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, pieces, tr(ctx).gettext("Usage:") + " ")

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(translate_help(self.help, tr(ctx)))

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        t = tr(ctx)
        rows = [row for param in self.get_params(ctx) if (row := option_help(param, ctx, t))]
        if rows:
            _section(formatter, t.gettext("Options:"), rows)

    def get_short_help_str(self, limit: int = 45) -> str:
        return short_help(self, limit, tr())


class Group(Command, click.Group):
    """A click group translated as :class:`Command`; its subcommands are :class:`Command` by default."""

    command_class = Command
    group_class = type

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, c) for name in self.list_commands(ctx)
                    if (c := self.get_command(ctx, name)) is not None and not c.hidden]
        if commands:
            t = tr(ctx)
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            _section(formatter, t.gettext("Commands:"), [(name, short_help(c, limit, t)) for name, c in commands])

    def resolve_command(self, ctx: click.Context,
                        args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise _translated(exc) from exc


def extract(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
            options: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
    """Babel extraction method for a click module: ``_()``/``N_()`` calls, command docstrings, ``help=``."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]  # babel's own types
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.decorator_list and (doc := ast.get_docstring(node, False)):
            for message in help_messages(doc):
                yield node.lineno, "_", message, []
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "help" and isinstance(keyword.value, ast.Constant) and keyword.value.value:
                    yield node.lineno, "_", " ".join(str(keyword.value.value).split()), []
