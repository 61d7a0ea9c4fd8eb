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
def large(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A generated corpus of ``LARGE_POSTS`` posts (one reply in 30 to an organization, as in the benchmark)."""
    folder = tmp_path_factory.mktemp("corpus-large")
    build_generated(folder / "large.duckdb", LARGE_POSTS, LARGE_USERS, one_in=30)
    return Corpus(folder / "large.duckdb", _export(folder / "large.duckdb"))
