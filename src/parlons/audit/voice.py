"""Voice, per language: persons, questions, exclamations, emoji, jargon, readability.

Readability: Flesch reading ease for English (206.835 - 1.015 W/S - 84.6 Syl/W) and
Kandel & Moles for French (207 - 1.015 W/S - 73.6 Syl/W), over all the posts of that language,
syllables counted as groups of vowels (an approximation, stated in the metric dictionary).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import distinct_text, figure, grouped, share

__all__ = ["voice"]

READABILITY = {"en": ("flesch", 206.835, 84.6), "fr": ("kandel_moles", 207.0, 73.6)}
CONVERSATIONAL = "(first_singular_n + first_plural_n + second_person_n + has_question::INT * 2 - jargon_n)"


def voice(con: duckdb.DuckDBPyConnection, targets: Sequence[str], min_n: int,
          examples: int) -> dict[str, dict[str, Any]]:
    """Per subject: voice figures per language (French and English), with example posts."""
    counts = grouped(con, """
        SELECT o.target, f.lang, count(*) AS n,
          count(*) FILTER (first_singular_n > 0) AS first_singular,
          count(*) FILTER (first_plural_n > 0) AS first_plural,
          count(*) FILTER (second_person_n > 0) AS second_person,
          count(*) FILTER (has_question) AS questions, count(*) FILTER (has_exclamation) AS exclamations,
          count(*) FILTER (emoji > 0) AS with_emoji, sum(jargon_n) AS jargon, sum(words) AS words,
          sum(sentences) FILTER (words > 0) AS sentences, sum(syllables) AS syllables
        FROM own o JOIN features f USING (platform, post_id)
        WHERE o.kind <> 'repost' GROUP BY o.target, f.lang ORDER BY o.target, n DESC""")
    picked = _examples(con, examples) if examples > 0 else {}
    out: dict[str, dict[str, Any]] = {}
    for target in targets:
        rows = counts.get(target, [])
        by_lang = {r["lang"]: r for r in rows}
        one: dict[str, Any] = {"note": "reposts are left out", "languages": {r["lang"]: r["n"] for r in rows}}
        for lang in ("fr", "en"):
            if lang in by_lang:
                one[lang] = _one_language(by_lang[lang], lang, min_n)
                shown = picked.get(target, [])
                one[lang]["examples"] = {key: [{c: r[c] for c in ("id", "text", "permalink", "score", "cues")}
                                               for r in shown if r["lang"] == lang and r["side"] == key]
                                         for key in ("most_conversational", "least_conversational")}
        out[target] = one
    return out


def _one_language(r: dict[str, Any], lang: str, min_n: int) -> dict[str, Any]:
    n, words = r["n"], r["words"] or 0
    name, base, syllable_weight = READABILITY[lang]
    score = None
    if words and r["sentences"]:
        score = base - 1.015 * words / r["sentences"] - syllable_weight * r["syllables"] / words
    return {
        "posts": n, "words": words,
        "first_singular_share": share(r["first_singular"], n, min_n),
        "first_plural_share": share(r["first_plural"], n, min_n),
        "second_person_share": share(r["second_person"], n, min_n),
        "questions_share": share(r["questions"], n, min_n),
        "exclamations_share": share(r["exclamations"], n, min_n),
        "emoji_share": share(r["with_emoji"], n, min_n),
        "jargon_per_100_words": figure(100.0 * (r["jargon"] or 0) / words if words else None, n, min_n, 2),
        "readability": {"formula": name, **figure(score, n, min_n, 1)},
    }


def _examples(con: duckdb.DuckDBPyConnection, limit: int) -> dict[str, list[dict[str, Any]]]:
    """The most and least conversational posts of each subject in each language, one per text.

    Up to twice ``limit`` on each side: a reader that shows each text once (the report) skips the
    texts it already showed in another section and still has ``limit`` to show.
    """
    key = distinct_text('o."text"', "o.platform || ':' || o.post_id")
    return grouped(con, f"""
        WITH scored AS (
          SELECT o.target, f.lang, o.post_id AS id, o."text", o.permalink, o.created_at, {CONVERSATIONAL} AS score,
                 concat_ws(', ', first_singular_word, first_plural_word, second_person_word,
                           CASE WHEN has_question THEN '?' END, 'jargon: ' || jargon_word) AS cues
          FROM own o JOIN features f USING (platform, post_id)
          WHERE f.lang IN ('fr', 'en') AND o.kind IN ('original', 'quote') AND f.words >= 5
          QUALIFY row_number() OVER (PARTITION BY o.target, f.lang, {key}
                                     ORDER BY o.created_at DESC, o.platform, o.post_id) = 1),
        ranked AS (
          SELECT *, row_number() OVER (PARTITION BY target, lang ORDER BY score DESC, created_at DESC, id) AS top,
                 row_number() OVER (PARTITION BY target, lang ORDER BY score ASC, created_at DESC, id) AS bottom
          FROM scored)
        SELECT target, lang, 'most_conversational' AS side, id, "text", permalink, score, cues, top AS nth
        FROM ranked WHERE top <= {2 * int(limit)}
        UNION ALL
        SELECT target, lang, 'least_conversational', id, "text", permalink, score, cues, bottom
        FROM ranked WHERE bottom <= {2 * int(limit)}
        ORDER BY target, lang, side, nth""")
