"""Conversation: originals, replies to others and to itself (threads), reposts, quotes, questions."""

from __future__ import annotations

from typing import Any

import duckdb

from ._sql import figure, one, share

__all__ = ["conversation"]

REPLY_TO_OTHER = ("kind IN ('reply', 'comment') AND "
                  "coalesce(lower(in_reply_to_account), '') <> lower(account)")


def conversation(con: duckdb.DuckDBPyConnection, target: str, min_n: int) -> dict[str, Any]:
    """The mix of the account's posts, and how much it talks with others."""
    row = one(con, f"""
        SELECT count(*) AS posts,
          count(*) FILTER (kind = 'original') AS originals,
          count(*) FILTER ({REPLY_TO_OTHER}) AS replies_to_others,
          count(*) FILTER (kind IN ('reply', 'comment') AND NOT ({REPLY_TO_OTHER})) AS self_replies,
          count(*) FILTER (kind = 'repost') AS reposts,
          count(*) FILTER (kind = 'quote') AS quotes,
          count(*) FILTER (kind IN ('original', 'quote') AND contains("text", '?')) AS questions,
          count(*) FILTER (len(list_filter(mentions, lambda m: lower(m) <> lower(account))) > 0)
            AS with_mentions
        FROM own WHERE target = $target""", {"target": target})
    n = row["posts"]
    mentioned = one(con, """
        SELECT count(DISTINCT lower(m)) AS accounts FROM (SELECT unnest(mentions) AS m, account FROM own
        WHERE target = $target) WHERE lower(m) <> lower(account)""", {"target": target})["accounts"]
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
