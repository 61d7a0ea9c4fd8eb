"""The audit writes its rules, reasons and next steps in English; the report translates them.

Each English sentence the audit can emit is listed here, marked with ``N_`` so that Babel puts it
in the catalogs. A rule with a variable part ("call to action: inscrivez-vous") is translated by
its prefix, the part after ": " kept as found. A test checks that every rule, reason, caveat and
next step of the audit modules is listed here and translated into French.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable

from ..audit.result import AuditResult
from ..i18n import N_
from .names import account_on

__all__ = ["AUDIT_MESSAGES", "NEEDED", "PREFIXES", "needed_sentences", "translate_cues", "translate_rule",
           "translate_text"]

AUDIT_MESSAGES: tuple[str, ...] = (
    # maturity.RULES: conditions
    N_("requests known; answered share >= 0.8 and median first response <= 4 h"),
    N_("requests known; answered share >= 0.5, and questions share >= 0.05 or community share >= 0.25"),
    N_("requests known; answered share >= 0.2"),
    N_("requests known; answered share < 0.2 (listening without answering is invisible)"),
    N_("answered share unknown or too few; replies to others >= 0.2 of posts and (questions >= 0.05 or "
       "community >= 0.25)"),
    N_("answered share unknown or too few; replies to others >= 0.05 of posts"),
    N_("answered share unknown or too few; replies to others < 0.05 of posts"),
    N_("evidence too thin: no level without the answered share of enough requests that ask, or the replies to "
       "others over enough own posts"),
    # maturity.RULES: next steps
    N_("Keep the pace, and feed what people ask into products and services: a monthly digest of "
       "requests for the teams concerned."),
    N_("Commit to a response time (for example 80 % within 4 h on working days) and tell your audience."),
    N_("Answer every request, not only some: go through the unanswered list every working day."),
    N_("Start answering: reply today to the newest unanswered requests listed in this audit."),
    N_("Import incoming posts (mentions, comments) to measure how many requests go unanswered."),
    N_("Import incoming posts to check that all requests, not only some, are answered."),
    N_("Reply to the people who write to you, and ask your audience a question each week."),
    N_("Gather more data before any verdict: see what data would be needed, at the top of this report."),
    # coverage: reasons and caveats
    N_("only the account's own archive was imported: requests addressed to it are not in it; "
       "import incoming posts too (mentions captured with twarc, support CSVs, blog comments, "
       "Bluesky/Jetstream captures)"),
    N_("no post of the account in the period"),
    N_("comment feeds do not say which comment a comment answers: the blog's answers to its "
       "readers may be undercounted (a WordPress export keeps the threading)"),
    N_("a customer-support CSV may be a sample: answers outside it are missing"),
    N_("no imported file holds posts addressed to the account: requests are unknown, not zero; "
       "import incoming posts too (mentions captured with twarc, support CSVs, blog comments, "
       "Bluesky/Jetstream captures)"),
    N_("requests are known for some of the accounts audited together only: see the sources"),
    N_("holds posts addressed to the account"),
    N_("a blog export holds every comment under the blog's posts: none means none was received"),
    N_("the account's own archive: it holds only the account's own posts"),
    N_("collected live with the public threads under the account's posts: none means none was seen there"),
    N_("holds the account's posts but none addressed to it: nothing shows that it was collected "
       "to capture them"),
    N_("collected live from Mastodon: requests are those in the public threads under the account's posts (and its "
       "mentions when its token was given); deleted, private and followers-only posts are not seen"),
    N_("collected live from Bluesky: requests are those in the public threads under the account's posts (and its "
       "notifications when an app password was given); deleted and blocked posts are not seen"),
    # function rules, broadcast rules, request intent, voice cues
    N_("reply to another account"),
    N_("response solicitation"),
    N_("thanks or recognition"),
    N_("question to the audience"),
    N_("call to action"),
    N_("no community or action cue"),
    N_("automation client"),
    N_("feed item title plus link"),
    N_("same text posted by"),
    N_("question mark"),
    N_("problem word"),
    N_("jargon"),
    N_("asking = has a question mark or a problem/complaint word (lexicon)"),
    N_("automation signals"),
    N_("client name"),
    N_("feed item title"),
    N_("regular posting minute"),
    N_("regular posting second"),
    N_("one template repeated"),
    N_("no replies or mentions"),
    N_("link posts only"),
    N_("same text on another platform within minutes"),
    N_("request"),
    N_("question word"),
    N_("no thanks, praise or acknowledgement"),
    N_("problem solved"),
    N_("thanks or praise"),
    N_("mentions the account in passing"),
    N_("Lovejoy & Saxton (2012), 100 large US nonprofits on Twitter"),
)


def translate_text(t: gettext.NullTranslations, text: str | None) -> str:
    """A whole sentence of the audit in the reader's language (as found when not in the catalog)."""
    return t.gettext(text) if text else ""


