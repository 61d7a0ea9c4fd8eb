"""Responsiveness: requests that ask, share answered, time to first answer, what went unanswered.

A request to A is a post not written by A, not a repost, that replies to a post of A or mentions
A; it is answered when A replied to it; the first-response time is A's earliest reply minus the
request's time. A request **asks** when the intent classifier (``request_features.intent_rule``,
``features.py``) found a question or a problem in it; thanks and remarks do not ask. The headline
figures are those of the requests that ask; all requests and the ones that do not ask are counted
apart (``by_intent``). Unanswered requests within ``pending_window_s`` of the end of the data (or
after it) are ``pending``: their answer may lie after the data. Unanswered requests that the account
may have answered where the source does not say what its reply answers (an RSS comment feed) are
``untraceable`` (``scope._answers``). Neither counts as answered or unanswered: the shares' denominator
is the settled requests, the requests minus both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import figure, grouped, per_target, share
from .settings import AuditSettings

__all__ = ["responsiveness"]


def responsiveness(con: duckdb.DuckDBPyConnection, targets: Sequence[str],
                   settings: AuditSettings) -> dict[str, dict[str, Any]]:
    """The responsiveness figures of each of ``targets`` (requests must be known: see coverage)."""
    _prepare(con, targets, settings.pending_window_s)
    all_counts = per_target(con, """
        SELECT target, count(*) AS requests, count(answer_id) AS answered,
          count(*) FILTER (answer_id IS NULL AND pending) AS pending,
          count(*) FILTER (answer_id IS NULL AND NOT pending AND untraceable) AS untraceable,
          count(*) FILTER (answer_id IS NOT NULL AND response_s <= 3600) AS within_1h,
          count(*) FILTER (answer_id IS NOT NULL AND response_s <= 86400) AS within_24h,
          median(response_s) AS median_s, quantile_cont(response_s, 0.9) AS p90_s
        FROM scored WHERE asks GROUP BY target""")
    intents = grouped(con, """
        SELECT target, asks, count(*) AS requests, count(answer_id) AS answered,
               count(*) FILTER (answer_id IS NULL AND pending) AS pending,
               count(*) FILTER (answer_id IS NULL AND NOT pending AND untraceable) AS untraceable
        FROM scored GROUP BY target, asks""")
    hours = _business_hours(con, settings)
    unanswered = _unanswered(con, settings.unanswered_limit)
    empty = {"requests": 0, "answered": 0, "pending": 0, "untraceable": 0, "within_1h": 0, "within_24h": 0,
             "median_s": None, "p90_s": None}
    out = {}
    for target in targets:
        counts = all_counts.get(target, empty)
        settled = counts["requests"] - counts["pending"] - counts["untraceable"]
        answered, min_n = counts["answered"], settings.min_n
        out[target] = {
            "status": "ok", "requests": counts["requests"], "answered": answered,
            "pending": counts["pending"], "pending_window_s": settings.pending_window_s,
            "untraceable": counts["untraceable"],
            "unanswered": settled - answered,
            "answered_share": share(answered, settled, min_n),
            "median_first_response_s": figure(_seconds(counts["median_s"]), answered, min_n),
            "p90_first_response_s": figure(_seconds(counts["p90_s"]), answered, min_n),
            "answered_within_1h": counts["within_1h"], "answered_within_24h": counts["within_24h"],
            "answered_within_1h_share": share(counts["within_1h"], settled, min_n),
            "answered_within_24h_share": share(counts["within_24h"], settled, min_n),
            "by_intent": _by_intent(intents.get(target, []), min_n),
            "business_hours": None if hours is None else _hours_of(hours.get(target, []), settings),
            "unanswered_requests": unanswered.get(target, []),
        }
    return out


def _prepare(con: duckdb.DuckDBPyConnection, targets: Sequence[str], window_s: int) -> None:
    """``scored``: the subjects' requests, each with whether it asks (and the rule) and whether it is pending."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE scored AS
        SELECT r.*, f.intent_rule, f.intent_rule IS NOT NULL AS asks,
               r.created_at > a.data_end - to_seconds($window) AS pending
        FROM requests r
        JOIN (SELECT DISTINCT target, platform, data_end FROM audited) a
          ON a.target = r.target AND a.platform = r.platform
        LEFT JOIN (SELECT target, platform, post_id, max(intent_rule) AS intent_rule FROM request_features
                   GROUP BY ALL) f
          ON f.target = r.target AND f.platform = r.platform AND f.post_id = r.post_id
        WHERE list_contains($targets, r.target)""", {"targets": list(targets), "window": window_s})


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _by_intent(rows: list[dict[str, Any]], min_n: int) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": "asking = has a question mark or a problem/complaint word (lexicon)"}
    for key, wanted in (("asking", (True,)), ("not_asking", (False,)), ("all", (True, False))):
        group = [r for r in rows if r["asks"] in wanted]
        requests, answered, pending, untraceable = (sum(r[k] for r in group)
                                                    for k in ("requests", "answered", "pending", "untraceable"))
        settled = requests - pending - untraceable
        out[key] = {"requests": requests, "answered": answered, "pending": pending, "untraceable": untraceable,
                    "unanswered": settled - answered, "answered_share": share(answered, settled, min_n)}
    return out


def _business_hours(con: duckdb.DuckDBPyConnection, settings: AuditSettings) -> dict[str, list[dict[str, Any]]] | None:
    if settings.business_hours is None:
        return None
    opens, closes = settings.business_hours
    return grouped(con, """
        WITH local AS (SELECT *, timezone($tz::VARCHAR, created_at) AS t FROM scored WHERE asks)
        SELECT target, isodow(t) <= 5 AND hour(t) >= $opens AND hour(t) < $closes AS inside,
               count(*) AS requests, count(answer_id) AS answered, median(response_s) AS median_s
        FROM local GROUP BY ALL""", {"tz": settings.timezone, "opens": opens, "closes": closes})


def _hours_of(rows: list[dict[str, Any]], settings: AuditSettings) -> dict[str, Any]:
    assert settings.business_hours is not None
    out: dict[str, Any] = {"timezone": settings.timezone, "hours": list(settings.business_hours)}
    for key, inside in (("inside", True), ("outside", False)):
        row: dict[str, Any] = next((r for r in rows if r["inside"] is inside),
                                   {"requests": 0, "answered": 0, "median_s": None})
        out[key] = {"requests": row["requests"], "answered": row["answered"],
                    "median_first_response_s": figure(_seconds(row["median_s"]), row["answered"], settings.min_n)}
    return out


def _unanswered(con: duckdb.DuckDBPyConnection, limit: int) -> dict[str, list[dict[str, Any]]]:
    """The settled unanswered requests that ask, newest first (at most ``limit`` per subject)."""
    if limit <= 0:
        return {}
    return grouped(con, f"""
        SELECT target, id, author, time, "text", permalink, rule FROM (
          SELECT target, post_id AS id, account AS author, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS time,
                 "text", permalink, intent_rule AS rule,
                 row_number() OVER (PARTITION BY target ORDER BY created_at DESC, post_id) AS nth
          FROM scored WHERE asks AND answer_id IS NULL AND NOT pending AND NOT untraceable)
        WHERE nth <= {int(limit)} ORDER BY target, nth""")
