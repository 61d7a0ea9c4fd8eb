"""Content and cadence: links, images, video, hashtags, length, posting rhythm, weekday-by-hour."""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import dicts, figure, one, share

__all__ = ["content"]


def content(con: duckdb.DuckDBPyConnection, target: str, min_n: int, timezone: str) -> dict[str, Any]:
    """What the account's posts carry, and when and how regularly it posts."""
    params = {"target": target}
    row = one(con, """
        SELECT count(*) AS n,
          count(*) FILTER (len(urls) > 0 OR regexp_matches("text", 'https?://')) AS with_links,
          count(media_count) AS media_known,
          count(*) FILTER (list_contains(media_kinds, 'image') OR list_contains(media_kinds, 'gif')) AS with_images,
          count(*) FILTER (list_contains(media_kinds, 'video')) AS with_video,
          avg(len(hashtags)) AS hashtags_per_post,
          median(length("text")) AS median_chars
        FROM own WHERE target = $target AND kind <> 'repost'""", params)
    n, known = row["n"], row["media_known"]
    return {
        "posts": n, "note": "reposts are left out",
        "links_share": share(row["with_links"], n, min_n),
        "images_share": share(row["with_images"], known, min_n),
        "video_share": share(row["with_video"], known, min_n),
        "media_known_posts": known,
        "hashtags_per_post": figure(row["hashtags_per_post"], n, min_n, 2),
        "median_length_chars": figure(row["median_chars"], n, min_n, 1),
        "cadence": _cadence(con, params, min_n),
        "weekday_hour": _heatmap(con, params, timezone),
    }


def _cadence(con: duckdb.DuckDBPyConnection, params: dict[str, Any], min_n: int) -> dict[str, Any]:
    span = one(con, """
        SELECT greatest(date_diff('second', a.since, a.until) / 604800.0, 1 / 7.0) AS weeks,
          (SELECT count(*) FROM own WHERE target = $target) AS n
        FROM audited a WHERE a.target = $target LIMIT 1""", params)
    gap = one(con, """
        SELECT max(gap_s) AS longest_s, strftime(arg_max(prev, gap_s), '%Y-%m-%dT%H:%M:%SZ') AS from_t,
               strftime(arg_max(created_at, gap_s), '%Y-%m-%dT%H:%M:%SZ') AS to_t FROM (
          SELECT created_at, lag(created_at) OVER (ORDER BY created_at) AS prev,
                 date_diff('second', lag(created_at) OVER (ORDER BY created_at), created_at) AS gap_s
          FROM own WHERE target = $target)""", params)
    weekly = dicts(con, """
        SELECT strftime(w.week, '%Y-%m-%d') AS week, count(o.post_id) AS posts
        FROM (SELECT unnest(generate_series(date_trunc('week', since), date_trunc('week', until),
                                            INTERVAL 7 DAY)) AS week FROM (SELECT DISTINCT since, until FROM audited
                                                 WHERE target = $target)) w
        LEFT JOIN own o ON o.target = $target AND date_trunc('week', o.created_at) = w.week
        GROUP BY w.week ORDER BY w.week""", params)
    active = sum(1 for w in weekly if w["posts"])
    counts = [w["posts"] for w in weekly]
    mean = sum(counts) / len(counts) if counts else 0.0
    spread = (sum((c - mean) ** 2 for c in counts) / len(counts)) ** 0.5 if counts else 0.0
    return {
        "posts_per_week": figure(span["n"] / span["weeks"], span["n"], min_n, 2),
        "longest_silence_s": gap["longest_s"],
        "longest_silence": [gap["from_t"], gap["to_t"]],
        "active_weeks_share": share(active, len(weekly), min_n),
        "weekly_variation": figure(spread / mean if mean else None, len(weekly), min_n, 2),
        "weekly": weekly,
    }


def _heatmap(con: duckdb.DuckDBPyConnection, params: dict[str, Any], timezone: str) -> dict[str, Any]:
    rows = dicts(con, """
        SELECT isodow(timezone($tz::VARCHAR, created_at)) - 1 AS day, hour(timezone($tz::VARCHAR, created_at)) AS hour,
               count(*) AS posts
        FROM own WHERE target = $target GROUP BY ALL""", {**params, "tz": timezone})
    table = [[0] * 24 for _ in range(7)]
    for r in rows:
        table[r["day"]][r["hour"]] = r["posts"]
    return {"timezone": timezone, "rows": "Monday..Sunday", "columns": "hours 0..23", "posts": table}
