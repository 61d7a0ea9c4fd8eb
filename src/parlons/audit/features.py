"""Per-post lexical features, computed once per audit by vectorized queries.

``features`` has one row per post of ``own``: the normalized text, the language (declared, else
guessed from FR/EN stop words, French elisions and English contractions), word/sentence/syllable
counts, lexicon hits per category (in the post's language) with the first word that fired, and the
post function of the Lovejoy & Saxton cascade with the rule that fired. ``request_features`` gives
each request its language, whether it asks for something, and the rule that decided it. The rules
are in ``docs/metrics.md``; the labelling rules they are measured against in ``docs/validation.md``.
"""

from __future__ import annotations

import duckdb

from .lexicon import LANGS, clauses_sql, lexicon, normalize_sql, pattern, question_marks_sql, start_pattern

__all__ = ["OWN_CATEGORIES", "REQUEST_CATEGORIES", "build_features"]

EMOJI = r"[\x{1F300}-\x{1FAFF}\x{2600}-\x{27BF}\x{1F000}-\x{1F2FF}\x{1F900}-\x{1F9FF}]"
VOWELS = r"[aeiouyàâäéèêëîïôöûùüœæ]+"
WARM = (r"[\x{2764}\x{2665}\x{1F499}-\x{1F49F}\x{1F9E1}\x{1F90D}"  # hearts
        r"\x{1F600}-\x{1F606}\x{1F60A}\x{1F60D}\x{1F642}\x{1F970}\x{1F929}\x{1F973}\x{1F602}\x{1F923}"  # smiles
        r"\x{1F44F}\x{1F44D}\x{1F64C}\x{1F64F}\x{1F44C}\x{1F4AA}\x{1F389}\x{2728}\x{1F31F}\x{2B50}\x{1F4AF}]"
        r"|!")
"""Warm signs (hearts, smiles, applause, thumbs up, laughter, an exclamation mark): with no question,
request or problem, a message that shows one is not read as asking."""
ELISIONS = r"(^|[^\p{L}])(qu|[cdjlmnst])['’]\p{L}"
"""French elisions (t'as, qu'on, n'était, j'ai): evidence of French."""
CONTRACTIONS = r"\p{L}['’](s|t|re|ve|ll|d|m)([^\p{L}]|$)"
"""English contractions (it's, don't, we're, I've): evidence of English."""

OWN_CATEGORIES = ("first_singular", "first_plural", "second_person", "jargon", "thanks", "solicitation",
                  "rhetorical", "action")
"""Categories matched anywhere in an own post."""
START_CATEGORIES = {"imperative": "imperative_lead"}
"""Categories matched only where they open a clause, after any number of lead words."""
REQUEST_CATEGORIES = ("request", "problem", "resolved", "thanks")


def _quote(regex: str) -> str:
    return regex.replace("'", "''")


def _extract(column: str, patterns: dict[str, str]) -> str:
    """SQL: matches of a per-language pattern in ``column`` (entries shown with single spaces); a post
    of another or unknown language is matched against every language's pattern."""
    found = {lang: f"regexp_extract_all({column}, '{_quote(patterns[lang])}', 1)" for lang in LANGS}
    whens = " ".join(f"WHEN '{lang}' THEN {found[lang]}" for lang in LANGS)
    either = "list_concat(" + ", ".join(found.values()) + ")"
    return f"list_transform(CASE lang {whens} ELSE {either} END, lambda w: replace(w, '  ', ' '))"


def hits(category: str, column: str = "norm") -> str:
    """SQL: the entries of ``category`` found anywhere in ``column``, in the post's language."""
    return _extract(column, {lang: pattern(lang, category) for lang in LANGS})


def start_hits(category: str, lead: str | None, column: str = "cnorm") -> str:
    """SQL: the entries of ``category`` that open a clause of ``column``, in the post's language."""
    return _extract(column, {lang: start_pattern(lang, category, lead) for lang in LANGS})


JOINED_NEGATIONS = "regexp_replace(cnorm, '(\\p{L})  t  ', '\\1t  ', 'g')"
"""SQL: ``cnorm`` with English negative contractions joined ("can't wait" -> "cant wait"), so that a
question word ("can") does not match a negation."""


def ending_hits() -> str:
    """SQL: words opening a clause with an imperative ending of the language (French ``-ez``), minus
    the listed exceptions."""
    patterns, stops = {}, {}
    for lang in LANGS:
        endings = lexicon()[lang].get("imperative_ending", [])
        leads = pattern(lang, "imperative_lead")[2:-2]
        patterns[lang] = (r"\|  (?:(?:" + leads + r")  )*(\p{L}+(?:" + "|".join(endings) + ")) ") if endings else "$^"
        stops[lang] = [w.lower() for w in lexicon()[lang].get("imperative_not", [])]
    stop = "CASE lang " + " ".join(f"WHEN '{lang}' THEN {stops[lang]!r}::VARCHAR[]" for lang in LANGS) + " END"
    return f"list_filter({_extract('cnorm', patterns)}, lambda w: NOT list_contains(coalesce({stop}, []), w))"


