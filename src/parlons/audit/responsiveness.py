"""Responsiveness: requests received, share answered, time to first answer, what went unanswered.

A request to A is a post not written by A, not a repost, that replies to a post of A or mentions
A; it is answered when A replied to it; the first-response time is A's earliest reply minus the
request's time. Unanswered requests within ``pending_window_s`` of the end of the data are
``pending``: their answer may lie after the data.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import dicts, figure, one, share
from .settings import AuditSettings

__all__ = ["responsiveness"]


def responsiveness(con: duckdb.DuckDBPyConnection, target: str, settings: AuditSettings) -> dict[str, Any]:
    """The responsiveness figures of ``target`` (requests must be known: see coverage)."""
    params = {"target": target, "window": settings.pending_window_s}
    counts = one(con, f"""
        SELECT count(*) AS requests, count(answer_id) AS answered,
          count(*) FILTER (answer_id IS NULL AND {_pending_sql()}) AS pending,
          count(*) FILTER (answer_id IS NOT NULL AND response_s <= 3600) AS within_1h,
          count(*) FILTER (answer_id IS NOT NULL AND response_s <= 86400) AS within_24h,
          median(response_s) AS median_s, quantile_cont(response_s, 0.9) AS p90_s
        FROM requests r JOIN (SELECT DISTINCT target, platform, data_end FROM audited) a
          ON a.target = r.target AND a.platform = r.platform
        WHERE r.target = $target""", params)
    settled = counts["requests"] - counts["pending"]
    answered, min_n = counts["answered"], settings.min_n
    return {
        "status": "ok", "requests": counts["requests"], "answered": answered,
        "pending": counts["pending"], "pending_window_s": settings.pending_window_s,
        "unanswered": settled - answered,
        "answered_share": share(answered, settled, min_n),
        "median_first_response_s": figure(_seconds(counts["median_s"]), answered, min_n),
        "p90_first_response_s": figure(_seconds(counts["p90_s"]), answered, min_n),
        "answered_within_1h": counts["within_1h"], "answered_within_24h": counts["within_24h"],
        "answered_within_1h_share": share(counts["within_1h"], settled, min_n),
        "answered_within_24h_share": share(counts["within_24h"], settled, min_n),
        "by_intent": _by_intent(con, params, min_n),
        **_business_hours(con, params, settings),
        "unanswered_requests": _unanswered(con, params, settings.unanswered_limit),
    }


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


def _pending_sql() -> str:
    return "r.created_at > a.data_end - to_seconds($window)"


def _by_intent(con: duckdb.DuckDBPyConnection, params: dict[str, Any], min_n: int) -> dict[str, Any]:
    rows = dicts(con, f"""
        SELECT f.intent_rule IS NOT NULL AS asking, count(*) AS requests,
               count(answer_id) AS answered, count(*) FILTER (answer_id IS NULL AND {_pending_sql()}) AS pending
        FROM requests r JOIN request_features f USING (target, platform, post_id)
        JOIN (SELECT DISTINCT target, platform, data_end FROM audited) a
          ON a.target = r.target AND a.platform = r.platform
        WHERE r.target = $target GROUP BY 1""", params)
    out: dict[str, Any] = {"rule": "asking = has a question mark or a problem/complaint word (lexicon)"}
    for key, asking in (("asking", True), ("not_asking", False)):
        row = next((r for r in rows if r["asking"] is asking), {"requests": 0, "answered": 0, "pending": 0})
        settled = row["requests"] - row["pending"]
        out[key] = {"requests": row["requests"], "answered": row["answered"],
                    "answered_share": share(row["answered"], settled, min_n)}
    return out


def _business_hours(con: duckdb.DuckDBPyConnection, params: dict[str, Any],
                    settings: AuditSettings) -> dict[str, Any]:
    if settings.business_hours is None:
        return {}
    opens, closes = settings.business_hours
    rows = dicts(con, """
        WITH local AS (SELECT r.*, timezone($tz::VARCHAR, r.created_at) AS t FROM requests r WHERE r.target = $target)
        SELECT isodow(t) <= 5 AND hour(t) >= $opens AND hour(t) < $closes AS inside,
               count(*) AS requests, count(answer_id) AS answered, median(response_s) AS median_s
        FROM local GROUP BY 1""", {"target": params["target"], "tz": settings.timezone, "opens": opens,
                                   "closes": closes})
    out: dict[str, Any] = {"timezone": settings.timezone, "hours": [opens, closes]}
    for key, inside in (("inside", True), ("outside", False)):
        row: dict[str, Any] = next((r for r in rows if r["inside"] is inside),
                                   {"requests": 0, "answered": 0, "median_s": None})
        out[key] = {"requests": row["requests"], "answered": row["answered"],
                    "median_first_response_s": figure(_seconds(row["median_s"]), row["answered"], settings.min_n)}
    return {"business_hours": out}


def _unanswered(con: duckdb.DuckDBPyConnection, params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    return dicts(con, f"""
        SELECT r.post_id AS id, r.account AS author,
               strftime(r.created_at, '%Y-%m-%dT%H:%M:%SZ') AS time, r.text, r.permalink
        FROM requests r JOIN (SELECT DISTINCT target, platform, data_end FROM audited) a
          ON a.target = r.target AND a.platform = r.platform
        WHERE r.target = $target AND r.answer_id IS NULL AND NOT ({_pending_sql()})
        ORDER BY r.created_at DESC, r.post_id LIMIT {int(limit)}""", {k: params[k] for k in ("target", "window")})
