"""Per-post lexical features, computed once per audit by vectorized queries.

``features`` has one row per post of ``own``: the normalized text, the language
(declared, else guessed from FR/EN stop words), word/sentence/syllable counts, lexicon hits per
category (in the post's language) with the first word that fired, and the post function of the
Lovejoy & Saxton cascade with the rule that fired. ``request_features`` gives each request its
language and the rule that makes it ask for something (or none). See ``docs/metrics.md``.
"""

from __future__ import annotations

import duckdb

from .lexicon import LANGS, normalize_sql, pattern

__all__ = ["OWN_CATEGORIES", "build_features"]

EMOJI = r"[\x{1F300}-\x{1FAFF}\x{2600}-\x{27BF}\x{1F000}-\x{1F2FF}\x{1F900}-\x{1F9FF}]"
VOWELS = r"[aeiouyàâäéèêëîïôöûùüœæ]+"


OWN_CATEGORIES = ("first_singular", "first_plural", "second_person", "jargon", "thanks", "solicitation", "action")


def _hits(category: str) -> str:
    """SQL: the entries of ``category`` found in the post, in the post's language."""
    whens = " ".join(f"WHEN '{lang}' THEN list_transform(regexp_extract_all(norm, "
                     f"'{_quote(pattern(lang, category))}', 1), lambda w: replace(w, '  ', ' '))"
                     for lang in LANGS)
    return f"CASE lang {whens} ELSE []::VARCHAR[] END"


def _quote(regex: str) -> str:
    return regex.replace("'", "''")


def _lang_sql() -> str:
    """SQL: the declared language, else French or English by stop-word counts, else ``und``."""
    fr, en = (_quote(pattern(lang, "stopwords")) for lang in LANGS)
    guess = (f"CASE WHEN len(regexp_extract_all(norm, '{fr}', 1)) > len(regexp_extract_all(norm, '{en}', 1)) "
             f"THEN 'fr' WHEN len(regexp_extract_all(norm, '{en}', 1)) > 0 THEN 'en' ELSE 'und' END")
    declared = "nullif(lower(left(declared_lang, 2)), 'un')"
    return f"CASE WHEN {declared} IS NOT NULL THEN {declared} ELSE {guess} END"


def _base(source: str) -> str:
    return f"""
        SELECT * EXCLUDE (declared_lang, lang), {_lang_sql()} AS lang
        FROM (SELECT *, lang AS declared_lang, {normalize_sql('"text"')} AS norm FROM {source})"""


def build_features(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``features`` (own posts: every category) and ``request_features`` (requests: intent)."""
    lists = ", ".join(f"{_hits(c)} AS {c}_hits" for c in OWN_CATEGORIES)
    derived = ", ".join(f"{c}_hits, len({c}_hits) AS {c}_n, {c}_hits[1] AS {c}_word" for c in OWN_CATEGORIES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE features AS
        WITH lexed AS (SELECT *, {lists} FROM ({_base('own')}))
        SELECT platform, post_id, lang, norm,
          len(regexp_extract_all(norm, '[\\p{{L}}\\p{{N}}]+')) AS words,
          greatest(1, len(regexp_extract_all(regexp_replace("text", '(https?://|www\\.)\\S+|@[\\w.@-]+', '', 'g'),
                   '[^.!?…]*[\\p{{L}}\\p{{N}}][^.!?…]*([.!?…]+|$)'))) AS sentences,
          len(regexp_extract_all(norm, '{VOWELS}')) AS syllables,
          contains("text", '?') AS has_question,
          contains("text", '!') AS has_exclamation,
          len(regexp_extract_all("text", '{EMOJI}')) AS emoji,
          trim(norm) = '' AS link_only,
          {derived},
          {_function_rule()}
        FROM lexed""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE request_features AS
        WITH r AS (SELECT target, platform, post_id, kind, account, in_reply_to_account, "text", lang FROM requests)
        SELECT target, platform, post_id, 'question mark' AS intent_rule FROM r WHERE contains("text", '?')
        UNION ALL
        SELECT target, platform, post_id, 'problem word: ' || ({_hits('problem')})[1]
        FROM ({_base(UNQUESTIONED)})""")


UNQUESTIONED = """(SELECT * FROM r WHERE NOT contains("text", '?'))"""


def _function_rule() -> str:
    """The Lovejoy & Saxton cascade: community, then action, else information; with its reason."""
    return """
        CASE WHEN kind = 'reply' AND coalesce(lower(in_reply_to_account), '') <> lower(account) THEN 'community'
             WHEN solicitation_word IS NOT NULL OR thanks_word IS NOT NULL THEN 'community'
             WHEN contains("text", '?') AND kind IN ('original', 'quote') THEN 'community'
             WHEN action_word IS NOT NULL THEN 'action'
             ELSE 'information' END AS function,
        CASE WHEN kind = 'reply' AND coalesce(lower(in_reply_to_account), '') <> lower(account)
             THEN 'reply to another account'
             WHEN solicitation_word IS NOT NULL THEN 'response solicitation: ' || solicitation_word
             WHEN thanks_word IS NOT NULL THEN 'thanks or recognition: ' || thanks_word
             WHEN contains("text", '?') AND kind IN ('original', 'quote') THEN 'question to the audience'
             WHEN action_word IS NOT NULL THEN 'call to action: ' || action_word
             ELSE 'no community or action cue' END AS function_rule"""
