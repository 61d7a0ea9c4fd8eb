"""Corpora for the all-accounts audit: the demo (real export formats) and a generated one.

Both are built once per test session, as a store and as its Parquet export (what Spark reads).
The generated corpus comes from the benchmark's own generator (``benchmarks/corpus.py``), small.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest

from parlons.demo import plan_demo, write_demo
from parlons.ingest import import_paths
from parlons.store import Store

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
GENERATED_POSTS, GENERATED_USERS = 3_000, 30
LARGE_POSTS, LARGE_USERS = 1_000_000, 1_000
SPILL_POSTS, SPILL_USERS = 100_000, 200
"""A corpus whose routed posts do not fit in 64 MB (tests/corpus/test_corpus.py: bounded memory)."""
"""The engines' parity at scale (tests/corpus/test_spark.py): the benchmark's 1 M-post corpus shape."""


@dataclass(frozen=True)
class Corpus:
    store: Path
    export: Path
    exports: tuple[str, ...] = ()
    """The export files the store was imported from, in the order they were imported (the demo's)."""


def _export(store_path: Path) -> Path:
    with Store(store_path, read_only=True) as store:
        store.export(store_path.parent / "export", "parquet")
    return store_path.parent / "export"


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus-demo")
    paths = write_demo(plan_demo("fr", 0.1), folder / "exports")
    with Store(folder / "demo.duckdb") as store:
        import_paths(store, paths)
    return Corpus(folder / "demo.duckdb", _export(folder / "demo.duckdb"), tuple(str(p) for p in paths))


def build_generated(path: Path, posts: int, users: int, one_in: int = 3) -> None:
    spec = importlib.util.spec_from_file_location("parlons_bench_corpus", BENCHMARKS / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_corpus(path, posts, one_in=one_in, users=users)


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus-generated")
    build_generated(folder / "generated.duckdb", GENERATED_POSTS, GENERATED_USERS)
    return Corpus(folder / "generated.duckdb", _export(folder / "generated.duckdb"))


@pytest.fixture(scope="session")
def spilling(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus-spilling")
    build_generated(folder / "spilling.duckdb", SPILL_POSTS, SPILL_USERS, one_in=30)
    return Corpus(folder / "spilling.duckdb", folder / "no-export")


@pytest.fixture(scope="session")
def large(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A generated corpus of ``LARGE_POSTS`` posts (one reply in 30 to an organization, as in the benchmark)."""
    folder = tmp_path_factory.mktemp("corpus-large")
    build_generated(folder / "large.duckdb", LARGE_POSTS, LARGE_USERS, one_in=30)
    return Corpus(folder / "large.duckdb", _export(folder / "large.duckdb"))


SHARED_ACCOUNTS = 800
"""Accounts of the shared-texts corpus: each posts one canned text 4 times (and one text of its own)."""


def build_shared_texts(path: Path, accounts: int = SHARED_ACCOUNTS) -> None:
    """Every account posts the same canned answer 4 times, 7 minutes apart, one account after the other
    (account ``i``'s posts are the ``4i``-th to ``4i+3``-th of one sequence); even accounts on X, odd
    ones on Bluesky; three accounts in four (``i % 4 != 3``) are owners. Every post carries a link and
    none converses. Paired naively, each account meets every owner's canned post (``3 * accounts``)."""
    with Store(path) as store:
        store.con.execute(f"""
            INSERT INTO posts BY NAME
            WITH p AS (
              SELECT i, k, CASE WHEN i % 2 = 0 THEN 'x' ELSE 'bluesky' END AS platform, 'acct' || i AS account,
                     CASE WHEN k < 4 THEN TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_minutes((4 * i + k) * 7)
                          ELSE TIMESTAMPTZ '2023-06-01 00:00:00+00' + to_minutes(i * 11) END AS created_at
              FROM range({int(accounts)}) a(i), range(5) b(k))
            SELECT platform, i || '-' || k AS post_id, account, created_at,
                   CASE WHEN k < 4 THEN 'Thank you for your message, we will get back to you soon https://example.org/help'
                        ELSE 'Our own news number ' || i || ' for everyone https://example.org/' || i END AS "text",
                   'en' AS lang, 'original' AS kind, []::VARCHAR[] AS mentions, []::VARCHAR[] AS hashtags,
                   ['https://example.org/' || i] AS urls, 0 AS media_count, []::VARCHAR[] AS media_kinds,
                   'Web' AS source, 'shared' AS source_file, 'shared' AS source_member, post_id AS source_record,
                   'twitter-api' AS importer, '0' AS importer_version,
                   TIMESTAMPTZ '2024-06-01 00:00:00+00' AS imported_at
            FROM p""")
        store.con.execute("""
            INSERT INTO accounts BY NAME SELECT DISTINCT platform, account, NOT (account[5:]::INT % 4 = 3) AS is_owner,
              'shared' AS source_file, 'shared' AS source_member, 'twitter-api' AS importer, '0' AS importer_version,
              TIMESTAMPTZ '2024-06-01 00:00:00+00' AS imported_at FROM posts""")


@pytest.fixture(scope="session")
def shared_texts(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus-shared")
    build_shared_texts(folder / "shared.duckdb")
    return Corpus(folder / "shared.duckdb", _export(folder / "shared.duckdb"))


def build_dated(path: Path) -> None:
    """Three accounts posting before and inside the period 2017-10-01 to 2017-10-31 (as a Grailbird archive of
    2011-2015 sits beside twarc captures of 2017): ``early`` 6 posts in 2016 only; ``both`` 5 in 2016 and 3
    in the period; ``late`` 2 in the period, one of them on 2017-10-31 at midnight (the period's end, counted)."""
    with Store(path) as store:
        store.con.execute("""
            INSERT INTO posts BY NAME
            WITH p(account, k, created_at) AS (
              SELECT 'early', i, TIMESTAMPTZ '2016-03-01 10:00:00+00' + to_days(i) FROM range(6) r(i)
              UNION ALL SELECT 'both', i, TIMESTAMPTZ '2016-05-01 10:00:00+00' + to_days(i) FROM range(5) r(i)
              UNION ALL SELECT 'both', 10 + i, TIMESTAMPTZ '2017-10-02 10:00:00+00' + to_days(i) FROM range(3) r(i)
              UNION ALL SELECT 'late', 20, TIMESTAMPTZ '2017-10-05 10:00:00+00'
              UNION ALL SELECT 'late', 21, TIMESTAMPTZ '2017-10-31 00:00:00+00')
            SELECT 'x' AS platform, account || '-' || k AS post_id, account, created_at,
                   'Our news number ' || k || ' for everyone' AS "text", 'en' AS lang, 'original' AS kind,
                   []::VARCHAR[] AS mentions, []::VARCHAR[] AS hashtags, []::VARCHAR[] AS urls, 0 AS media_count,
                   []::VARCHAR[] AS media_kinds, 'Web' AS source, 'dated.jsonl' AS source_file,
                   'dated.jsonl' AS source_member, post_id AS source_record, 'twitter-api' AS importer,
                   '0' AS importer_version, TIMESTAMPTZ '2024-06-01 00:00:00+00' AS imported_at
            FROM p""")


@pytest.fixture(scope="session")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus-dated")
    build_dated(folder / "dated.duckdb")
    return Corpus(folder / "dated.duckdb", _export(folder / "dated.duckdb"))


NAMED = (("facebook", "Mairie de Brest", 4), ("linkedin", "Anand S", 3), ("blog", "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ", 3),
         ("blog", "İzmir Büyükşehir", 2), ("x", "AppleSupport", 2))
"""Accounts named as real exports name them: a Facebook page and a LinkedIn member by their names (the
audit compares them exactly, case included), blog authors in Greek capitals (a final Σ) and Turkish
(İ), an X handle."""


def build_named(path: Path) -> None:
    """Each account of :data:`NAMED` posts its number of posts; ``fan`` comments once on each Facebook
    and blog account's first post (a request, answered by the account's second post)."""
    with Store(path) as store:
        for platform, account, count in NAMED:
            store.con.execute("""
                INSERT INTO posts BY NAME
                SELECT $platform AS platform, $platform || '-' || $account || '-' || i AS post_id, $account AS account,
                       TIMESTAMPTZ '2024-03-01 10:00:00+00' + to_hours(i) AS created_at,
                       CASE WHEN i = 1 AND $platform IN ('facebook', 'blog') THEN 'Merci, nous regardons cela'
                            ELSE 'Nouvelle ' || i END AS "text", 'fr' AS lang,
                       CASE WHEN i = 1 AND $platform IN ('facebook', 'blog') THEN 'comment' ELSE 'original' END AS kind,
                       CASE WHEN i = 1 AND $platform IN ('facebook', 'blog') THEN $platform || '-fan-' || $account END
                         AS in_reply_to_id,
                       CASE WHEN i = 1 AND $platform IN ('facebook', 'blog') THEN 'fan' END AS in_reply_to_account,
                       []::VARCHAR[] AS mentions, []::VARCHAR[] AS hashtags, []::VARCHAR[] AS urls, 0 AS media_count,
                       []::VARCHAR[] AS media_kinds, 'Web' AS source, $platform || '.json' AS source_file,
                       $platform || '.json' AS source_member, post_id AS source_record,
                       CASE $platform WHEN 'blog' THEN 'wordpress-wxr' WHEN 'x' THEN 'twitter-api' ELSE $platform END
                         AS importer, '0' AS importer_version, TIMESTAMPTZ '2024-06-01 00:00:00+00' AS imported_at
                FROM range($count) r(i)""", {"platform": platform, "account": account, "count": count})
            if platform in ("facebook", "blog"):
                store.con.execute("""
                    INSERT INTO posts BY NAME
                    SELECT $platform AS platform, $platform || '-fan-' || $account AS post_id, 'fan' AS account,
                           TIMESTAMPTZ '2024-03-01 10:30:00+00' AS created_at,
                           'Pourquoi la piscine est fermée ?' AS "text",
                           'fr' AS lang, 'comment' AS kind, $platform || '-' || $account || '-0' AS in_reply_to_id,
                           $account AS in_reply_to_account, []::VARCHAR[] AS mentions, []::VARCHAR[] AS hashtags,
                           []::VARCHAR[] AS urls, 0 AS media_count, []::VARCHAR[] AS media_kinds, 'Web' AS source,
                           $platform || '.json' AS source_file, $platform || '.json' AS source_member,
                           post_id AS source_record,
                           CASE $platform WHEN 'blog' THEN 'wordpress-wxr' ELSE $platform END AS importer,
                           '0' AS importer_version, TIMESTAMPTZ '2024-06-01 00:00:00+00' AS imported_at""",
                                  {"platform": platform, "account": account})


@pytest.fixture(scope="session")
def named(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("corpus-named")
    build_named(folder / "named.duckdb")
    return Corpus(folder / "named.duckdb", _export(folder / "named.duckdb"))
