"""Praise built on a word that otherwise reports a problem ("Nothing beats…", "Rien ne vaut…") is
praise, not a request: the English demo counted "Nothing beats the smell of a book" as asking."""

from __future__ import annotations

import tomllib
from importlib.resources import files

import pytest

from parlons.audit.validate import classify_labelled


def _asks(texts: list[str], lang: str = "") -> list[tuple[str | None, str | None]]:
    rows = [{"id": str(i), "split": "dev", "lang": lang, "direction": "incoming", "kind": "reply", "text": t,
             "function": "", "asks": "yes"} for i, t in enumerate(texts)]
    return [(r["asks_found"], r["asks_rule"]) for r in classify_labelled(rows)]


def test_praise_idioms_do_not_ask() -> None:
    texts = ["Paper, always. Nothing beats the smell of a book.", "Nothing like a Sunday at the market.",
             "Never disappoints, this place.", "Nobody does it better than your team.",
             "Can't beat a good book.",
             "Le papier, toujours. Rien ne remplace l'odeur d'un livre.", "Rien ne vaut le papier.",
             "Jamais déçu par vos ateliers.", "Je ne changerais pour rien au monde.",
             "Personne ne fait mieux que vous."]
    assert _asks(texts) == [
        ("no", "thanks or praise: nothing beats"), ("no", "thanks or praise: nothing like"),
        ("no", "thanks or praise: never disappoints"), ("no", "thanks or praise: nobody does it better"),
        ("no", "thanks or praise: can t beat"),
        ("no", "thanks or praise: rien ne remplace"), ("no", "thanks or praise: rien ne vaut"),
        ("no", "thanks or praise: jamais déçu"), ("no", "thanks or praise: pour rien au monde"),
        ("no", "thanks or praise: personne ne fait mieux")]


def test_an_idiom_does_not_hide_a_complaint_or_a_question() -> None:
    texts = ["Nothing beats waiting two hours on hold.", "Rien ne vaut une coupure de courant de trois jours.",
             "Nothing beats the smell of a book, but why are you closed on Sundays",
             "Jamais déçu, mais l'appli plante depuis hier."]
    assert _asks(texts) == [("yes", "problem word: waiting"), ("yes", "problem word: coupure"),
                            ("yes", "request: are you"), ("yes", "problem word: plante")]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_demo_thanks_follow_ups_and_audience_answers_that_praise_do_not_ask(lang: str) -> None:
    texts = tomllib.loads(files("parlons.demo").joinpath(f"data/{lang}.toml").read_text("utf-8"))["request"]
    praising = [texts["audience"][i] for i in (0, 1, 4, 5, 6)]  # answers that choose or praise; the rest suggest
    assert "Rien ne remplace" in praising[1] or "Nothing beats" in praising[1]
    said = [t[0] for t in texts["thanks"]] + list(texts["followup"]) + praising
    found = _asks([t.replace("{book}", "Dune").replace("{game}", "Catan").replace("{author}", "Ana")
                   .replace("{expo}", "Mer") for t in said], lang)
    assert [t for t, (asks, _) in zip(said, found, strict=True) if asks != "no"] == []


def test_nowhere_is_not_the_word_nul() -> None:
    # the French demo's broken link asked because of "nulle" in "nulle part": it still asks, for its real reason
    assert _asks(["Le lien vers le programme sur votre site ne mène nulle part.", "Service nul, franchement."]) == [
        ("yes", "no thanks, praise or acknowledgement"), ("yes", "problem word: nul")]
