"""Broadcast: posts made by automation, cross-posted or repeated duplicates, link-only posts.

Automation is decided by behaviour, in vectorized queries over each account's own posts, grouped by
client app (``source``; posts without one form one group per account and platform):

- ``client name``: the client is one of ``automation.clients`` (``data/lexicon.toml``), matched
  exactly (case aside): "Tweetbot" is a person's app, not "bot";
- ``feed item title``: the text, trailing links aside, is the title of a blog post or feed item in
  the store (a feed item's title plus its link);
- ``regular posting minute`` / ``regular posting second``: in a group of at least ``MIN_GROUP``
  posts, at least ``REGULAR_SHARE`` of them share one minute of the hour (or second of the minute),
  where the importer records minutes (or seconds) at all;
- ``one template repeated``: every post of the group is a short line followed by one link (a title
  and its link), or ``REGULAR_SHARE`` of them open with the same two words and end with a link;
- ``no replies or mentions``: the group never replies and never mentions anyone;
- ``link posts only``: every post of the group carries a link;
- ``same text on another platform within minutes``: the same text was posted on another platform
  less than ``CROSS_POST_MINUTES`` before.

A post is automated when its client is listed, when it is a feed item's title plus link, or when
signals of at least ``MIN_KINDS`` of the four kinds of evidence (``EVIDENCE_KINDS``: timing; content,
a template or links only; silence; cross-posting) fire: a person who only shares links and never
replies, or who happens to post on the hour, is not automated. Every post keeps the signals that fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from ._sql import grouped, per_target, share
from .facts import DUPLICATE_KEY
from .lexicon import automation_clients

__all__ = ["EVIDENCE_KINDS", "broadcast", "prepare_automation", "prepare_duplicates"]

MIN_KEY_CHARS = 20
"""Normalized texts shorter than this are too common to call duplicates ("merci !")."""
MIN_GROUP = 5
"""A client's behaviour is judged on at least this many posts."""
REGULAR_SHARE = 0.6
"""Share of a client's posts at one minute (or second), or with one template, that makes it regular."""
CROSS_POST_MINUTES = 10
EVIDENCE_KINDS = (("regular posting minute", "regular posting second"), ("one template repeated", "link posts only"),
                  ("no replies or mentions",), ("same text on another platform within minutes",))
"""Behaviour signals by kind of evidence: timing, content, silence, cross-posting."""
MIN_KINDS = 3
TRAILING_LINKS = r"\s*(https?://\S+\s*)+$"


def prepare_duplicates(con: duckdb.DuckDBPyConnection, *, separately: bool = False) -> None:
    """``dupkeys``: normalized texts of audited accounts' posts and of owner accounts' posts that share
    one (reposts excluded; ``owner_keys`` and ``titles`` are facts of the store, ``facts.py``);
    ``dups``: the audited posts whose normalized text occurs more than once, with who posted it
    (grouped by text, never paired, so a canned answer repeated 100,000 times costs no more than once);
    then the automation signals (``prepare_automation``). Subjects audited together compare their
    posts with one another's; audited ``separately``, each only with its own and the owners'."""
    scope = "target" if separately else "''"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dupkeys AS
        WITH own_keys AS (
          SELECT DISTINCT {scope} AS scope, platform, account, post_id, created_at, {DUPLICATE_KEY} AS key
          FROM own_all WHERE kind <> 'repost')
        SELECT * FROM own_keys
        UNION
        SELECT s.scope, o.platform, o.account, o.post_id, o.created_at, o.key
        FROM owner_keys o JOIN (SELECT DISTINCT scope, key FROM own_keys) s USING (key)""")
    con.execute(f"DELETE FROM dupkeys WHERE length(key) < {MIN_KEY_CHARS}")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dupgroups AS
        SELECT scope, key, list(DISTINCT platform || ':' || account ORDER BY platform || ':' || account) AS who
        FROM dupkeys GROUP BY scope, key HAVING count(*) > 1""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dups AS
        SELECT o.target, d.platform, d.post_id, array_to_string(g.who, ', ') AS also
        FROM dupkeys d JOIN dupgroups g USING (scope, key)
        JOIN (SELECT DISTINCT target, platform, post_id FROM own_all) o
          ON o.platform = d.platform AND o.post_id = d.post_id AND d.scope = {scope.replace("target", "o.target")}""")
    prepare_automation(con, separately=separately)