PREFIXES = ("reply to another account", "response solicitation", "thanks or recognition", "question to the audience",
            "call to action", "no community or action cue", "automation client", "feed item title plus link",
            "same text posted by", "question mark", "problem word", "jargon", "automation signals", "request",
            "question word", "problem solved", "thanks or praise", "no thanks, praise or acknowledgement",
            "mentions the account in passing",
            "client name", "feed item title", "regular posting minute", "regular posting second",
            "one template repeated", "no replies or mentions", "link posts only",
            "same text on another platform within minutes")
"""Rule names that the audit may follow with the word or the account that fired."""


ENGLISH_ELISION = re.compile(r"\b(\w+) (t|s|m|re|ve|ll|d)\b")
FRENCH_ELISION = re.compile(r"(?<![\w'])(qu|aujourd|[cdjlmnst]) (?=\w)", re.IGNORECASE)


def readable_word(word: str) -> str:
    """A lexicon entry as people write it: the audit matches words with the apostrophe taken out
    ("isn t working", "qu en pensez vous"); the report puts it back ("isn't working", "qu'en pensez vous")."""
    return FRENCH_ELISION.sub(r"\1'", ENGLISH_ELISION.sub(r"\1'\2", word))


def _accounts(t: gettext.NullTranslations, who: str) -> str:
    """``blog:site.example, x:Org`` (platform:account, as the audit groups duplicates) in words."""
    named = [account_on(t, account, platform) for platform, _, account in (w.partition(":") for w in who.split(", "))]
    return ", ".join(named)


def translate_rule(t: gettext.NullTranslations, rule: str | None) -> str:
    """A rule such as ``call to action: inscrivez-vous``: the rule's name translated, the word kept
    (with its apostrophes); the accounts of a duplicate named in words."""
    if not rule:
        return ""
    for prefix in PREFIXES:
        if rule.startswith(prefix + ": "):
            word = rule[len(prefix) + 2:]
            if prefix == "automation signals":  # names of signals, not words of the post
                word = ", ".join(t.gettext(w) for w in word.split(", "))
            elif prefix not in ("automation client", "client name"):
                word = readable_word(word)
            return t.gettext("%(rule)s: %(word)s") % {"rule": t.gettext(prefix), "word": word}
        if rule.startswith(prefix + " "):
            rest = rule[len(prefix) + 1:]
            return f"{t.gettext(prefix)} {_accounts(t, rest) if prefix == 'same text posted by' else rest}"
    return t.gettext(rule)


def translate_cues(t: gettext.NullTranslations, cues: str | None) -> str:
    """Voice cues (``je, vous, ?, jargon: synergie``), each translated where it names a rule; the English
    pronoun written "I" (the audit finds words in lower case: "i, we, ?" read as a typo)."""
    def word(cue: str) -> str:
        return "I" + cue[1:] if cue == "i" or cue.startswith(("i'", "i’")) else translate_rule(t, cue)
    return ", ".join(word(cue) for cue in (cues or "").split(", ") if cue)


NEEDED = {
    "own_posts": N_("At least %(need)s own posts in the period (the data hold %(have)s): import a longer "
                    "period, or the account's whole archive."),
    "requests": N_("Posts addressed to the account (mentions, comments, support messages): import a file "
                   "that holds them, such as a capture of its mentions; its own archive does not."),
    "settled_requests": N_("At least %(need)s requests that ask whose answer window has passed (the data "
                           "hold %(have)s): import a longer period of the posts addressed to the account."),
}
"""What data the maturity ladder lacks (``Maturity.needed``), in sentences."""


def needed_sentences(t: gettext.NullTranslations, audit: AuditResult, count: Callable[[int], str]) -> list[str]:
    """The data the audit would need to conclude, in the reader's language (empty when nothing is missing)."""
    out = []
    for need in audit.maturity.needed:
        text = t.gettext(NEEDED[need.item])
        out.append(text if need.item == "requests" else text % {"need": count(need.need or 0),
                                                                "have": count(need.have or 0)})
    return out
