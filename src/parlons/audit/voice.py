"""Voice, per language: persons, questions, exclamations, emoji, jargon, readability.

Readability: Flesch reading ease for English (206.835 - 1.015 W/S - 84.6 Syl/W) and
Kandel & Moles for French (207 - 1.015 W/S - 73.6 Syl/W), over all the posts of that language,
syllables counted as groups of vowels (an approximation, stated in the metric dictionary).
"""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import dicts, distinct_text, figure, share

__all__ = ["voice"]

READABILITY = {"en": ("flesch", 206.835, 84.6), "fr": ("kandel_moles", 207.0, 73.6)}
CONVERSATIONAL = "(first_singular_n + first_plural_n + second_person_n + has_question::INT * 2 - jargon_n)"


def voice(con: duckdb.DuckDBPyConnection, target: str, min_n: int, examples: int) -> dict[str, Any]:
    """Voice figures per language (French and English), with example posts."""
    rows = dicts(con, """
        SELECT f.lang, count(*) AS n,
          count(*) FILTER (first_singular_n > 0) AS first_singular,
          count(*) FILTER (first_plural_n > 0) AS first_plural,
          count(*) FILTER (second_person_n > 0) AS second_person,
          count(*) FILTER (has_question) AS questions, count(*) FILTER (has_exclamation) AS exclamations,
          count(*) FILTER (emoji > 0) AS with_emoji, sum(jargon_n) AS jargon, sum(words) AS words,
          sum(sentences) FILTER (words > 0) AS sentences, sum(syllables) AS syllables
        FROM own o JOIN features f USING (platform, post_id)
        WHERE o.target = $target AND o.kind <> 'repost' GROUP BY f.lang ORDER BY n DESC""", {"target": target})
    by_lang = {r["lang"]: r for r in rows}
    out: dict[str, Any] = {"note": "reposts are left out", "languages": {r["lang"]: r["n"] for r in rows}}
    for lang in ("fr", "en"):
        if lang in by_lang:
            out[lang] = _one_language(by_lang[lang], lang, min_n)
            out[lang]["examples"] = _examples(con, target, lang, examples)
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


def _examples(con: duckdb.DuckDBPyConnection, target: str, lang: str, limit: int) -> dict[str, Any]:
    """The most and least conversational posts, one per text, up to twice ``limit`` (see ``function``)."""
    def pick(order: str) -> list[dict[str, Any]]:
        return dicts(con, f"""
            SELECT id, "text", permalink, score, cues FROM (
                SELECT o.post_id AS id, o."text", o.permalink, {CONVERSATIONAL} AS score, o.created_at,
                       concat_ws(', ', first_singular_word, first_plural_word, second_person_word,
                                 CASE WHEN has_question THEN '?' END, 'jargon: ' || jargon_word) AS cues
                FROM own o JOIN features f USING (platform, post_id)
                WHERE o.target = $target AND f.lang = $lang AND o.kind IN ('original', 'quote') AND f.words >= 5
                QUALIFY row_number() OVER (PARTITION BY {distinct_text('o."text"', "o.platform || ':' || o.post_id")}
                                           ORDER BY o.created_at DESC, o.platform, o.post_id) = 1)
            ORDER BY score {order}, created_at DESC, id LIMIT {2 * int(limit)}""", {"target": target, "lang": lang})
    return {"most_conversational": pick("DESC"), "least_conversational": pick("ASC")}
