"""Content and cadence: links, images, video, hashtags, length, posting rhythm, weekday-by-hour."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import figure, grouped, per_target, share

__all__ = ["content"]


def content(con: duckdb.DuckDBPyConnection, targets: Sequence[str], min_n: int,
            timezone: str) -> dict[str, dict[str, Any]]:
    """Per subject: what its posts carry, and when and how regularly it posts."""
    rows = per_target(con, """
        SELECT target, count(*) AS n,
          count(*) FILTER (len(urls) > 0 OR regexp_matches("text", 'https?://')) AS with_links,
          count(media_count) AS media_known,
          count(*) FILTER (list_contains(media_kinds, 'image') OR list_contains(media_kinds, 'gif')) AS with_images,
          count(*) FILTER (list_contains(media_kinds, 'video')) AS with_video,
          avg(len(hashtags)) AS hashtags_per_post,
          median(length("text")) AS median_chars
        FROM own WHERE kind <> 'repost' GROUP BY target""")
    empty = {"n": 0, "with_links": 0, "media_known": 0, "with_images": 0, "with_video": 0,
             "hashtags_per_post": None, "median_chars": None}
    cadence = _cadence(con, targets, min_n)
    heatmap = _heatmap(con, targets, timezone)
    out = {}
    for target in targets:
        row = rows.get(target, empty)
        n, known = row["n"], row["media_known"]
        out[target] = {
            "posts": n, "note": "reposts are left out",
            "links_share": share(row["with_links"], n, min_n),
            "images_share": share(row["with_images"], known, min_n),
            "video_share": share(row["with_video"], known, min_n),
            "media_known_posts": known,
            "hashtags_per_post": figure(row["hashtags_per_post"], n, min_n, 2),
            "median_length_chars": figure(row["median_chars"], n, min_n, 1),
            "cadence": cadence[target],
            "weekday_hour": heatmap[target],
        }
    return out


def _cadence(con: duckdb.DuckDBPyConnection, targets: Sequence[str], min_n: int) -> dict[str, dict[str, Any]]:
    """Posts per week, the longest silence (the earliest of equally long ones), the weekly series."""
    spans = per_target(con, """
        SELECT a.target, greatest(date_diff('second', any_value(a.since), any_value(a.until)) / 604800.0, 1.0)
                 AS weeks, coalesce(any_value(o.n), 0) AS n
        FROM audited a LEFT JOIN (SELECT target, count(*) AS n FROM own GROUP BY target) o USING (target)
        GROUP BY a.target""")
    gaps = per_target(con, """
        SELECT target, max(gap_s) AS longest_s,
               strftime(first(prev ORDER BY gap_s DESC, created_at) FILTER (gap_s IS NOT NULL),
                        '%Y-%m-%dT%H:%M:%SZ') AS from_t,
               strftime(first(created_at ORDER BY gap_s DESC, created_at) FILTER (gap_s IS NOT NULL),
                        '%Y-%m-%dT%H:%M:%SZ') AS to_t
        FROM (
          SELECT target, created_at, lag(created_at) OVER w AS prev,
                 date_diff('second', lag(created_at) OVER w, created_at) AS gap_s
          FROM own WINDOW w AS (PARTITION BY target ORDER BY created_at))
        GROUP BY target""")
    weeks = grouped(con, """
        SELECT w.target, strftime(w.week, '%Y-%m-%d') AS week, count(o.post_id) AS posts
        FROM (SELECT target, unnest(generate_series(date_trunc('week', since), date_trunc('week', until),
                                                    INTERVAL 7 DAY)) AS week
              FROM (SELECT DISTINCT target, since, until FROM audited)) w
        LEFT JOIN own o ON o.target = w.target AND date_trunc('week', o.created_at) = w.week
        GROUP BY w.target, w.week ORDER BY w.target, w.week""")
    out = {}
    for target in targets:
        span = spans[target]
        gap = gaps.get(target, {"longest_s": None, "from_t": None, "to_t": None})
        weekly = weeks.get(target, [])
        active = sum(1 for w in weekly if w["posts"])
        counts = [w["posts"] for w in weekly]
        mean = sum(counts) / len(counts) if counts else 0.0
        spread = (sum((c - mean) ** 2 for c in counts) / len(counts)) ** 0.5 if counts else 0.0
        out[target] = {
            "posts_per_week": figure(span["n"] / span["weeks"], span["n"], min_n, 2),
            "longest_silence_s": gap["longest_s"],
            "longest_silence": [gap["from_t"], gap["to_t"]],
            "active_weeks_share": share(active, len(weekly), min_n),
            "weekly_variation": figure(spread / mean if mean else None, len(weekly), min_n, 2),
            "weekly": weekly,
        }
    return out


def _heatmap(con: duckdb.DuckDBPyConnection, targets: Sequence[str], timezone: str) -> dict[str, dict[str, Any]]:
    rows = grouped(con, """
        SELECT target, isodow(timezone($tz::VARCHAR, created_at)) - 1 AS day,
               hour(timezone($tz::VARCHAR, created_at)) AS hour, count(*) AS posts
        FROM own GROUP BY ALL""", {"tz": timezone})
    out = {}
    for target in targets:
        table = [[0] * 24 for _ in range(7)]
        for r in rows.get(target, []):
            table[r["day"]][r["hour"]] = r["posts"]
        out[target] = {"timezone": timezone, "rows": "Monday..Sunday", "columns": "hours 0..23", "posts": table}
    return out
