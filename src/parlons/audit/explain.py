"""Why a post was classified as it was: every rule, lexicon word and automation signal that fired.

``explain_post`` gives the raw data (``parlons explain --json``); ``describe`` turns it into a few
readable lines in French or English (``parlons explain``).
"""

from __future__ import annotations

import gettext
from typing import Any

import duckdb

from ..errors import UsageError
from ..i18n import N_, translator
from ._sql import one
from .broadcast import CROSS_POST_MINUTES, prepare_automation
from .facts import DUPLICATE_KEY, facts_sql
from .features import OWN_CATEGORIES, START_CATEGORIES, build_features

__all__ = ["describe", "explain_post"]

CATEGORY_NAMES = {"first_singular": N_("first person singular"), "first_plural": N_("first person plural"),
                  "second_person": N_("second person"), "jargon": N_("jargon"), "thanks": N_("thanks or recognition"),
                  "solicitation": N_("response solicitation"), "rhetorical": N_("rhetorical hook"),
                  "action": N_("call to action"), "imperative": N_("call to action")}
LANGUAGE_NAMES = {"fr": N_("French"), "en": N_("English")}
WORDS = {"original": N_("original post"), "reply": N_("reply"), "quote": N_("quote"), "comment": N_("comment"),
         "repost": N_("repost"), "information": N_("information"), "community": N_("community"),
         "action": N_("action")}


def explain_post(con: duckdb.DuckDBPyConnection, post_id: str, platform: str | None = None) -> dict[str, Any]:
    """The post, its language, lexicon hits, function, asking rule and automation signals, as the audit sees them."""
    rows = con.execute("SELECT platform FROM posts WHERE post_id = $id AND ($p IS NULL OR platform = $p)",
                       {"id": post_id, "p": platform}).fetchall()
    if len(rows) != 1:
        raise UsageError(f"{'no' if not rows else 'several'} posts with id {post_id!r}"
                         f"{'' if rows else ' in the store'}; give --platform when several platforms share it")
    params = {"id": post_id, "p": rows[0][0]}
    _tables(con, params)
    build_features(con)
    _automation(con, params)
    words = ", ".join(f"f.{c}_hits AS {c}" for c in (*OWN_CATEGORIES, *START_CATEGORIES))
    return one(con, f"""
        SELECT o.platform, o.post_id, o.account, o.kind, o."text", o.source, o.mentions, o.in_reply_to_account,
               f.lang, o.lang AS declared_lang,
               f.words, f.sentences, f.syllables, f.function, f.function_rule,
               rf.intent_rule AS request_intent_rule, rf.asks AS request_asks,
               rf.not_asking_rule AS request_not_asking_rule,
               au.rule AS automation_rule, coalesce(au.signals, []) AS automation_signals, {words}
        FROM own o JOIN features f USING (platform, post_id)
        JOIN request_features rf USING (target, platform, post_id)
        LEFT JOIN automation au USING (target, platform, post_id)""")


def _tables(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """``own`` and ``requests``: the post alone; ``own_all``: every post of its account on its platform."""
    con.execute("CREATE OR REPLACE TEMP TABLE own AS SELECT *, account AS target FROM posts "
                "WHERE post_id = $id AND platform = $p", params)
    con.execute("CREATE OR REPLACE TEMP TABLE own_all AS SELECT p.*, p.account AS target FROM posts p "
                "WHERE p.platform = $p AND p.account = (SELECT account FROM own)", {"p": params["p"]})
    con.execute("CREATE OR REPLACE TEMP TABLE requests AS SELECT *, false AS is_reply_to_target, "
                "NULL::VARCHAR AS answer_id, NULL::TIMESTAMPTZ AS answered_at, NULL::BIGINT AS response_s "
                "FROM own")


def _automation(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """The automation signals of the post: its account's posts, and the same words on other platforms
    within minutes of it."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dupkeys AS
        SELECT '' AS scope, platform, account, post_id, created_at, {DUPLICATE_KEY} AS key FROM (
          SELECT * FROM own_all WHERE kind <> 'repost'
          UNION ALL BY NAME
          SELECT p.*, p.account AS target FROM posts p, own o
          WHERE p.platform <> o.platform AND p.kind <> 'repost'
            AND p.created_at BETWEEN o.created_at - INTERVAL {CROSS_POST_MINUTES} MINUTE AND o.created_at)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE dupgroups AS SELECT scope, key, list(DISTINCT platform) AS who
                   FROM dupkeys GROUP BY scope, key HAVING count(*) > 1""")
    for name in ("titles", "importer_precision"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {facts_sql()[name]}")
    con.execute("""CREATE OR REPLACE TEMP TABLE owner_dups (platform VARCHAR, post_id VARCHAR, dup_owned BOOLEAN,
                   dup_owners_n BIGINT, dup_prev_at TIMESTAMPTZ, dup_prev_platform VARCHAR)""")
    prepare_automation(con)


def describe(why: dict[str, Any], lang: str | None = None) -> str:
    """``explain_post``'s answer as readable lines in ``lang`` (French or English)."""
    from ..report.audit_text import translate_rule

    t = translator(lang)
    _ = t.gettext
    language = _(LANGUAGE_NAMES[why["lang"]]) if why["lang"] in LANGUAGE_NAMES else _("unknown")
    how = _("declared by the platform") if why.get("declared_lang") else _("guessed from its words")
    lines = [_("Post %(id)s on %(platform)s by %(account)s (%(kind)s)") % {
                 "id": why["post_id"], "platform": why["platform"], "account": why["account"],
                 "kind": _(WORDS.get(why["kind"], why["kind"]))},
             "  " + " ".join(str(why["text"]).split()),
             _("Language: %(language)s (%(how)s)") % {"language": language, "how": how},
             _("Function: %(function)s, because: %(rule)s") % {
                 "function": _(WORDS[why["function"]]), "rule": translate_rule(t, why["function_rule"])}]
    if why.get("in_reply_to_account") or why.get("mentions"):  # written to someone: does it ask?
        lines.append(_("As a message to an account: %(asks)s, because: %(rule)s") % {
            "asks": _("asks for something") if why["request_asks"] else _("asks for nothing"),
            "rule": translate_rule(t, why["request_intent_rule"] or why["request_not_asking_rule"])})
    lines.append(_automation_line(why, t))
    found = [_("%(rule)s: %(word)s") % {"rule": _(CATEGORY_NAMES[c]), "word": ", ".join(why[c])}
             for c in CATEGORY_NAMES if why.get(c)]
    lines.append(_("Words found: %(words)s") % {"words": "; ".join(found) if found else _("none")})
    lines.append(_("Counts: words %(words)s, sentences %(sentences)s, syllables %(syllables)s") % {
        "words": why["words"], "sentences": why["sentences"], "syllables": why["syllables"]})
    return "\n".join(lines)


def _automation_line(why: dict[str, Any], t: gettext.NullTranslations) -> str:
    _ = t.gettext
    signals = ", ".join(_(s) for s in why["automation_signals"]) or _("none")
    verdict = _("automated") if why["automation_rule"] else _("not automated")
    line: str = _("Automation: %(verdict)s; signals: %(signals)s") % {"verdict": verdict, "signals": signals}
    return line
