"""The Spark engine gives the very table the DuckDB engine gives (real Spark, ``local[2]``).

One Spark session for the module, a few shuffle partitions; the corpora: the demo, a generated
corpus of a few thousand posts, and one of a million posts (``LARGE_POSTS``, the benchmark's shape:
docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from parlons.audit import open_posts, run_audit
from parlons.corpus import audit_corpus, flatten_audit
from parlons.corpus import spark as spark_engine
from parlons.corpus.spark import spark_session
from parlons.corpus.spark_import import import_dataset
from parlons.demo import ORG_X, PEER2_X
from parlons.errors import InputError, StoreError, UsageError

from .conftest import LARGE_USERS, SHARED_ACCOUNTS, Corpus

MASTER = "local[2]"


@pytest.fixture(scope="module", autouse=True)
def spark() -> Iterator[Any]:
    session = spark_session(MASTER, shuffle_partitions=4)
    yield session
    session.stop()


def table(path: Path) -> list[tuple[Any, ...]]:
    rel = duckdb.sql(f"SELECT * FROM '{path}' ORDER BY platform, account")
    return [tuple(d[0] for d in rel.description), *rel.fetchall()]


def both(corpus: Corpus, tmp_path: Path, **options: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    local = audit_corpus(corpus.store, tmp_path / "duckdb.parquet", jobs=2, **options)
    spark = audit_corpus(corpus.export, tmp_path / "spark.parquet", engine="spark", spark_master=MASTER, **options)
    assert (local.engine, spark.engine, spark.accounts) == ("duckdb", "spark", local.accounts)
    return table(tmp_path / "duckdb.parquet"), table(tmp_path / "spark.parquet")


def test_same_table_on_the_demo(demo: Corpus, tmp_path: Path) -> None:
    local, spark = both(demo, tmp_path)
    assert len(local) == 51 and len(local[0]) > 150
    assert spark == local


def test_same_table_on_a_generated_corpus(generated: Corpus, tmp_path: Path) -> None:
    local, spark = both(generated, tmp_path, min_posts=5)
    rows = {r[1]: dict(zip(local[0], r, strict=True)) for r in local[1:]}
    assert len(rows) == 33
    assert [(rows[a]["responsiveness_requests"], rows[a]["responsiveness_answered"], rows[a]["conversation_posts"])
            for a in ("org0", "user7")] == [(192, 0, 10), (23, 1, 108)]
    assert spark == local


def test_same_table_when_accounts_share_texts(shared_texts: Corpus, tmp_path: Path) -> None:
    """800 accounts sharing one canned text (owners' posts figured once per post, shuffled by text)."""
    local, spark = both(shared_texts, tmp_path)
    assert len(local) == 1 + SHARED_ACCOUNTS
    assert spark == local
    automated = local[0].index("broadcast_automated_share")
    assert sum(r[automated] == 0.2 for r in local[1:]) == 600  # acct1 to acct799, but those after acct3, acct7...


def test_progress_counts_the_accounts_the_tasks_audited(shared_texts: Corpus, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar advances by the accounts Spark's tasks report (an accumulator), up to the total."""
    seen: list[int] = []

    class Recorded(spark_engine._ProgressThread):
        def __exit__(self, *exc: object) -> None:
            super().__exit__(*exc)
            seen.append(int(self.accounts.value))

    monkeypatch.setattr(spark_engine, "_ProgressThread", Recorded)
    totals: list[int] = []
    ticks: list[int] = []

    def start(total: int) -> Callable[[int], None]:
        totals.append(total)
        return ticks.append

    audit_corpus(shared_texts.export, tmp_path / "a.parquet", engine="spark", spark_master=MASTER, progress=start)
    assert totals == [SHARED_ACCOUNTS] and seen == [SHARED_ACCOUNTS]
    assert sum(ticks) == SHARED_ACCOUNTS and all(t > 0 for t in ticks)


def test_same_table_on_a_million_posts(large: Corpus, tmp_path: Path) -> None:
    """Both engines on 1 M generated posts: the same table, cell for cell; a row checked against the
    single audit of its account on the store."""
    local, spark = both(large, tmp_path)
    assert len(local) == 1 + LARGE_USERS + 3
    assert spark == local
    columns = local[0]
    org = next(dict(zip(columns, r, strict=True)) for r in local[1:] if r[1] == "org0")
    con = open_posts(large.store)
    single = flatten_audit(run_audit(con, ["x:org0"])[0])
    con.close()
    assert {k: org[k] for k in single} == single
    assert [org[k] for k in ("conversation_posts", "responsiveness_requests", "responsiveness_answered")] == [
        3333, 7833, 9]  # one request declared English has 5 French stop words and no English one: French


def test_chosen_accounts_on_spark(demo: Corpus, tmp_path: Path) -> None:
    names = tmp_path / "accounts.txt"
    names.write_text(f"{ORG_X}\nx:{PEER2_X}\n", encoding="utf-8")
    local, spark = both(demo, tmp_path, accounts_file=names)
    assert [r[:2] for r in spark[1:]] == sorted([("x", PEER2_X), ("x", ORG_X)])
    assert spark == local


def test_spark_reads_a_parquet_dataset_not_a_store(demo: Corpus, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="the Spark engine reads its Parquet export"):
        audit_corpus(demo.store, tmp_path / "a.parquet", engine="spark", spark_master=MASTER)


def test_import_in_spark_tasks_gives_the_same_corpus(demo: Corpus, tmp_path: Path) -> None:
    """The demo's export files imported by Spark tasks (in the same order, so the same posts win when a
    post is in two files): the same accounts table as from the store. One goes through ``file://``."""
    files = list(demo.exports)
    dataset = tmp_path / "dataset"
    done = import_dataset([f"file://{files[0]}", *files[1:]], str(dataset), master=MASTER)
    assert (done.files, done.posts, done.accounts) == (9, 256, 50)
    assert sorted(p.name for p in dataset.iterdir()) == ["accounts.parquet", "posts.parquet"]
    audit_corpus(dataset, tmp_path / "from-dataset.parquet", jobs=2)
    audit_corpus(demo.store, tmp_path / "from-store.parquet", jobs=2)
    assert table(tmp_path / "from-dataset.parquet") == table(tmp_path / "from-store.parquet")


def test_a_bad_file_in_a_spark_task_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "tweets.js"
    bad.write_text("window.YTD.tweets.part0 = [ {\"tweet\": ", encoding="utf-8")
    with pytest.raises(InputError, match=r"file .*tweets\.js: "):
        import_dataset([str(bad)], str(tmp_path / "dataset"), master=MASTER)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tweets.js"]


def test_min_posts_counts_the_posts_of_the_period_on_spark(dated: Corpus, tmp_path: Path) -> None:
    """``--since``/``--until`` with ``--min-posts``: Spark selects the accounts by their posts in the period,
    as DuckDB does (tests/corpus/test_corpus.py), ends included."""
    since, until = datetime(2017, 10, 1, tzinfo=UTC), datetime(2017, 10, 31, tzinfo=UTC)
    local, spark = both(dated, tmp_path, since=since, until=until, min_posts=2)
    assert [r[:2] for r in spark[1:]] == [("x", "both"), ("x", "late")]
    assert spark == local


def test_a_name_with_no_post_is_an_error_on_spark_too(demo: Corpus, tmp_path: Path) -> None:
    """twcs brands named in --accounts-file (XboxSupport is only ever mentioned in the real sample, never
    posts): DuckDB said so and stopped; Spark left the name out and wrote the others' rows, one account
    fewer than the list without a word. Both engines now give the same error."""
    names = tmp_path / "accounts.txt"
    names.write_text(f"{ORG_X}\nXboxSupport\nx:{PEER2_X}\n", encoding="utf-8")
    for engine in ("duckdb", "spark"):
        with pytest.raises(UsageError, match=r"^no posts by 'xboxsupport' in the corpus"):
            audit_corpus(demo.store if engine == "duckdb" else demo.export, tmp_path / f"{engine}.parquet",
                         engine=engine, spark_master=MASTER, accounts_file=names)
    assert not list(tmp_path.glob("*.parquet"))


def test_names_in_any_script_and_case_on_spark(named: Corpus, tmp_path: Path) -> None:
    """Facebook and LinkedIn names with capitals, blog authors in Greek capitals and Turkish (conftest.NAMED):
    Spark's lower() writes a final capital sigma 'ς' and 'İ' 'i̇', DuckDB's 'σ' and 'i'; Spark's keys
    now are DuckDB's (the audit's), and the table is DuckDB's."""
    local, spark = both(named, tmp_path)
    assert [r[:2] for r in spark[1:]] == [("blog", "fan"), ("blog", "İzmir Büyükşehir"), ("blog", "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ"),
                                          ("facebook", "Mairie de Brest"), ("facebook", "fan"), ("linkedin", "Anand S"),
                                          ("x", "AppleSupport")]
    assert spark == local


def test_an_error_in_a_spark_task_is_one_clear_line(dated: Corpus, tmp_path: Path) -> None:
    """A dataset made by another tool, its times as text ('02/10/2017 10:00'; found with the twcs rows of the
    real-data corpus so rewritten): the audit's query failed in a Spark task and the CLI printed Spark's Python
    and Java tracebacks. Now a StoreError says what the task's code said (as the DuckDB engine does), and no
    table is written."""
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    duckdb.sql(f"COPY (SELECT * REPLACE (strftime(created_at, '%d/%m/%Y %H:%M') AS created_at) "
               f"FROM '{dated.export / 'posts.parquet'}') TO '{dataset / 'posts.parquet'}' (FORMAT parquet)")
    with pytest.raises(StoreError, match=r"^the all-accounts audit failed in a Spark task: Binder Error: No function "
                                         r"matches the given name and argument types 'minute\(VARCHAR\)'"):
        audit_corpus(dataset, tmp_path / "a.parquet", engine="spark", spark_master=MASTER)
    assert not (tmp_path / "a.parquet").exists()
