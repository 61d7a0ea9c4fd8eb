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
from .facts import DUPLICATE_KEY, MIN_KEY_CHARS, OWNER_DUPS_SQL
from .lexicon import automation_clients

__all__ = ["EVIDENCE_KINDS", "MIN_KEY_CHARS", "broadcast", "prepare_automation", "prepare_duplicates"]

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


def prepare_duplicates(con: duckdb.DuckDBPyConnection, *, separately: bool = False,
                       owner_dups_given: bool = False) -> None:
    """``dupkeys``: normalized texts of audited accounts' posts (reposts and short texts excluded);
    ``dupgroups``: the texts that occur more than once among them and the owners' posts (``owner_keys``
    and ``titles`` are facts of the store, ``facts.py``), with who posted them; ``dups``: the audited
    posts with such a text (grouped by text, never paired, so a canned answer repeated 100,000 times
    costs no more than once); then the automation signals (``prepare_automation``). Subjects audited
    together compare their posts with one another's; audited ``separately``, each only with its own
    and the owners'. The owners' posts are read through ``owner_dups`` (:data:`~.facts.DUP_COLUMNS` per
    post): given whole (``owner_dups_given``: the all-accounts audit routes them with the posts), or
    computed here from ``owner_keys``; so no subject is ever paired with every owner's post of a text."""
    scope = "target" if separately else "''"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dupkeys AS
        SELECT * FROM (
          SELECT DISTINCT {scope} AS scope, platform, account, post_id, created_at, {DUPLICATE_KEY} AS key
          FROM own_all WHERE kind <> 'repost')
        WHERE length(key) >= {MIN_KEY_CHARS}""")
    if owner_dups_given:
        con.execute("CREATE OR REPLACE TEMP TABLE owner_who (key VARCHAR, who VARCHAR[])")
    else:
        _owner_dups(con)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dupgroups AS
        WITH g AS (
          SELECT d.scope, d.key, list(DISTINCT d.platform || ':' || d.account) AS own_who, count(*) AS n,
                 coalesce(max(o.dup_owners_n), 0) AS owners_n, count(*) FILTER (o.dup_owned) AS owned_n
          FROM dupkeys d LEFT JOIN owner_dups o USING (platform, post_id) GROUP BY d.scope, d.key)
        SELECT g.scope, g.key, list_sort(list_distinct(list_concat(g.own_who, coalesce(w.who, [])))) AS who
        FROM g LEFT JOIN owner_who w USING (key)
        WHERE g.n + g.owners_n - g.owned_n > 1""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dups AS
        SELECT o.target, d.platform, d.post_id, array_to_string(g.who, ', ') AS also
        FROM dupkeys d JOIN dupgroups g USING (scope, key)
        JOIN (SELECT DISTINCT target, platform, post_id FROM own_all) o
          ON o.platform = d.platform AND o.post_id = d.post_id AND d.scope = {scope.replace("target", "o.target")}""")
    prepare_automation(con, separately=separately)


def _owner_dups(con: duckdb.DuckDBPyConnection) -> None:
    """``owner_dups`` of the audited posts, from ``owner_keys`` (each post once, whatever the subjects),
    and ``owner_who``: the owners' accounts behind each of their texts."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE dup_rows AS
        SELECT d.platform, d.post_id, d.created_at, d.key,
               (d.platform, d.post_id) IN (SELECT (platform, post_id) FROM owner_keys) AS owned
        FROM (SELECT DISTINCT platform, post_id, created_at, key FROM dupkeys) d
        UNION
        SELECT platform, post_id, created_at, key, true FROM owner_keys WHERE key IN (SELECT key FROM dupkeys)""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE owner_dups AS {OWNER_DUPS_SQL}")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE owner_who AS
        SELECT key, list(DISTINCT platform || ':' || account) AS who FROM owner_keys
        WHERE key IN (SELECT key FROM dupkeys) GROUP BY key""")


def prepare_automation(con: duckdb.DuckDBPyConnection, *, separately: bool = False) -> None:
    """``automation``: per own post (``own_all``, reposts left out) and subject, the automation signals
    that fired and the rule that makes it automated (NULL when it is not). Needs ``own_all``,
    ``dupkeys``, ``owner_dups``, ``titles`` and ``importer_precision``. A post is cross-posted when the
    post before it with its text (among ``dupkeys`` of its subject and the owners' posts; order: time,
    platform, post id) is on another platform, less than ``CROSS_POST_MINUTES`` earlier."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE crossposts AS
        SELECT DISTINCT scope, platform, post_id FROM (
          SELECT d.scope, d.platform, d.post_id, d.created_at, o.dup_prev_at AS owner_at,
                 o.dup_prev_platform AS owner_platform,
                 lag(d.platform) OVER w AS own_platform, lag(d.created_at) OVER w AS own_at
          FROM dupkeys d LEFT JOIN owner_dups o USING (platform, post_id)
          WINDOW w AS (PARTITION BY d.scope, d.key ORDER BY d.created_at, d.platform, d.post_id))
        WHERE created_at - greatest(own_at, owner_at) <= INTERVAL {CROSS_POST_MINUTES} MINUTE
          AND platform <> CASE WHEN owner_at IS NULL OR own_at > owner_at THEN own_platform
                               WHEN own_at IS NULL OR owner_at > own_at THEN owner_platform
                               ELSE greatest(own_platform, owner_platform) END""")
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
