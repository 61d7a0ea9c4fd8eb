"""Conversation: originals, replies to others and to itself (threads), reposts, quotes, questions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import figure, per_target, share
from .lexicon import question_marks_sql

__all__ = ["conversation"]

REPLY_TO_OTHER = ("kind IN ('reply', 'comment') AND "
                  "coalesce(lower(in_reply_to_account), '') <> lower(account)")


def conversation(con: duckdb.DuckDBPyConnection, targets: Sequence[str], min_n: int) -> dict[str, dict[str, Any]]:
    """The mix of each subject's posts, and how much it talks with others (one query for all subjects)."""
    rows = per_target(con, f"""
        SELECT target, count(*) AS posts,
          count(*) FILTER (kind = 'original') AS originals,
          count(*) FILTER ({REPLY_TO_OTHER}) AS replies_to_others,
          count(*) FILTER (kind IN ('reply', 'comment') AND NOT ({REPLY_TO_OTHER})) AS self_replies,
          count(*) FILTER (kind = 'repost') AS reposts,
          count(*) FILTER (kind = 'quote') AS quotes,
          count(*) FILTER (kind IN ('original', 'quote') AND {question_marks_sql('"text"')} > 0) AS questions,
          count(*) FILTER (len(list_filter(mentions, lambda m: lower(m) <> lower(account))) > 0)
            AS with_mentions
        FROM own GROUP BY target""")
    mentioned = per_target(con, """
        SELECT target, count(DISTINCT lower(m)) AS accounts
        FROM (SELECT target, unnest(mentions) AS m, account FROM own)
        WHERE lower(m) <> lower(account) GROUP BY target""")
    empty = dict.fromkeys(("posts", "originals", "replies_to_others", "self_replies", "reposts", "quotes", "questions",
                           "with_mentions"), 0)
    return {t: _figures(rows.get(t, empty), mentioned.get(t, {"accounts": 0})["accounts"], min_n) for t in targets}


def _figures(row: dict[str, Any], mentioned: int, min_n: int) -> dict[str, Any]:
    n = row["posts"]
    return {
        "posts": n,
        "originals_share": share(row["originals"], n, min_n),
        "replies_to_others_share": share(row["replies_to_others"], n, min_n),
        "self_replies_share": share(row["self_replies"], n, min_n),
        "reposts_share": share(row["reposts"], n, min_n),
        "quotes_share": share(row["quotes"], n, min_n),
        "replies_to_others": row["replies_to_others"], "self_replies": row["self_replies"],
        "posts_per_reply_to_others": figure(n / row["replies_to_others"] if row["replies_to_others"] else None,
                                            row["replies_to_others"], 1, 2),
        "questions_share": share(row["questions"], n, min_n),
        "mentioning_others_share": share(row["with_mentions"], n, min_n),
        "accounts_mentioned": mentioned,
    }