def prepare_automation(con: duckdb.DuckDBPyConnection, *, separately: bool = False) -> None:
    """``automation``: per own post (``own_all``, reposts left out) and subject, the automation signals
    that fired and the rule that makes it automated (NULL when it is not). Needs ``own_all``,
    ``dupkeys``, ``dupgroups``, ``titles`` and ``importer_precision``."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE crossposts AS
        SELECT DISTINCT scope, platform, post_id FROM (
          SELECT scope, platform, post_id, created_at, lag(platform) OVER w AS prev_platform,
                 lag(created_at) OVER w AS prev_at
          FROM dupkeys WHERE (scope, key) IN (SELECT (scope, key) FROM dupgroups)
          WINDOW w AS (PARTITION BY scope, key ORDER BY created_at))
        WHERE prev_platform <> platform AND created_at - prev_at <= INTERVAL {CROSS_POST_MINUTES} MINUTE""")
    scope = "p.target" if separately else "''"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE automation AS
        WITH precision AS (SELECT * FROM importer_precision),
        p AS ({_post_traits()}),
        g AS ({_group_traits()}),
        s AS (
          SELECT p.target, p.platform, p.post_id, p.client, p.title_hit,
                 list_filter([
                   CASE WHEN p.listed THEN 'client name' END,
                   CASE WHEN p.title_hit IS NOT NULL THEN 'feed item title' END,
                   CASE WHEN g.regular_minute THEN 'regular posting minute' END,
                   CASE WHEN g.regular_second THEN 'regular posting second' END,
                   CASE WHEN g.template THEN 'one template repeated' END,
                   CASE WHEN g.silent THEN 'no replies or mentions' END,
                   CASE WHEN g.links_only THEN 'link posts only' END,
                   CASE WHEN x.post_id IS NOT NULL THEN 'same text on another platform within minutes' END],
                   lambda v: v IS NOT NULL) AS signals
          FROM p JOIN g USING (platform, account, client)
          LEFT JOIN crossposts x ON x.platform = p.platform AND x.post_id = p.post_id AND x.scope = {scope})
        SELECT target, platform, post_id, signals,
          CASE WHEN list_contains(signals, 'client name') THEN 'automation client: ' || client
               WHEN title_hit IS NOT NULL THEN 'feed item title plus link: ' || title_hit
               WHEN {_kinds_sql()} >= {MIN_KINDS} THEN 'automation signals: ' || array_to_string(signals, ', ')
          END AS rule
        FROM s""")


def _kinds_sql() -> str:
    """SQL: how many kinds of behaviour evidence the post's ``signals`` hold."""
    return " + ".join(f"(len(list_intersect(signals, {list(kind)!r})) > 0)::INT" for kind in EVIDENCE_KINDS)


def _post_traits() -> str:
    """SQL: per own post, its client, the traits a behaviour signal reads, and the feed title it repeats."""
    clients = "[" + ", ".join("'" + c.replace("'", "''") + "'" for c in automation_clients()) + "]::VARCHAR[]"
    return f"""
        SELECT o.target, o.platform, o.account, o.post_id, coalesce(o.source, '') AS client,
               list_contains({clients}, lower(trim(coalesce(o.source, '')))) AS listed,
               o.kind = 'reply' OR len(coalesce(o.mentions, [])) > 0 AS converses,
               regexp_matches(o."text", 'https?://') OR len(coalesce(o.urls, [])) > 0 AS has_link,
               stem <> '' AND length(stem) <= 200 AND regexp_matches(o."text", 'https?://\\S+\\s*$')
                 AND NOT regexp_matches(stem, 'https?://|@\\w|\\n') AS title_link,
               CASE WHEN regexp_matches(o."text", 'https?://\\S+\\s*$')
                    THEN array_to_string(regexp_extract_all(lower(stem), '[\\p{{L}}\\p{{N}}]+')[1:2], ' ')
               END AS opening,
               CASE WHEN pr.minutes_known THEN minute(o.created_at) END AS mi,
               CASE WHEN pr.seconds_known THEN second(o.created_at) END AS se,
               t.title AS title_hit
        FROM (SELECT *, trim(regexp_replace("text", '{TRAILING_LINKS}', '')) AS stem FROM own_all
              WHERE kind <> 'repost') o
        LEFT JOIN precision pr USING (importer)
        LEFT JOIN titles t ON t.title = lower(o.stem)"""


