"""Why a post was classified as it was: every rule and lexicon word that fired for it."""

from __future__ import annotations

from typing import Any

import duckdb

from ..errors import UsageError
from ._sql import one
from .broadcast import _automation_sql
from .features import OWN_CATEGORIES, build_features

__all__ = ["explain_post"]


def explain_post(con: duckdb.DuckDBPyConnection, post_id: str, platform: str | None = None) -> dict[str, Any]:
    """The post, its language, lexicon hits, function and automation rule, as the audit sees them."""
    rows = con.execute("SELECT platform FROM posts WHERE post_id = $id AND ($p IS NULL OR platform = $p)",
                       {"id": post_id, "p": platform}).fetchall()
    if len(rows) != 1:
        raise UsageError(f"{'no' if not rows else 'several'} posts with id {post_id!r}"
                         f"{'' if rows else ' in the store'}; give --platform when several platforms share it")
    params = {"id": post_id, "p": rows[0][0]}
    con.execute("CREATE OR REPLACE TEMP TABLE own AS SELECT *, account AS target FROM posts "
                "WHERE post_id = $id AND platform = $p", params)
    con.execute("CREATE OR REPLACE TEMP TABLE requests AS SELECT *, account AS target, false AS is_reply_to_target, "
                "NULL::VARCHAR AS answer_id, NULL::TIMESTAMPTZ AS answered_at, NULL::BIGINT AS response_s "
                "FROM posts WHERE post_id = $id AND platform = $p", params)
    build_features(con)
    words = ", ".join(f"f.{c}_hits AS {c}" for c in OWN_CATEGORIES)
    return one(con, f"""
        SELECT o.platform, o.post_id, o.account, o.kind, o."text", f.lang, f.words, f.sentences, f.syllables,
               f.function, f.function_rule, rf.intent_rule AS request_intent_rule,
               ({_automation_sql()}) AS automation_rule, {words}
        FROM own o JOIN features f USING (platform, post_id)
        JOIN request_features rf USING (target, platform, post_id)
        LEFT JOIN (SELECT NULL::VARCHAR AS title) t ON false""")
