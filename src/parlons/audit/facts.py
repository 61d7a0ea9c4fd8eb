"""Facts of the whole store that an audit reads beyond the posts concerning its accounts.

Four small tables, each defined once here over the relations ``posts`` and ``accounts``:

- ``files_all``: per imported file (source file, importer, platform), its posts, its last post and
  when it was imported (the end of the data, the files that say nothing of an account);
- ``importer_precision``: per importer, whether it records minutes and seconds at all (the
  regular-timing signals of automation);
- ``titles``: titles of blog posts and feed items (the feed-title-plus-link rule);
- ``owner_keys``: the duplicate key of every post (reposts aside) by an account whose own archive
  was imported (duplicates across owners' archives).

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

__all__ = ["DUPLICATE_KEY", "FACT_TABLES", "MERGE_SQL", "build_facts", "facts_sql", "merge_facts", "use_facts"]

DUPLICATE_KEY = f"""trim(regexp_replace({normalize_sql('"text"')}, ' +', ' ', 'g'))"""
"""SQL: the duplicate key of a post: its normalized text (links and handles out, single spaces)."""

FACT_TABLES = ("files_all", "importer_precision", "titles", "owner_keys")


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


def use_facts(con: duckdb.DuckDBPyConnection, facts: Mapping[str, pa.Table]) -> None:
    """Make the given fact tables (computed over a whole corpus) the ones the audit reads."""
    for name in FACT_TABLES:
        con.register(f"_given_{name}", facts[name])
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM _given_{name}")


def merge_facts(parts: Mapping[str, pa.Table]) -> dict[str, pa.Table]:
    """The facts of the whole from the concatenated facts of its parts."""
    from ..engine import connect

    con = connect(":memory:", threads=1)
    try:
        out = {}
        for name in FACT_TABLES:
            con.register("part", parts[name])
            out[name] = con.sql(MERGE_SQL[name]).to_arrow_table()
            con.unregister("part")
        return out
    finally:
        con.close()