def _group_traits() -> str:
    """SQL: per account, platform and client, which behaviour signals hold for the whole group."""
    tops = " UNION ALL ".join(
        f"SELECT platform, account, client, '{k}' AS k, count(*) AS c FROM p WHERE {col} IS NOT NULL "
        f"GROUP BY platform, account, client, {col}" for k, col in (("mi", "mi"), ("se", "se"), ("op", "opening")))
    return f"""
        WITH totals AS (
          SELECT platform, account, client, count(*) AS n, count(*) FILTER (has_link) AS links,
                 count(*) FILTER (title_link) AS title_links, count(*) FILTER (converses) AS conversing
          FROM p GROUP BY ALL),
        tops AS (
          SELECT platform, account, client, max(c) FILTER (k = 'mi') AS minute_top,
                 max(c) FILTER (k = 'se') AS second_top, max(c) FILTER (k = 'op') AS opening_top
          FROM ({tops}) GROUP BY ALL)
        SELECT platform, account, client,
               n >= {MIN_GROUP} AND coalesce(minute_top, 0) >= {REGULAR_SHARE} * n AS regular_minute,
               n >= {MIN_GROUP} AND coalesce(second_top, 0) >= {REGULAR_SHARE} * n AS regular_second,
               n >= {MIN_GROUP} AND (title_links = n OR coalesce(opening_top, 0) >= {REGULAR_SHARE} * n) AS template,
               n >= {MIN_GROUP} AND conversing = 0 AS silent, n >= {MIN_GROUP} AND links = n AS links_only
        FROM totals LEFT JOIN tops USING (platform, account, client)"""


def broadcast(con: duckdb.DuckDBPyConnection, targets: Sequence[str], min_n: int,
              examples: int) -> dict[str, dict[str, Any]]:
    """Per subject: shares of automated, duplicated and link-only posts, with examples and the rule that fired."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE flagged AS
        SELECT o.target, o.post_id, o.platform, o."text", o.permalink, o.source, au.rule AS automation_rule,
               coalesce(au.signals, []) AS automation_signals,
               dups.also AS duplicate_of, f.link_only AND regexp_matches(o."text", 'https?://') AS link_only
        FROM own o JOIN features f USING (platform, post_id)
        LEFT JOIN automation au ON au.target = o.target AND au.platform = o.platform AND au.post_id = o.post_id
        LEFT JOIN dups ON dups.target = o.target AND dups.post_id = o.post_id AND dups.platform = o.platform
        WHERE o.kind <> 'repost'""")
    counts = per_target(con, """SELECT target, count(*) AS n, count(automation_rule) AS automated,
                                  count(duplicate_of) AS duplicated, count(*) FILTER (link_only) AS link_only
                                FROM flagged GROUP BY target""")
    automated = _examples(con, "automation_rule IS NOT NULL", "automation_rule", examples)
    duplicated = _examples(con, "duplicate_of IS NOT NULL", "'same text posted by ' || duplicate_of", examples)
    clients = grouped(con, """SELECT target, source, count(*) AS posts FROM flagged
        WHERE automation_rule IS NOT NULL AND source IS NOT NULL GROUP BY ALL ORDER BY target, posts DESC, source""")
    signals = grouped(con, """SELECT target, signal, count(*) AS posts,
            count(*) FILTER (automation_rule IS NOT NULL) AS automated_posts
        FROM (SELECT target, unnest(automation_signals) AS signal, automation_rule FROM flagged)
        GROUP BY ALL ORDER BY target, posts DESC, signal""")
    out = {}
    for target in targets:
        row = counts.get(target, {"n": 0, "automated": 0, "duplicated": 0, "link_only": 0})
        n = row["n"]
        out[target] = {
            "posts": n, "note": "reposts are left out: they are not the account's own words",
            "automated_share": share(row["automated"], n, min_n),
            "duplicated_share": share(row["duplicated"], n, min_n),
            "link_only_share": share(row["link_only"], n, min_n),
            "automated_examples": automated.get(target, []),
            "duplicated_examples": duplicated.get(target, []),
            "automation_clients": clients.get(target, []),
            "automation_signals": signals.get(target, []),
        }
    return out


def _examples(con: duckdb.DuckDBPyConnection, where: str, rule: str, limit: int) -> dict[str, list[dict[str, Any]]]:
    if limit <= 0:
        return {}
    return grouped(con, f"""
        SELECT target, id, "text", permalink, rule, signals FROM (
          SELECT target, post_id AS id, "text", permalink, {rule} AS rule, automation_signals AS signals,
                 row_number() OVER (PARTITION BY target ORDER BY post_id DESC) AS nth
          FROM flagged WHERE {where})
        WHERE nth <= {int(limit)} ORDER BY target, nth""")
