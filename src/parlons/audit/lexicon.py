"""The audit's FR/EN lexicons (``data/lexicon.toml``), compiled into RE2 patterns for DuckDB.

Text is normalized before matching: URLs and @handles removed, lower case, and every run of
characters that are not letters or digits replaced by two spaces, with two spaces at both ends.
A lexicon entry is normalized the same way and matched as ``' entry '``: with two spaces between
words, consecutive words each keep a space on both sides, so every occurrence is counted. Whole
words and phrases match, accented letters included (DuckDB's ``\\b`` only knows ASCII letters).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["CLAUSE_BREAKS", "LANGS", "QUESTION_MARK", "automation_clients", "categories", "clauses_sql", "lexicon",
           "normalize_sql", "pattern", "question_marks_sql", "start_pattern"]

LANGS = ("fr", "en")


@cache
def lexicon() -> dict[str, Any]:
    """The parsed lexicon file."""
    return tomllib.loads(files("parlons.audit").joinpath("data/lexicon.toml").read_text("utf-8"))


def categories() -> tuple[str, ...]:
    return tuple(k for k in lexicon()["fr"] if k != "stopwords")


def _normalize(entry: str) -> str:
    return "  ".join(w for w in re.split(r"[^\w]+", entry.lower()) if w)


def _escape(word: str) -> str:
    return re.sub(r"([^\w ])", r"\\\1", word)


def pattern(lang: str, category: str) -> str:
    """An RE2 pattern matching any entry of ``category`` in normalized text (group 1 = entry)."""
    entries = sorted({_normalize(e) for e in lexicon()[lang][category]}, key=len, reverse=True)
    return " (" + "|".join(_escape(e) for e in entries if e) + ") "


def start_pattern(lang: str, category: str, lead: str | None = None) -> str:
    """An RE2 pattern matching an entry of ``category`` that opens a clause of text normalized by
    ``clauses_sql`` (after any number of ``lead`` entries: "please", "n'oubliez pas de"...)."""
    leads = pattern(lang, lead)[2:-2] if lead else ""
    return r"\|  " + (f"(?:(?:{leads})  )*" if leads else "") + pattern(lang, category)[1:]


def automation_clients() -> list[str]:
    return [c.lower() for c in lexicon()["automation"]["clients"]]


QUESTION_MARK = "[?\uff1f]"
"""A question mark, ASCII or full-width (Chinese, Japanese: "？")."""


def question_marks_sql(column: str) -> str:
    """SQL: how many runs of question marks ``column`` holds outside its links: a link's query string
    (``watch?v=``, ``index.php?topic=``, ``?p=1153``) asks nothing."""
    no_links = rf"regexp_replace({column}, '(https?://|www\.)\S+', ' ', 'g')"
    # most posts have no question mark at all: the regular expressions only for those that do
    return (f"CASE WHEN contains({column}, '?') OR contains({column}, '\uff1f') "
            f"THEN len(regexp_extract_all({no_links}, '{QUESTION_MARK}+')) ELSE 0 END")


def normalize_sql(column: str) -> str:
    """SQL turning ``column`` into the normalized form the patterns expect."""
    stripped = rf"regexp_replace({column}, '(https?://|www\.)\S+|@[\w.@-]+', ' ', 'g')"
    return rf"'  ' || regexp_replace(lower({stripped}), '[^\p{{L}}\p{{N}}]+', '  ', 'g') || '  '"


CLAUSE_BREAKS = (r"[.!?;:,…\n\r•·|()\[\]\"«»“”]|\s[-–—]+\s"
                 r"|[\x{1F300}-\x{1FAFF}\x{2600}-\x{27BF}\x{1F000}-\x{1F2FF}\x{2190}-\x{21FF}\x{2B00}-\x{2BFF}]")
"""Where a clause ends: sentence punctuation, colons, commas, brackets, quotes, a spaced dash, an emoji, an
arrow ("Students looking for a job? The city is hiring, apply by April 15")."""


def clauses_sql(column: str) -> str:
    """SQL: ``column`` normalized as by ``normalize_sql``, with `` | `` at the start and at every clause
    break, so that a pattern can ask for a word that opens a clause (an imperative)."""
    stripped = rf"regexp_replace({column}, '(https?://|www\.)\S+|@[\w.@-]+', ' ', 'g')"
    marked = f"regexp_replace({stripped}, '{CLAUSE_BREAKS}', ' | ', 'g')"
    return rf"'  ' || regexp_replace('| ' || lower({marked}), '[^\p{{L}}\p{{N}}|]+', '  ', 'g') || '  '"
