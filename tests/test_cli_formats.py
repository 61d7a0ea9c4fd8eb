"""``parlons formats`` speaks the interface's language; ``--json`` keeps the code's English and codes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from parlons.cli import cli
from parlons.cli_formats import DESCRIPTIONS, EXAMPLES
from parlons.i18n import translator
from parlons.importers import REGISTRY

FRENCH = {"LANGUAGE": "fr"}
ENGLISH = {"LANGUAGE": "en"}


def test_every_importer_description_is_a_translated_message() -> None:
    french = translator("fr")
    assert {i.name: i.description for i in REGISTRY} == DESCRIPTIONS, "copy the new description into cli_formats"
    untranslated = [d for d in DESCRIPTIONS.values() if french.gettext(d) == d]
    assert untranslated == []
    assert {name: french.gettext(e) != e for name, e in EXAMPLES.items()} == {"x-grailbird": True}
    assert [i.example for i in REGISTRY if i.name in EXAMPLES] == list(EXAMPLES.values())


def test_formats_in_french() -> None:
    out = CliRunner(env=FRENCH).invoke(cli, ["formats"], catch_exceptions=False).output
    assert "Archive d'un compte Mastodon" in out  # the table is 160 columns wide: cells wrap
    assert "tweets.zip contenant tweets.csv" in out
    assert "Mastodon account archive" not in out and " with " not in out
    assert "X (Twitter)" in out and "Autre source" in out


def test_formats_in_english_and_as_json() -> None:
    out = CliRunner(env=ENGLISH).invoke(cli, ["formats"], catch_exceptions=False).output
    assert "Mastodon account archive: outbox.json" in out
    assert "Other source" in out
    rows = json.loads(CliRunner(env=FRENCH).invoke(cli, ["formats", "--json"], catch_exceptions=False).output)
    mastodon = next(r for r in rows if r["name"] == "mastodon-archive")
    assert mastodon == {"name": "mastodon-archive", "platform": "mastodon",
                        "description": "Mastodon account archive: outbox.json (statuses and boosts) with actor.json",
                        "example": "archive-20240101-abc.zip, outbox.json + actor.json", "auto_detected": True}
