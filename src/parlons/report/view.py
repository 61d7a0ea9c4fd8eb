"""What the template shows: the audits turned into labelled, localized, safe values, section by section.

Nothing here writes HTML: texts from strangers stay plain strings (the template escapes them) or
go through :func:`~parlons.report.safe.linked_text`; links go through
:func:`~parlons.report.safe.safe_url`.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from babel import Locale

from ..audit.benchmark import KEY_FIGURES
from ..audit.maturity import RULES as MATURITY_RULES
from ..audit.result import (
    AuditResult,
    BusinessHours,
    ByIntent,
    Content,
    Conversation,
    Example,
    Figure,
    Function,
    Responsiveness,
    SourceCoverage,
    UnansweredRequest,
    VoiceExample,
    VoiceLanguage,
    WeekCount,
    WeekdayHour,
)
from ..i18n import N_
from . import charts
from .audit_text import needed_sentences, translate_cues, translate_rule, translate_text
from .figures import Figures, Shown
from .fmt import Formatter
from .methods import entry, families, general
from .names import account_on, importer_name, platform_name, platforms_named
from .priorities import priorities
from .safe import linked_text, safe_url

__all__ = ["CAPTIONS", "CHART_SECTIONS", "LEVELS", "View", "build_view", "section_charts"]

Audit = AuditResult

LEVELS = {
    1: N_("The upward channel is ignored"),
    2: N_("Social media are listened to"),
    3: N_("Reacts to some key messages"),
    4: N_("Proactively encourages discussion"),
    5: N_("Integrated into customer service and innovation"),
}
RESPONSIVENESS = ("requests", "answered", "unanswered", "pending", "answered_share", "median_first_response_s",
                  "p90_first_response_s", "answered_within_1h_share", "answered_within_24h_share")
CONVERSATION = ("posts", "originals_share", "replies_to_others_share", "self_replies_share", "reposts_share",
                "quotes_share", "posts_per_reply_to_others", "questions_share", "mentioning_others_share",
                "accounts_mentioned")
BROADCAST = ("posts", "automated_share", "duplicated_share", "link_only_share")
VOICE = ("posts", "words", "first_singular_share", "first_plural_share", "second_person_share", "questions_share",
         "exclamations_share", "emoji_share", "jargon_per_100_words", "readability")
CONTENT = ("posts", "links_share", "images_share", "video_share", "media_known_posts", "hashtags_per_post",
           "median_length_chars")
MEDIA_SHARES = ("images_share", "video_share")
NO_MEDIA = N_("the imported files do not say which posts carry images or video")
CADENCE = ("posts_per_week", "active_weeks_share", "weekly_variation")
FUNCTIONS = ("information", "community", "action")
SHOWN = 3
"""Examples shown per class (function, voice): the audit gives up to twice as many, spares for texts shown elsewhere."""
LANGUAGE_NAMES = {"fr": N_("French"), "en": N_("English")}
RETIRED_CODES = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv", "mo": "ro"}
"""Language codes ISO 639 has retired, which X still writes (``in`` for Indonesian), and the codes now used."""
URL = re.compile(r"https?://\S+")


CAPTIONS = {
    ("responsiveness", "answer-times"): N_("Time to the first answer, per request that asks (n = requests that ask "
                                           "in the period)."),
    ("conversation", "post-mix"): N_("Mix of own posts, by kind (n = own posts)."),
    ("content", "heatmap"): N_("Own posts by weekday and hour (all kinds, time zone %(timezone)s)."),
    ("content", "weekly"): N_("Own posts per week over the period (all kinds)."),
    ("function", "functions"): N_("Share of each function (n = own posts, no reposts) against Lovejoy & Saxton's "
                                  "59 / 26 / 16 %%."),
    ("peers", "key-shares"): N_("Key shares, each account on one line per figure; the audited account is the "
                                "diamond."),
}
"""Every chart of the report, by section and name, with the caption printed under it."""
CHART_SECTIONS = tuple(dict.fromkeys(section for section, _name in CAPTIONS))

SHORT_LIST = 20
"""How many unanswered requests the report shows first (the PDF shows only these)."""


def build_view(audits: list[Audit], lang: str, t: gettext.NullTranslations, plan: dict[str, Any] | None,
               charts_on: bool = True, csv_name: str | None = None) -> dict[str, Any]:
    """The template's context for ``audits`` (the first is the subject, the others its peers)."""
    main = audits[0]
    timezone = main.content.weekday_hour.timezone
    view = View(main, audits, lang, t, timezone, charts_on)
    view.csv_name = csv_name
    return view.context(plan)


