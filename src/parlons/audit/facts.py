"""Facts of the whole store that an audit reads beyond the posts concerning its accounts.

Four small tables, each defined once here over the relations ``posts`` and ``accounts``:

- ``files_all``: per imported file (source file, importer, platform), its posts, its last post and
  when it was imported (the end of the data, the files that say nothing of an account);
- ``importer_precision``: per importer, whether it records minutes and seconds at all (the
  regular-timing signals of automation);
- ``titles``: titles of blog posts and feed items (the feed-title-plus-link rule);
- ``owner_keys``: the duplicate key of every post (reposts aside) by an account whose own archive
  was imported (duplicates across owners' archives).

The owners' posts matter to a post through its normalized text only, and only as a few figures of
that post (:data:`DUP_COLUMNS`, computed by :data:`OWNER_DUPS_SQL`): how many owners' posts share
its text, whether it is one of them, and the latest of them before it (time and platform, for
cross-posting). ``parlons audit`` computes them for its own posts from ``owner_keys``; the
all-accounts audit computes them once for every post of the corpus (DuckDB: :func:`build_owner_dups`;
Spark: :func:`dup_rows_sql` per partition, :data:`OWNER_DUPS_SQL` per group of texts) and routes them
with the posts, so that the work of a batch of accounts is proportional to its posts, however many
accounts share a text (``CORPUS_FACTS``: the other facts, small, are handed to every batch).

``parlons audit`` builds them from its store (:func:`build_facts`). The all-accounts audit builds
them once for the whole corpus and hands them to each per-account audit (``run_audit(...,
facts=...)``), so that a row of the corpus table is the audit of that account on the whole store.
Spark computes them per partition and merges the parts (:data:`MERGE_SQL`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
import pyarrow as pa

from .lexicon import normalize_sql

__all__ = ["CORPUS_FACTS", "DUPLICATE_KEY", "DUP_COLUMNS", "FACT_TABLES", "MERGE_SQL", "MIN_KEY_CHARS",
           "OWNER_DUPS_SQL", "build_facts", "build_importer_precision", "build_owner_dups", "dup_rows_sql", "facts_sql",
           "merge_facts", "use_facts"]

DUPLICATE_KEY = f"""trim(regexp_replace({normalize_sql('"text"')}, ' +', ' ', 'g'))"""
"""SQL: the duplicate key of a post: its normalized text (links and handles out, single spaces)."""

MIN_KEY_CHARS = 20
"""Normalized texts shorter than this are too common to call duplicates ("merci !")."""

FACT_TABLES = ("files_all", "importer_precision", "titles", "owner_keys")
CORPUS_FACTS = ("files_all", "importer_precision", "titles")
"""The facts handed whole to every batch of the all-accounts audit (the owners' posts come per post)."""

DUP_COLUMNS = ("dup_owned", "dup_owners_n", "dup_prev_at", "dup_prev_platform")
"""Per post whose text an owner's post shares: is it an owner's post, how many owners' posts have its
text, and the time and platform of the latest of them before it (order: time, platform, post id)."""

OWNER_DUPS_SQL = """
    SELECT platform, post_id, owned AS dup_owned, owners_n AS dup_owners_n, prev_at AS dup_prev_at,
           prev_platform AS dup_prev_platform
    FROM (SELECT platform, post_id, owned, sum(owned::INT) OVER (PARTITION BY key)::BIGINT AS owners_n,
                 last_value(CASE WHEN owned THEN created_at END IGNORE NULLS) OVER before AS prev_at,
                 last_value(CASE WHEN owned THEN platform END IGNORE NULLS) OVER before AS prev_platform
          FROM dup_rows WHERE key IN (SELECT key FROM dup_rows WHERE owned)
          WINDOW before AS (PARTITION BY key ORDER BY created_at, platform, post_id
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))"""
"""SQL: :data:`DUP_COLUMNS` per post, over ``dup_rows(platform, post_id, created_at, key, owned)``: the
posts concerned and every owner's post with one of their texts (all the rows of a text together)."""


def dup_rows_sql(owners: str = "accounts") -> str:
    """SQL: the ``dup_rows`` of the posts of ``posts`` (reposts and short texts aside); ``owners`` has
    the accounts' ``is_owner``."""
    return f"""
        SELECT platform, post_id, created_at, key, owned FROM (
          SELECT platform, post_id, created_at, {DUPLICATE_KEY} AS key,
                 (platform, account) IN (SELECT (platform, account) FROM {owners} WHERE is_owner) AS owned
          FROM posts WHERE kind <> 'repost')
        WHERE length(key) >= {MIN_KEY_CHARS}"""


def build_owner_dups(con: duckdb.DuckDBPyConnection) -> None:
    """The temp table ``owner_dups``: :data:`DUP_COLUMNS` of every post of ``posts`` (whole corpus)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE dup_rows AS {dup_rows_sql()}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE owner_dups AS {OWNER_DUPS_SQL}")
    con.execute("DROP TABLE dup_rows")


def facts_sql(owners: str = "accounts") -> dict[str, str]:
    """The query of each fact table over ``posts``; ``owners`` names a relation with the owners' rows."""
    return {
        "files_all": """SELECT source_file, importer, platform, count(*) AS posts, max(created_at) AS last_at,
                               max(imported_at) AS imported_at FROM posts GROUP BY ALL""",
        "importer_precision": """SELECT importer, bool_or(minute(created_at) <> 0) AS minutes_known,
                                        bool_or(second(created_at) <> 0) AS seconds_known
                                 FROM posts GROUP BY importer""",
        "titles": """SELECT DISTINCT lower(trim(title)) AS title FROM posts
                     WHERE title IS NOT NULL AND length(trim(title)) >= 10""",
        "owner_keys": f"""SELECT platform, account, post_id, created_at, {DUPLICATE_KEY} AS key FROM posts
                          WHERE kind <> 'repost'
                            AND (platform, account) IN (SELECT (platform, account) FROM {owners} WHERE is_owner)""",
    }


MERGE_SQL = {
    "files_all": """SELECT source_file, importer, platform, sum(posts)::BIGINT AS posts, max(last_at) AS last_at,
                           max(imported_at) AS imported_at FROM part GROUP BY ALL""",
    "importer_precision": """SELECT importer, bool_or(minutes_known) AS minutes_known,
                                    bool_or(seconds_known) AS seconds_known FROM part GROUP BY importer""",
    "titles": "SELECT DISTINCT title FROM part",
    "owner_keys": "SELECT * FROM part",
}
"""How the facts of disjoint parts of the posts combine into the facts of the whole."""


def build_facts(con: duckdb.DuckDBPyConnection, names: Sequence[str] = FACT_TABLES) -> None:
    """Create the fact tables ``names`` from ``posts`` and ``accounts`` (temporary tables)."""
    queries = facts_sql()
    for name in names:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {queries[name]}")


def build_importer_precision(con: duckdb.DuckDBPyConnection, importers: Sequence[str]) -> None:
    """The fact ``importer_precision`` for ``importers`` only (those of the audited posts): the same
    values as over the whole store, but each read stops at the first post with minutes (seconds) set,
    which is one of the first of any importer that records them."""
    con.execute("CREATE OR REPLACE TEMP TABLE importer_precision "
                "(importer VARCHAR, minutes_known BOOLEAN, seconds_known BOOLEAN)")
    for importer in importers:
        con.execute(f"INSERT INTO importer_precision VALUES ($i, {_known('minute')}, {_known('second')})",
                    {"i": importer})


def _known(part: str) -> str:
    """SQL: ``bool_or({part}(created_at) <> 0)`` over the posts of importer ``$i``, by queries that stop
    at the first post that answers (``EXISTS``): NULL when no post of it has a time."""
    return (f"CASE WHEN EXISTS (SELECT 1 FROM posts WHERE importer = $i AND {part}(created_at) <> 0) THEN true "
            "WHEN EXISTS (SELECT 1 FROM posts WHERE importer = $i AND created_at IS NOT NULL) THEN false END")


def use_facts(con: duckdb.DuckDBPyConnection, facts: Mapping[str, pa.Table]) -> None:
    """Make the given fact tables (computed over a whole corpus) the ones the audit reads."""
    for name in facts:
        con.register(f"_given_{name}", facts[name])
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM _given_{name}")


def merge_facts(parts: Mapping[str, pa.Table]) -> dict[str, pa.Table]:
    """The facts of the whole from the concatenated facts of its parts."""
    from ..engine import connect

    con = connect(":memory:", threads=1)
    try:
        out = {}
        for name in (n for n in FACT_TABLES if n in parts):
            con.register("part", parts[name])
            out[name] = con.sql(MERGE_SQL[name]).to_arrow_table()
            con.unregister("part")
        return out
    finally:
        con.close()
