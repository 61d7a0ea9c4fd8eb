"""A declared language gives way to strong evidence in the text: a French blog whose WordPress feed
declares its site default ``en-US`` for every post is audited as French (seen on a real French blog)."""

from __future__ import annotations

from pathlib import Path

from parlons.audit import open_posts, run_audit
from parlons.store import Store

from .conftest import load

LONG_FR = ("Nous avons mis à jour le site et la page des ateliers : vous y trouverez les dates de la rentrée, "
           "les horaires et les tarifs. Merci pour vos messages, ils nous aident beaucoup.")
SHORT_FR = "Atelier couture samedi."
ENGLISH = "We updated the site and the workshops page: you will find the dates, the times and the prices there."


def _feed(path: Path) -> Path:
    items = "".join(
        f"<item><title>Billet {i}</title><link>https://blog.example/{i}/</link><guid>https://blog.example/?p={i}</guid>"
        f"<pubDate>Mon, 0{i} Sep 2025 10:00:00 +0000</pubDate><description>{text}</description></item>"
        for i, text in enumerate((LONG_FR, SHORT_FR, ENGLISH), start=1))
    path.write_text("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Blog</title>"
                    f"<link>https://blog.example/</link><language>en-US</language>{items}</channel></rss>",
                    encoding="utf-8")
    return path


def test_a_french_post_declared_english_by_its_feed_is_french(tmp_path: Path) -> None:
    with Store(tmp_path / "s.duckdb") as store:
        load(store, _feed(tmp_path / "feed.rss2.xml"))
        assert {r[0] for r in store.con.execute("SELECT lang FROM posts").fetchall()} == {"en-US"}
    audit = run_audit(open_posts(tmp_path / "s.duckdb"), ["blog.example"])[0]
    # the long French post is French; the short one keeps the declaration (too little evidence to overrule it)
    assert audit.voice.languages == {"en": 2, "fr": 1}


SWEDISH = ("Intressant frågeställning kring roller och titlar. De borde vara en beskrivning av det vi gör "
           "och inte av vem vi är. Jag har själv bytt titel tre gånger på två år utan att arbetet har ändrats "
           "särskilt mycket, så jag förstår precis vad du menar.")
"""Shaped like the Swedish comments of a real LinkedIn export: a "de", a "du" in 40 words, read as French."""


def test_a_post_in_another_language_with_a_few_french_words_is_not_french(store: Store, tmp_path: Path) -> None:
    from .test_audit_responsiveness import SETTINGS, build, post

    rows = [post("sv", "ana", 0, SWEDISH, platform="linkedin"), post("fr", "ana", 10, LONG_FR, platform="linkedin"),
            post("en", "ana", 20, ENGLISH, platform="linkedin")]
    audit = run_audit(build(store, rows, tmp_path).con, ["ana"], settings=SETTINGS)[0]
    assert audit.voice.languages == {"und": 1, "fr": 1, "en": 1}