def section_charts(audits: list[Audit], lang: str, t: gettext.NullTranslations,
                   sections: Sequence[str]) -> list[charts.Chart]:
    """The report's charts of ``sections`` (in report order), drawn exactly as the report draws them."""
    view = View(audits[0], audits, lang, t, audits[0].content.weekday_hour.timezone, True)
    return [c for section in sections for c in view.section_charts(section) if c is not None]



EXAMPLE_CHARS, REQUEST_CHARS = 480, 800
"""How much of a post the report quotes: a blog post or a long comment is cut at a word, with "…"
(the link and the CSV of unanswered requests give the whole text)."""


def excerpt(text: str | None, limit: int) -> str:
    """``text`` up to ``limit`` characters, cut at the last space before it (never inside a link), with "…"."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit // 2 else cut).rstrip() + " …"


def sentence(text: str) -> str:
    """``text`` as a sentence of its own: a capital first letter and a final full stop."""
    text = text.strip()
    if not text:
        return text
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?", "…")) else ".")

class View:
    def __init__(self, main: Audit, audits: list[Audit], lang: str, t: gettext.NullTranslations,
                 timezone: str, charts_on: bool) -> None:
        self.a, self.audits, self.lang, self.t = main, audits, lang, t
        self.fmt = Formatter(lang, timezone)
        self.figs = Figures(t, self.fmt)
        self.charts_on = charts_on
        self.csv_name: str | None = None
        self.shown: set[str] = set()
        """Texts already shown as examples: a text cross-posted or posted again is shown once in the report."""

    def _(self, message: str, **params: Any) -> str:
        text = self.t.gettext(message)
        return text % params if params else text

    def chart(self, section: str, name: str, spec: dict[str, Any], alt: str) -> charts.Chart | None:
        """The chart ``section/name`` rendered, with the report's caption for it (None when charts are off)."""
        if not self.charts_on:
            return None
        caption = self.t.gettext(CAPTIONS[section, name]) % {"timezone": self.fmt.timezone}
        return charts.render(spec, alt, self.lang, section=section, name=name, caption=caption)

    def context(self, plan: dict[str, Any] | None) -> dict[str, Any]:
        a = self.a
        period = a.period
        return {
            "lang": self.lang, "account": a.account, "platform": platforms_named(self.t, a.platform),
            "members": [{**m.model_dump(), "platform": platform_name(self.t, m.platform),
                         "label": account_on(self.t, m.account, m.platform)} for m in a.members],
            "period": self.fmt.period(period.since, period.until),
            "data_end": self.fmt.date(period.data_end) if period.data_end else "–",
            "timezone": self.fmt.timezone, "coverage": self.coverage(), "verdict": self.verdict(),
            "priorities": priorities(a, self.figs), "responsiveness": self.responsiveness(),
            "conversation": self.conversation(), "broadcast": self.broadcast(), "voice": self.voice(),
            "content": self.content(), "function": self.function(),
            "peers": self.peers() if len(self.audits) > 1 else None,
            "plan": plan_view(plan) if plan else None, "methods": self.methods(),
        }

    # first page ---------------------------------------------------------------------------------------------

    def _source_date(self, source: SourceCoverage) -> str:
        """When the file was imported, or the account collected: the report says how fresh its data is."""
        if source.imported_at is None:
            return ""
        when = self.fmt.date(source.imported_at)
        if source.collected:
            return self._("collected on %(date)s", date=when)
        return self._("imported on %(date)s", date=when)

    def coverage(self) -> dict[str, Any]:
        cov = self.a.coverage
        sources = [{"file": s.file, "importer": importer_name(self.t, s.importer), "account": s.account,
                    "platform": platform_name(self.t, s.platform), "label": account_on(self.t, s.account, s.platform),
                    "own_posts": self.fmt.count(s.own_posts), "addressed": self.fmt.count(s.addressed),
                    "holds": self._("yes") if s.holds_requests else self._("no"), "holds_requests": s.holds_requests,
                    "reason": translate_text(self.t, s.reason), "when": self._source_date(s)} for s in cov.sources]
        return {"own_posts": self.fmt.count(cov.own_posts),
                "importers": ", ".join(importer_name(self.t, i) for i in cov.importers),
                "caveats": [translate_text(self.t, c) for c in cov.caveats], "sources": sources,
                "unrelated_files": cov.unrelated_files, "unrelated_files_text": self.fmt.count(cov.unrelated_files),
                "unrelated_posts": self.fmt.count(cov.unrelated_posts), "period": self.period_basis(self.a)}

    def period_basis(self, audit: Audit) -> str:
        """How the period was chosen, in a sentence."""
        p = audit.period
        own = self.fmt.period(p.own_since, p.own_until)
        if p.basis == "common with peers":
            return self._("Compared with its peers over the common period, %(period)s; the account's own data runs "
                          "%(own)s.", period=self.fmt.period(p.since, p.until), own=own)
        if p.basis == "own data, no common period":
            return self._("The peers' data do not overlap with this account's: each account is audited over its own "
                          "data (%(own)s here), so the comparison is not over the same weeks.", own=own)
        if p.basis == "given":
            return self._("The period was set for this audit; the account's own data runs %(own)s.", own=own)
        return self._("The period is the account's own data: from the first to the last post by it or "
                      "addressed to it.")

    def verdict(self) -> dict[str, Any]:
        m = self.a.maturity
        level = m.level
        evidence = [self.evidence(path, item) for path, item in m.evidence.items()]
        title = (self._("No level: the evidence is too thin") if level is None
                 else self._("Level 1 or 2 (uncertain)") if level == "uncertain"
                 else self._("Level %(level)s of 5", level=level))
        low, high = (m.range[0], m.range[-1]) if m.range else (0, -1)
        ladder = [{"level": n, "name": self._(LEVELS[n]), "current": low <= n <= high} for n in range(5, 0, -1)]
        return {"level": level, "title": title, "ladder": ladder, "rule": translate_text(self.t, m.rule),
                "evidence": evidence, "next_step": translate_text(self.t, m.next_step),
                "name": self._(LEVELS[level]) if isinstance(level, int) else "" if level is None else self._(
                    "Listening without answering is invisible from outside: level 1 and level 2 look alike."),
                "needed": self.needed()}

    def evidence(self, path: str, item: Figure | None) -> Shown:
        """One figure the maturity rule read; a figure of unknown requests says "unknown", not "–"."""
        family, key = path.split(".", 1)
        if item is None and family == "responsiveness" and self.a.responsiveness.status == "unknown":
            return self.figs.unknown(family, key, N_("no file of the data holds the requests to the account"))
        return self.figs.show(family, key, item)

    def needed(self) -> list[str]:
        """What data the audit would need to conclude, in sentences (empty when nothing is missing)."""
        return needed_sentences(self.t, self.a, self.fmt.count)

    # responsiveness -----------------------------------------------------------------------------------------

    def responsiveness(self) -> dict[str, Any]:
        r = self.a.responsiveness
        if r.status == "unknown":
            return {"status": "unknown", "reason": sentence(translate_text(self.t, r.reason))}
        keys: tuple[str, ...] = RESPONSIVENESS
        if r.untraceable:  # beside the pending ones, when there are any
            after = RESPONSIVENESS.index("pending") + 1
            keys = (*RESPONSIVENESS[:after], "untraceable", *RESPONSIVENESS[after:])
        figures = [self.figs.show("responsiveness", k, getattr(r, k)) for k in keys]
        unanswered = [self.request(u) for u in r.unanswered_requests]
        not_asking = r.by_intent.not_asking
        return {"status": "ok", "figures": figures, "intent": self.intent(r.by_intent),
                "business_hours": self.business_hours(r.business_hours),
                "pending_window": self.fmt.duration(r.pending_window_s),
                "untraceable": r.untraceable, "untraceable_text": self.fmt.count(r.untraceable),
                "unanswered": unanswered[:SHORT_LIST], "unanswered_more": unanswered[SHORT_LIST:],
                "unanswered_total": r.unanswered, "requests": r.requests,
                "unanswered_total_text": self.fmt.count(r.unanswered), "csv_name": self.csv_name,
                "apart": not_asking.requests, "apart_text": self.fmt.count(not_asking.requests),
                "apart_unanswered": self.fmt.count(not_asking.unanswered),
                "chart": self.response_chart(r)}

    def request(self, u: UnansweredRequest) -> dict[str, Any]:
        return {"id": u.id, "author": u.author, "time": self.fmt.datetime(u.time), "iso": u.time,
                "text": linked_text(excerpt(u.text, REQUEST_CHARS)), "link": safe_url(u.permalink),
                "rule": translate_rule(self.t, u.rule)}

    def intent(self, by_intent: ByIntent) -> list[dict[str, Any]]:
        groups = [(self._("Asking (question or problem)"), by_intent.asking),
                  (self._("Not asking (thanks, remarks)"), by_intent.not_asking)]
        if by_intent.all is not None:
            groups.append((self._("All requests"), by_intent.all))
        return [{"label": name, "requests": self.fmt.count(g.requests), "answered": self.fmt.count(g.answered),
                 "unanswered": self.fmt.count(g.unanswered), "pending": self.fmt.count(g.pending),
                 "untraceable": self.fmt.count(g.untraceable) if by_intent.asking.untraceable
                 or by_intent.not_asking.untraceable else None,
                 "share": self.figs.show("responsiveness", "answered_share", g.answered_share)}
                for name, g in groups]

    def business_hours(self, hours: BusinessHours | None) -> list[dict[str, Any]]:
        if not hours:
            return []
        groups = ((self._("Inside working hours"), hours.inside), (self._("Outside working hours"), hours.outside))
        return [{"label": label, "requests": self.fmt.count(g.requests), "answered": self.fmt.count(g.answered),
                 "median": self.figs.show("responsiveness", "median_first_response_s", g.median_first_response_s)}
                for label, g in groups]

    def response_chart(self, r: Responsiveness) -> charts.Chart | None:
        if r.requests == 0 or r.answered_within_1h_share.value is None:
            return None
        within_1h, within_24h = r.answered_within_1h, r.answered_within_24h
        counts = [(self._("Answered within 1 hour"), within_1h, charts.COLORS["good"]),
                  (self._("Answered in 1 to 24 hours"), within_24h - within_1h, charts.COLORS["main"]),
                  (self._("Answered after 24 hours"), r.answered - within_24h, charts.COLORS["accent"]),
                  (self._("Not answered"), r.unanswered, charts.COLORS["bad"]),
                  (self._("Pending (too recent)"), r.pending, charts.COLORS["muted"])]
        if r.untraceable:
            counts.append((self._("Answer untraceable"), r.untraceable, charts.COLORS["muted"]))
        rows = [{"label": label, "value": n, "text": self.fmt.count(n)} for label, n, _ in counts]
        spec = charts.bars(rows, self._("Requests"), [c for _, _, c in counts])
        alt = self._("Requests by time to first answer: %(parts)s.",
                     parts="; ".join(f"{r['label']} {r['text']}" for r in rows))
        return self.chart("responsiveness", "answer-times", spec, alt)

    # conversation and broadcast -----------------------------------------------------------------------------

    def conversation(self) -> dict[str, Any]:
        c = self.a.conversation
        figures = [self.figs.show("conversation", k, getattr(c, k)) for k in CONVERSATION]
        return {"figures": figures, "chart": self.mix_chart(c)}

    def mix_chart(self, c: Conversation) -> charts.Chart | None:
        keys = (("originals_share", N_("Originals")), ("replies_to_others_share", N_("Replies to others")),
                ("self_replies_share", N_("Threads (replies to itself)")), ("quotes_share", N_("Quotes")),
                ("reposts_share", N_("Reposts")))
        values = {k: getattr(c, k).value for k, _ in keys}
        if any(v is None for v in values.values()):
            return None
        rows = [{"label": self._(label), "value": values[k]} for k, label in keys]
        colors = [charts.COLORS["main"], charts.COLORS["good"], "#7fa7c9", "#c9a77f", charts.COLORS["muted"]]
        alt = "; ".join(f"{r['label']} {self.fmt.share(r['value'])}" for r in rows)
        return self.chart("conversation", "post-mix", charts.mix_bar(rows, colors),
                          self._("Mix of own posts: %(parts)s.", parts=alt))

    def broadcast(self) -> dict[str, Any]:
        b = self.a.broadcast
        figures = [self.figs.show("broadcast", k, getattr(b, k)) for k in BROADCAST]
        return {"figures": figures, "automated": [self.example(e) for e in distinct(b.automated_examples, self.shown)],
                "duplicated": [self.example(e) for e in distinct(b.duplicated_examples, self.shown)],
                "clients": [{"source": c.source, "posts": self.fmt.count(c.posts)} for c in b.automation_clients]}

    def example(self, e: Example | VoiceExample) -> dict[str, Any]:
        rule = translate_cues(self.t, e.cues) if isinstance(e, VoiceExample) else translate_rule(self.t, e.rule)
        return {"id": e.id, "text": linked_text(excerpt(e.text, EXAMPLE_CHARS)), "link": safe_url(e.permalink),
                "rule": rule}

    # voice --------------------------------------------------------------------------------------------------

    def voice(self) -> dict[str, Any]:
        v = self.a.voice
        languages = [{"name": self.language_name(k), "posts": self.fmt.count(n)} for k, n in v.languages.items()]
        measured = sorted((("fr", v.fr), ("en", v.en)), key=lambda pair: -v.languages.get(pair[0], 0))
        per_language = [self.voice_language(code, one) for code, one in measured if one]  # the main language first
        return {"languages": languages, "per_language": per_language}

    def language_name(self, code: str) -> str:
        """A language's name in the reader's language ("Spanish", « espagnol »); ``und`` (no language
        recognised: short posts, other languages) in words; an unknown code as it is."""
        if code in LANGUAGE_NAMES:
            return self._(LANGUAGE_NAMES[code])
        if code == "und":
            return self._("language not recognised")
        base = code.split("-")[0]
        name = Locale.parse(self.lang).languages.get(RETIRED_CODES.get(base, base))
        return name[:1].upper() + name[1:] if name else code

    def voice_language(self, code: str, v: VoiceLanguage) -> dict[str, Any]:
        figures = [self.figs.show("voice", k, getattr(v, k)) for k in VOICE]
        formula = {"flesch": self._("Flesch reading ease"), "kandel_moles": self._("Kandel and Moles")}
        seen = self.shown
        most = distinct(v.examples.most_conversational, seen, SHOWN)
        # With few posts the two ends meet: a post shown as one of the most conversational is not also the least.
        least = distinct([e for e in v.examples.least_conversational if e.id not in {m.id for m in most}],
                         seen, SHOWN)
        return {"code": code, "name": self._(LANGUAGE_NAMES[code]), "figures": figures,
                "formula": formula.get(v.readability.formula, ""),
                "most": [self.example(e) for e in most], "least": [self.example(e) for e in least]}

    # content and cadence ------------------------------------------------------------------------------------

    def content(self) -> dict[str, Any]:
        c = self.a.content
        cadence = c.cadence
        figures = [self.content_figure(c, k) for k in CONTENT]
        figures += [self.figs.show("content", f"cadence.{k}", getattr(cadence, k)) for k in CADENCE]
        silence = cadence.longest_silence or [None, None]
        return {"figures": figures, "silence": self.figs.show("content", "cadence.longest_silence_s",
                                                              cadence.longest_silence_s),
                "silence_period": self.fmt.period(*silence) if len(silence) == 2 and all(silence) else "",
                "heatmap": self.heatmap(c.weekday_hour), "weekly": self.weekly(cadence.weekly)}

    def content_figure(self, c: Content, key: str) -> Shown:
        """A content figure; images and video are unknown, not "too few", when no imported file describes media."""
        if key in MEDIA_SHARES and c.posts and not c.media_known_posts:
            return self.figs.unknown("content", key, NO_MEDIA)
        return self.figs.show("content", key, getattr(c, key))

    def heatmap(self, table: WeekdayHour) -> charts.Chart | None:
        days = [Locale.parse(self.lang).days["format"]["abbreviated"][d] for d in range(7)]
        cells = [{"day": days[d], "hour": h, "posts": n} for d, row in enumerate(table.posts)
                 for h, n in enumerate(row)]
        if not any(c["posts"] for c in cells):
            return None
        spec = charts.heatmap(cells, days, self._("Hour (%(timezone)s)", timezone=table.timezone), self._("Posts"))
        busiest = max(cells, key=lambda c: c["posts"])
        alt = self._("Own posts by weekday and hour; the busiest slot is %(day)s %(hour)s h.",
                     day=busiest["day"], hour=busiest["hour"])
        return self.chart("content", "heatmap", spec, alt)

    def weekly(self, weeks: list[WeekCount]) -> charts.Chart | None:
        if len(weeks) < 2:
            return None
        rows = [w.model_dump() for w in weeks]
        peak = max(weeks, key=lambda w: w.posts)
        return self.chart("content", "weekly", charts.weekly(rows, self._("Posts per week")),
                          self._("Posts per week from %(start)s to %(end)s; at most %(peak)s in a week.",
                                 start=self.fmt.date(weeks[0].week + "T00:00:00Z"),
                                 end=self.fmt.date(weeks[-1].week + "T00:00:00Z"), peak=peak.posts))

    # function -----------------------------------------------------------------------------------------------

    def function_names(self) -> dict[str, str]:
        return {"information": self._("Information"), "community": self._("Community"), "action": self._("Action")}

    def function(self) -> dict[str, Any]:
        f = self.a.function
        names = self.function_names()
        ref, seen = f.reference, self.shown
        rows = [{"name": names[k], "figure": self.figs.show("function", f"{k}_share", getattr(f, f"{k}_share")),
                 "reference": self.fmt.share(getattr(ref, k)),
                 "examples": [self.example(e) for e in distinct(getattr(f.examples, k), seen, SHOWN)]}
                for k in FUNCTIONS]
        rules = [{"function": names.get(r.function, r.function), "rule": translate_rule(self.t, r.rule),
                  "posts": self.fmt.count(r.posts)} for r in f.rules]
        languages = self.a.voice.languages
        posts = sum(languages.values())
        other = posts - sum(n for k, n in languages.items() if k in LANGUAGE_NAMES)
        return {"rows": rows, "rules": rules, "source": translate_text(self.t, ref.source),
                "chart": self.function_chart(f, names), "other_languages": other if 2 * other >= posts > 0 else 0,
                "other_text": self.fmt.count(other), "posts": posts, "posts_text": self.fmt.count(posts)}

    def function_chart(self, f: Function, names: dict[str, str]) -> charts.Chart | None:
        values = {k: getattr(f, f"{k}_share").value for k in FUNCTIONS}
        if any(v is None for v in values.values()):
            return None
        who, ref = self.a.account, self._("Lovejoy & Saxton (2012)")
        rows = [row for k in FUNCTIONS for row in (
            {"function": names[k], "who": who, "value": values[k]},
            {"function": names[k], "who": ref, "value": getattr(f.reference, k)})]
        alt = "; ".join(f"{r['function']} {r['who']} {self.fmt.share(r['value'])}" for r in rows)
        spec = charts.function_bars(rows, self._("Share of own posts (no reposts)"))
        return self.chart("function", "functions", spec, alt)

    # peers --------------------------------------------------------------------------------------------------

    def peers(self) -> dict[str, Any]:
        accounts = [a.account for a in self.audits]
        rows = []
        for family, key, higher in KEY_FIGURES:
            cells = [self.peer_cell(a, family, key) for a in self.audits]
            label = self.t.gettext(entry(family, key).label)
            rows.append({"metric": f"{family}.{key}", "label": label, "cells": cells,
                         "direction": self._("higher is better") if higher else self._("lower is better")})
        return {"accounts": accounts, "rows": rows, "chart": self.peers_chart()}

    def peer_cell(self, audit: Audit, family: str, key: str) -> dict[str, Any]:
        r = audit.responsiveness
        shown = (self.figs.unknown(family, key, r.reason or "") if family == "responsiveness" and r.status == "unknown"
                 else self.content_figure(audit.content, key) if family == "content"
                 else self.figs.show(family, key, audit.at(f"{family}.{key}")))
        bench = audit.benchmark.get(f"{family}.{key}")
        rank = bench.rank if bench else None
        text = (self._("rank %(rank)s of %(of)s", rank=rank, of=bench.of) if bench and rank is not None
                else self._("not ranked"))
        return {"shown": shown, "rank": text, "rank_value": rank, "best": rank == 1}

    def peers_chart(self) -> charts.Chart | None:
        rows = []
        for family, key, _higher in KEY_FIGURES:
            if entry(family, key).style != "share":
                continue
            label = self.t.gettext(entry(family, key).label)
            for audit in self.audits:
                bench = audit.benchmark.get(f"{family}.{key}")
                if bench is not None and bench.value is not None:
                    rows.append({"figure": label, "account": audit.account, "value": bench.value})
        if not rows:
            return None
        alt = self._("Key shares of each account, side by side.")
        return self.chart("peers", "key-shares", charts.peers_dots(rows, self._("Share"), self.a.account), alt)

    # charts alone ---------------------------------------------------------------------------------------------

    def section_charts(self, section: str) -> list[charts.Chart | None]:
        """The charts the report shows in ``section`` (None where the data cannot draw one)."""
        a = self.a
        if section == "responsiveness":
            return [self.response_chart(a.responsiveness)] if a.responsiveness.status != "unknown" else []
        if section == "conversation":
            return [self.mix_chart(a.conversation)]
        if section == "content":
            return [self.heatmap(a.content.weekday_hour), self.weekly(a.content.cadence.weekly)]
        if section == "function":
            return [self.function_chart(a.function, self.function_names())]
        if section == "peers":
            return [self.peers_chart()] if len(self.audits) > 1 else []
        return []

    # methods ------------------------------------------------------------------------------------------------

    def methods(self) -> dict[str, Any]:
        fams = [{"key": f.key, "title": self._(f.title), "intro": [self._(p) for p in f.intro],
                 "metrics": [{"names": ", ".join(m.keys), "label": self._(m.label), "definition": self._(m.definition),
                              "denominator": self._(m.denominator) if m.denominator else "",
                              "caveat": self._(m.caveat) if m.caveat else ""} for m in f.metrics]}
                for f in families()]
        ladder = [{"level": self._("uncertain (1–2)") if r.level == "uncertain" else str(r.level),
                   "condition": translate_text(self.t, r.condition)} for r in MATURITY_RULES]
        bench = [self.t.gettext(entry(f, k).label) for f, k, _ in KEY_FIGURES]
        return {"general": [self._(p) for p in general()], "families": fams, "maturity_rules": ladder,
                "benchmark": bench}


