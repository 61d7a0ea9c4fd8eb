"""French and English: language choice, catalogs complete and compiled, numbers and dates per locale.

The catalogs hold the report's messages and the command line's (help, messages, errors).
"""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path
from typing import Any

import click
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from parlons.audit.coverage import CAVEATS, PARTLY_KNOWN, REASONS, UNKNOWN_NO_SOURCE, UNKNOWN_OWN_ARCHIVE
from parlons.audit.maturity import RULES
from parlons.cli import cli
from parlons.cli_i18n import CLICK_MESSAGES, CLICK_WORDS, extract, help_messages
from parlons.i18n import LOCALE_DIR, resolve_language, translator
from parlons.report.audit_text import AUDIT_MESSAGES, PREFIXES, translate_rule
from parlons.report.fmt import Formatter

AUDIT_SOURCES = Path(__file__).resolve().parents[1] / "src" / "parlons" / "audit"


def _catalog(lang: str) -> dict[Any, Any]:
    """msgid (a tuple for plural messages) -> msgstr (a tuple for plural messages)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "parlons.po").open("rb") as stream:
        return {m.id: m.string for m in read_po(stream) if m.id}


def test_language_from_option_then_environment_then_french() -> None:
    assert resolve_language("en") == "en"
    assert resolve_language("fr_CA.UTF-8") == "fr"
    assert resolve_language(None, {"LANG": "en_US.UTF-8"}) == "en"
    assert resolve_language(None, {"LC_ALL": "C.UTF-8", "LC_MESSAGES": "en_GB", "LANG": "fr_FR"}) == "en"
    assert resolve_language(None, {"LANGUAGE": "de:en", "LANG": "fr_FR"}) == "en"
    assert resolve_language(None, {"LANG": "C"}) == "fr"
    assert resolve_language(None, {}) == "fr"
    with pytest.raises(ValueError, match="unsupported language"):
        resolve_language("de")


def test_translator_gives_gettext_and_ngettext() -> None:
    fr, en = translator("fr"), translator("en")
    assert fr.gettext("Three priorities") == "Trois priorités"
    assert en.gettext("Three priorities") == "Three priorities"
    singular, plural = "The only unanswered request.", "All %(num)s unanswered requests."
    assert fr.ngettext(singular, plural, 1) == "La seule demande sans réponse."
    assert fr.ngettext(singular, plural, 2) == "Les %(num)s demandes sans réponse."
    assert en.ngettext(singular, plural, 1) == singular


def test_every_message_is_extracted_and_translated_into_french(tmp_path: Path) -> None:
    template = tmp_path / "parlons.pot"
    cfg = LOCALE_DIR / "babel.cfg"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(cfg), "-k", "N_", "--no-location",
                                "-o", str(template), str(LOCALE_DIR.parent)])
    with template.open("rb") as stream:
        extracted = {m.id for m in read_po(stream) if m.id}
    french = _catalog("fr")
    assert len(extracted) > 300
    assert sorted(extracted - set(french)) == [], "run the commands of docs/report.md to update the catalogs"
    assert [m for m in extracted if not all(french[m] if isinstance(m, tuple) else [french[m]])] == []
    assert sorted(set(french) - extracted) == [], "obsolete messages in fr/parlons.po"
    assert set(_catalog("en")) == set(french)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_compiled_catalogs_match_their_po(lang: str) -> None:
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    with (folder / "parlons.po").open("rb") as stream:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(stream))
    compiled.seek(0)
    with (folder / "parlons.mo").open("rb") as shipped:
        ours, fresh = gettext.GNUTranslations(shipped), gettext.GNUTranslations(compiled)
    # the messages and the plural rule, not the header's bytes (Babel writes its own version there)
    assert _messages(ours) == _messages(fresh)
    assert ours.info()["plural-forms"] == fresh.info()["plural-forms"]
    assert ours.info()["content-type"] == fresh.info()["content-type"]


def _messages(catalog: gettext.GNUTranslations) -> dict[Any, str]:
    return {key: text for key, text in catalog._catalog.items() if key != ""}  # type: ignore[attr-defined]


def test_placeholders_are_kept_in_french() -> None:
    for msgid, msgstr in _catalog("fr").items():
        source = msgid[-1] if isinstance(msgid, tuple) else msgid
        for text in msgstr if isinstance(msgstr, tuple) else [msgstr]:
            assert set(re.findall(r"%\(\w+\)s", text)) <= set(re.findall(r"%\(\w+\)s", source)), msgid
        if not isinstance(msgid, tuple):
            assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid


def test_the_audit_own_sentences_are_translated() -> None:
    """Every rule, reason, caveat and next step the audit writes is in AUDIT_MESSAGES, translated."""
    french = _catalog("fr")
    sentences = [s for rule in RULES for s in (rule.condition, rule.next_step)]
    sentences += [*CAVEATS.values(), *REASONS.values(), UNKNOWN_NO_SOURCE, UNKNOWN_OWN_ARCHIVE, PARTLY_KNOWN]
    for sentence in sentences:
        assert sentence in AUDIT_MESSAGES and french.get(sentence), sentence
    source = "\n".join(p.read_text(encoding="utf-8") for p in AUDIT_SOURCES.glob("*.py"))
    named = set(re.findall(r"'([a-z][a-z ]+?):? ' \|\|", source))
    named |= {s for s in re.findall(r"(?:THEN|ELSE) '([a-z][a-z ]+)'", source) if " " in s}
    named -= {""}
    assert named and sorted(named - set(PREFIXES)) == []
    for name in PREFIXES:
        assert french.get(name), name
    fr = translator("fr")
    assert translate_rule(fr, "call to action: inscrivez-vous") == "appel à agir\u00a0: inscrivez-vous"
    assert translate_rule(fr, "same text posted by x:a, x:b") == (
        "même texte publié par a sur X (Twitter), b sur X (Twitter)")


def test_numbers_dates_and_durations_follow_the_locale() -> None:
    fr, en = Formatter("fr", "Europe/Paris"), Formatter("en", "Europe/Paris")
    assert fr.decimal(1234.5) == "1\u202f234,5" and en.decimal(1234.5) == "1,234.5"
    assert (fr.share(0.6281), en.share(0.6281), fr.share(0.046)) == ("63\u00a0%", "63%", "4,6\u00a0%")
    assert (fr.duration(21660), en.duration(21660)) == ("6 h 01", "6.0 h")
    assert (fr.duration(600), fr.duration(86400), fr.duration(3 * 86400), en.duration(3 * 86400)) == (
        "10 min", "24 h", "3 jours", "3 days")
    assert (fr.date("2024-03-04T23:30:00Z"), en.date("2024-03-04T23:30:00Z")) == ("5 mars 2024", "March 5, 2024")
    assert fr.datetime("2024-03-04T09:00:00Z") == "4 mars 2024, 10:00"


def _cli_texts() -> list[str]:
    """The help a person reads: each paragraph of every command's docstring, every option's help."""
    with cli.make_context("parlons", ["--help"], resilient_parsing=True) as ctx:  # loads cli_audit's commands
        loaded = [cli.get_command(ctx, name) for name in cli.list_commands(ctx)]
    commands: list[click.Command] = [cli, *(c for c in loaded if c is not None and c.callback
                                           and c.callback.__module__ in ("parlons.cli", "parlons.cli_audit"))]
    texts = [m for command in commands for m in help_messages(command.help or "")]
    texts += [" ".join(p.help.split()) for command in commands for p in command.params
              if isinstance(p, click.Option) and p.help]
    return texts


def test_the_command_line_help_is_extracted_and_translated() -> None:
    extracted: set[str] = set()
    for module in ("cli.py", "cli_audit.py"):
        with (LOCALE_DIR.parent / module).open("rb") as stream:
            extracted |= {message for _, _, message, _ in extract(stream, DEFAULT_KEYWORDS, [], {})}
    texts = _cli_texts()
    assert len(texts) > 50
    missing = set(texts) - extracted - set(CLICK_WORDS)  # click's own --help and --version
    assert sorted(missing) == [], "the commands' help must be extracted (babel.cfg, parlons.cli_i18n)"
    assert {"Example:", "error: %(message)s", "Aborted."} <= extracted
    french = _catalog("fr")
    words = [*texts, *CLICK_WORDS, *(msgid for _, msgid in CLICK_MESSAGES), "Usage:", "Options:", "Commands:"]
    assert [text for text in words if not french.get(text)] == []