STRONG_EVIDENCE = (5, 4)
"""A declared French or English gives way to the other language when the text has at least 5 of its
stop words, elisions or contractions and 4 times as many as the declared one's: a blog's feed
declares its site setting (WordPress's default ``en-US``) for every post, French ones included."""


OTHER_EVIDENCE = 2
"""A post without a declared language that has at least 2 frequent words of another language written in
Latin letters (the lexicon's ``[other]`` list), and more of them than French or English evidence, is in
neither (``und``): in a real LinkedIn export, Swedish comments with a "de", a "du" or a "ta" were read
as French (437 posts), others with an "in" or a "to" as English. Evidence, not its absence: a terse
English or French post with few stop words ("Summer camp registration is now open!") stays English or
French."""


def _lang_counts_sql() -> str:
    """SQL: ``fr_n`` and ``en_n``, the French and English evidence in the text (stop words, French
    elisions, English contractions), and ``other_n``, the frequent words of other languages."""
    fr, en, other = (_quote(pattern(lang, "stopwords")) for lang in (*LANGS, "other"))
    elisions, contractions = _quote(ELISIONS), _quote(CONTRACTIONS)
    fr_n = f"(len(regexp_extract_all(norm, '{fr}', 1)) + len(regexp_extract_all(lower(\"text\"), '{elisions}')))"
    en_n = f"(len(regexp_extract_all(norm, '{en}', 1)) + len(regexp_extract_all(lower(\"text\"), '{contractions}')))"
    return f"{fr_n} AS fr_n, {en_n} AS en_n, len(regexp_extract_all(norm, '{other}', 1)) AS other_n"


def _lang_sql() -> str:
    """SQL (over ``fr_n``, ``en_n``): the declared language, unless the text says strongly that it is
    the other of French and English (``STRONG_EVIDENCE``); else French or English by the evidence."""
    least, times = STRONG_EVIDENCE
    other = f"other_n >= {OTHER_EVIDENCE} AND other_n >= greatest(fr_n, en_n)"
    guess = f"CASE WHEN {other} THEN 'und' WHEN fr_n > en_n THEN 'fr' WHEN en_n > 0 THEN 'en' ELSE 'und' END"
    strong = (f"CASE WHEN fr_n >= {least} AND fr_n >= {times} * en_n THEN 'fr' "
              f"WHEN en_n >= {least} AND en_n >= {times} * fr_n THEN 'en' END")
    declared = "nullif(lower(left(declared_lang, 2)), 'un')"
    return (f"CASE WHEN {declared} IN ('fr', 'en') AND ({strong}) IS NOT NULL THEN ({strong}) "
            f"WHEN {declared} IS NOT NULL THEN {declared} ELSE {guess} END")


def _base(source: str) -> str:
    return f"""
        SELECT * EXCLUDE (declared_lang, lang, fr_n, en_n, other_n), {_lang_sql()} AS lang
        FROM (SELECT *, {_lang_counts_sql()}
              FROM (SELECT *, lang AS declared_lang, {normalize_sql('"text"')} AS norm,
                           {clauses_sql('"text"')} AS cnorm FROM {source}))"""


def build_features(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``features`` (own posts: every category) and ``request_features`` (requests: intent)."""
    _build_own(con)
    _build_requests(con)


def _build_own(con: duckdb.DuckDBPyConnection) -> None:
    categories = (*OWN_CATEGORIES, *START_CATEGORIES)
    lists = ", ".join([f"{hits(c)} AS {c}_hits" for c in OWN_CATEGORIES]
                      + [f"list_concat({start_hits(c, lead)}, {ending_hits()}) AS {c}_hits"
                         for c, lead in START_CATEGORIES.items()])
    derived = ", ".join(f"{c}_hits, len({c}_hits) AS {c}_n, {c}_hits[1] AS {c}_word" for c in categories)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE features AS
        WITH lexed AS (SELECT *, {lists} FROM ({_base('own')}))
        SELECT platform, post_id, lang, norm,
          len(regexp_extract_all(norm, '[\\p{{L}}\\p{{N}}]+')) AS words,
          greatest(1, len(regexp_extract_all(regexp_replace("text", '(https?://|www\\.)\\S+|@[\\w.@-]+', '', 'g'),
                   '[^.!?…]*[\\p{{L}}\\p{{N}}][^.!?…]*([.!?…]+|$)'))) AS sentences,
          len(regexp_extract_all(norm, '{VOWELS}')) AS syllables,
          {question_marks_sql('"text"')} > 0 AS has_question,
          {question_marks_sql('"text"')} AS questions,
          contains("text", '!') AS has_exclamation,
          len(regexp_extract_all("text", '{EMOJI}')) AS emoji,
          trim(norm) = '' AS link_only,
          {derived},
          {_function_rule()}
        FROM lexed""")


