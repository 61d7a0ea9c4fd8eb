"""Rules in the report read as people write: apostrophes put back in the words that fired, and the
accounts of a duplicated text named in words, not as ``platform:account`` codes."""

from __future__ import annotations

import pytest

from parlons.i18n import translator
from parlons.report.audit_text import readable_word, translate_rule


@pytest.mark.parametrize(("word", "written"), [
    ("isn t working", "isn't working"), ("don t miss", "don't miss"), ("what s your", "what's your"),
    ("qu en pensez vous", "qu'en pensez vous"), ("s il vous plaît", "s'il vous plaît"), ("c est noté", "c'est noté"),
    ("n hésitez pas à", "n'hésitez pas à"), ("aujourd hui", "aujourd'hui"), ("nothing beats", "nothing beats"),
    ("jamais déçu", "jamais déçu")])
def test_apostrophes_are_put_back(word: str, written: str) -> None:
    assert readable_word(word) == written


def test_rules_name_words_and_accounts_as_people_write_them() -> None:
    en, fr = translator("en"), translator("fr")
    assert translate_rule(en, "problem word: isn t working") == "problem word: isn't working"
    assert translate_rule(fr, "request: s il vous plait") == "demande\u00a0: s'il vous plait"
    assert translate_rule(en, "automation client: dlvr.it") == "automation client: dlvr.it"
    assert translate_rule(en, "same text posted by blog:site.example, x:Org") == (
        "same text posted by site.example on the blog, Org on X (Twitter)")
    assert translate_rule(fr, "same text posted by bluesky:did:plc:abc") == (
        "même texte publié par did:plc:abc sur Bluesky")


def test_french_dates_write_the_first_of_the_month_as_an_ordinal() -> None:
    from parlons.report.fmt import Formatter

    fr, en = Formatter("fr"), Formatter("en")
    assert (fr.date("2024-01-01T10:00:00Z"), fr.date("2024-01-11T10:00:00Z")) == ("1er janvier 2024", "11 janvier 2024")
    assert fr.datetime("2024-03-01T10:00:00Z") == "1er mars 2024, 10:00"
    assert fr.period("2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z") == "1er janvier 2024 – 31 décembre 2024"
    assert en.date("2024-01-01T10:00:00Z") == "January 1, 2024"
