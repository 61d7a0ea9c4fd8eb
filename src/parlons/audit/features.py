"""Per-post lexical features, computed once per audit by one vectorized query.

``features`` has one row per post of ``own`` and ``requests``: the normalized text, the language
(declared, else guessed from FR/EN stop words), word/sentence/syllable counts, lexicon hits per
category (in the post's language) with the first word that fired, and the post function of the
Lovejoy & Saxton cascade with the rule that fired. See ``docs/metrics.md``.
"""

from __future__ import annotations

import duckdb

from .lexicon import LANGS, categories, normalize_sql, pattern

__all__ = ["build_features"]

EMOJI = r"[\x{1F300}-\x{1FAFF}\x{2600}-\x{27BF}\x{1F000}-\x{1F2FF}\x{1F900}-\x{1F9FF}]"
VOWELS = r"[aeiouyàâäéèêëîïôöûùüœæ]+"


def _by_lang(category: str, count: bool) -> str:
    """SQL: hits of ``category`` in the post's language (a count, or the first entry that fired)."""
    whens = []
    for lang in LANGS:
        regex = pattern(lang, category).replace("'", "''")
        expr = (f"len(regexp_extract_all(norm, '{regex}', 1))" if count
                else f"nullif(regexp_extract(norm, '{regex}', 1), '')")
        whens.append(f"WHEN '{lang}' THEN {expr}")
    return f"CASE lang {' '.join(whens)} ELSE {'0' if count else 'NULL'} END"


def _guess_lang() -> tuple[str, str, str]:
    fr, en = (pattern(lang, "stopwords").replace("'", "''") for lang in LANGS)
    declared = "nullif(lower(left(declared_lang, 2)), 'un')"
    return (f"coalesce({declared}, CASE WHEN fr_hits > en_hits THEN 'fr' WHEN en_hits > fr_hits THEN 'en' "
            f"ELSE 'und' END)"), fr, en


def build_features(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temporary table ``features`` for every post in ``own`` and ``requests``."""
    lang_expr, fr, en = _guess_lang()
    hits = ",\n".join(f"{_by_lang(c, True)} AS {c}_n, {_by_lang(c, False)} AS {c}_word"
                      for c in categories())
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE features AS
        WITH base AS (
          SELECT platform, post_id, kind, account, in_reply_to_account, "text", lang AS declared_lang,
                 {normalize_sql('"text"')} AS norm
          FROM (SELECT * FROM own UNION ALL BY NAME SELECT * EXCLUDE (target, is_reply_to_target,
                answer_id, answered_at, response_s) FROM requests)
          QUALIFY row_number() OVER (PARTITION BY platform, post_id) = 1
        ), guessed AS (
          SELECT *, len(regexp_extract_all(norm, '{fr}', 1)) AS fr_hits,
                    len(regexp_extract_all(norm, '{en}', 1)) AS en_hits
          FROM base
        ), lexed AS (
          SELECT *, {lang_expr} AS lang FROM guessed
        )
        SELECT platform, post_id, lang, norm,
          len(regexp_extract_all(norm, '[\\p{{L}}\\p{{N}}]+')) AS words,
          greatest(1, len(regexp_extract_all(regexp_replace("text", '(https?://|www\\.)\\S+', '', 'g'),
                   '[^.!?…]+([.!?…]+|$)'))) AS sentences,
          len(regexp_extract_all(norm, '{VOWELS}')) AS syllables,
          contains("text", '?') AS has_question,
          contains("text", '!') AS has_exclamation,
          len(regexp_extract_all("text", '{EMOJI}')) AS emoji,
          trim(norm) = '' AS link_only,
          {hits},
          {_function_rule()}
        FROM lexed""")


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