def _function_rule() -> str:
    """The Lovejoy & Saxton cascade (``docs/validation.md``): a reply to another account, then an
    invitation to answer -> community; a call to action -> action; thanks, recognition, greetings or a
    question to the audience (beyond rhetorical hooks) -> community; else information."""
    reply = "kind = 'reply' AND coalesce(lower(in_reply_to_account), '') <> lower(account)"
    question = "questions > rhetorical_n AND kind IN ('original', 'quote')"
    return f"""
        CASE WHEN {reply} THEN 'community'
             WHEN solicitation_word IS NOT NULL THEN 'community'
             WHEN action_word IS NOT NULL OR imperative_word IS NOT NULL THEN 'action'
             WHEN thanks_word IS NOT NULL OR {question} THEN 'community'
             ELSE 'information' END AS function,
        CASE WHEN {reply} THEN 'reply to another account'
             WHEN solicitation_word IS NOT NULL THEN 'response solicitation: ' || solicitation_word
             WHEN action_word IS NOT NULL THEN 'call to action: ' || action_word
             WHEN imperative_word IS NOT NULL THEN 'call to action: ' || imperative_word
             WHEN thanks_word IS NOT NULL THEN 'thanks or recognition: ' || thanks_word
             WHEN {question} THEN 'question to the audience'
             ELSE 'no community or action cue' END AS function_rule"""


def _without(category: str, after: str, column: str = "norm") -> str:
    """SQL: ``column`` without the entries of ``category`` (and the word after them when ``after`` is
    ``[^ ]+ ``: a negated word), in the post's language."""
    whens = " ".join(f"WHEN '{lang}' THEN "
                     f"regexp_replace({column}, '{_quote(pattern(lang, category))} {after}', '  ', 'g')"
                     for lang in LANGS)
    return f"CASE lang {whens} ELSE {column} END"


def _build_requests(con: duckdb.DuckDBPyConnection) -> None:
    """One row per request: its language, whether it asks, and the rule that decided it.

    It asks when it has a question mark, a request ("pouvez-vous", "please"), a question word
    opening a clause, or a problem or complaint word (phrases such as "no problem" and praise idioms
    such as "nothing beats", "rien ne vaut" removed first) that no "problem solved" cue answers;
    failing these, when it is addressed to the account (a reply, a comment, or a post opening with an
    @handle) and neither thanks nor praises (a negated word, "pas rassurant", is no praise; a warm
    sign, ``WARM``, or a praise idiom counts as praise). ``intent_rule``
    names what made it ask (NULL when it does not); ``not_asking_rule`` what made it not ask."""
    cleaned = _without("not_problem", "", _without("praise_idiom", ""))
    unnegated = _without("negation", r"[^ ]+ ")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE request_features AS
        WITH r AS (SELECT target, platform, post_id, kind, account, in_reply_to_account, "text", lang FROM requests),
        b AS (SELECT *, {cleaned} AS pnorm, {unnegated} AS nnorm, {JOINED_NEGATIONS} AS qnorm FROM ({_base('r')})),
        lexed AS (
          SELECT target, platform, post_id, lang, {question_marks_sql('"text"')} > 0 AS question,
                 kind IN ('reply', 'comment') OR regexp_matches("text", '^\\s*[@＠]') AS addressed,
                 ({hits('request')})[1] AS request_word,
                 ({start_hits('interrogative', None, 'qnorm')})[1] AS question_word,
                 ({hits('problem', 'pnorm')})[1] AS problem_word, ({hits('resolved', 'nnorm')})[1] AS resolved_word,
                 coalesce(({hits('thanks', 'nnorm')})[1], ({hits('praise', 'nnorm')})[1], ({hits('praise_idiom')})[1],
                          nullif(regexp_extract("text", '{WARM}'), '')) AS thanks_word
          FROM b)
        SELECT target, platform, post_id, lang,
          CASE WHEN question THEN 'question mark'
               WHEN request_word IS NOT NULL THEN 'request: ' || request_word
               WHEN question_word IS NOT NULL THEN 'question word: ' || question_word
               WHEN problem_word IS NOT NULL AND resolved_word IS NULL THEN 'problem word: ' || problem_word
               WHEN resolved_word IS NULL AND thanks_word IS NULL AND addressed
               THEN 'no thanks, praise or acknowledgement'
          END AS intent_rule,
          CASE WHEN question OR request_word IS NOT NULL OR question_word IS NOT NULL THEN NULL
               WHEN resolved_word IS NOT NULL THEN 'problem solved: ' || resolved_word
               WHEN problem_word IS NOT NULL THEN NULL
               WHEN thanks_word IS NOT NULL THEN 'thanks or praise: ' || thanks_word
               WHEN NOT addressed THEN 'mentions the account in passing'
          END AS not_asking_rule
        FROM lexed""")
    con.execute("ALTER TABLE request_features ADD COLUMN asks BOOLEAN")
    con.execute("UPDATE request_features SET asks = intent_rule IS NOT NULL")