T = TypeVar("T")


def distinct(examples: Sequence[T], seen: set[str] | None = None, limit: int | None = None) -> list[T]:
    """Examples whose text was not shown yet (``seen``, updated): a text cross-posted or posted again shows once.

    Texts are compared in lower case, without links (each platform shortens them its own way) and
    with spaces collapsed; an example without text is kept. With ``limit``, at most that many are
    kept (the audit gives spares for the texts skipped); when the texts not shown yet are fewer, texts
    shown in another section fill the list, in their order, rather than leaving a class without example.
    """
    seen = set() if seen is None else seen
    keys = [_text_key(e) for e in examples]
    kept: list[int] = []
    mine: set[str] = set()
    for fresh_only in (True, False) if limit is not None else (True,):
        for index, key in enumerate(keys):
            if limit is not None and len(kept) >= limit:
                break
            if index in kept or (key and (key in mine or (fresh_only and key in seen))):
                continue
            mine.add(key)
            kept.append(index)
    seen |= mine
    return [examples[i] for i in sorted(kept)]


def _text_key(example: Any) -> str:
    text = example.get("text") if isinstance(example, dict) else getattr(example, "text", None)
    return " ".join(URL.sub(" ", str(text or "")).lower().split())


def plan_view(plan: dict[str, Any]) -> dict[str, Any]:
    """A plan (issue 5's format, read loosely): name, objectives, KPIs with progress, checks' findings."""
    def text(value: Any) -> str:
        if isinstance(value, dict):
            return str(value.get("text") or value.get("name") or value.get("message") or value.get("metric") or "")
        return "" if value is None else str(value)

    kpis = [{"metric": text(k.get("metric")), "target": text(k.get("target")), "baseline": text(k.get("baseline")),
             "current": text(k.get("current")), "status": text(k.get("status"))}
            for k in plan.get("kpis", []) if isinstance(k, dict)]
    findings = [{"severity": text(f.get("severity") or f.get("level")), "message": text(f.get("message"))}
                for f in plan.get("findings", []) if isinstance(f, dict)]
    return {"name": text(plan.get("name") or plan.get("organization")),
            "objectives": [text(o) for o in plan.get("objectives", [])], "kpis": kpis, "findings": findings}

