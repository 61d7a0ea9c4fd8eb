"""parlons audit --all-accounts on DuckDB: one row per account, the audit's own figures, ranks, files whole.

Each row is compared with ``parlons audit ACCOUNT`` on the same store (``run_audit`` flattened):
every column of every account is equal (the corpus's store-wide facts are handed to each audit).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from parlons.audit import CORPUS_FACTS, corpus_facts, open_posts, run_audit
from parlons.cli import cli
from parlons.corpus import audit_corpus, flatten_audit
from parlons.corpus.account import AccountAuditor, AuditJob
from parlons.corpus.local import _groups, _route, batches, groups
from parlons.corpus.route import select_accounts
from parlons.corpus.spark import require_pyspark
from parlons.corpus.table import FIGURES_SCHEMA, write_table
from parlons.demo import ORG_X, PEER1_X
from parlons.errors import InputError, StoreError, UsageError

from .conftest import SHARED_ACCOUNTS, SPILL_USERS, Corpus


def table(path: Path) -> list[dict[str, Any]]:
    rel = duckdb.sql(f"SELECT * FROM '{path}' ORDER BY platform, account")
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


@pytest.fixture(scope="module")
def demo_rows(demo: Corpus, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo-all") / "accounts.parquet"
    assert audit_corpus(demo.store, out, jobs=2).accounts == 50
    return table(out)


def test_one_row_per_author_with_the_interface_columns(demo: Corpus, demo_rows: list[dict[str, Any]]) -> None:
    con = duckdb.connect(str(demo.store), read_only=True)
    authors = con.execute("SELECT platform, lower(account) FROM posts GROUP BY ALL ORDER BY ALL").fetchall()
    con.close()
    assert sorted((r["platform"], r["account"].lower()) for r in demo_rows) == authors
    org = next(r for r in demo_rows if r["account"] == ORG_X)
    assert {k: org[k] for k in ("platform", "responsiveness_requests", "responsiveness_answered",
                                "responsiveness_median_first_response_s", "responsiveness_median_first_response_s_n",
                                "conversation_posts", "conversation_replies_to_others_share",
                                "conversation_replies_to_others_share_n")} == {
        "platform": "x", "responsiveness_requests": 21, "responsiveness_answered": 13,
        "responsiveness_median_first_response_s": 18585.0, "responsiveness_median_first_response_s_n": 13,
        "conversation_posts": 48, "conversation_replies_to_others_share": 0.375,
        "conversation_replies_to_others_share_n": 48}


def test_every_row_is_the_audit_of_that_account(demo: Corpus, demo_rows: list[dict[str, Any]]) -> None:
    """Every column of every account equals ``parlons audit PLATFORM:ACCOUNT`` on the same store."""
    con = open_posts(demo.store)
    compared = 0
    for row in demo_rows:
        single = flatten_audit(run_audit(con, [f"{row['platform']}:{row['account']}"])[0])
        assert {k: v for k, v in single.items() if not _same(v, row[k])} == {}, row["account"]
        others = {k: v for k, v in row.items() if k not in single and not k.endswith(("_rank", "_percentile"))}
        assert all(v is None for v in others.values()), (row["account"], others)
        compared += len(single)
    con.close()
    assert compared > 50 * 120  # every account, over a hundred columns each
    org = next(r for r in demo_rows if r["account"] == ORG_X)
    # store-wide facts: the posts by others on X, the end of the X data
    assert (org["coverage_posts_by_others_on_platform"], org["period_data_end"]) == (148, "2024-12-25T09:22:06Z")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b or (a is not None and b is not None and str(a) == str(b))


def test_ranks_and_percentiles_within_the_platform(demo_rows: list[dict[str, Any]]) -> None:
    column = "conversation_replies_to_others_share"
    rows = [r for r in demo_rows if r["platform"] == "x" and r[column] is not None]
    values = sorted(r[column] for r in rows)
    for row in rows:
        value = row[column]
        assert row[f"{column}_rank"] == 1 + sum(v > value for v in values)
        assert row[f"{column}_percentile"] == round(100 * sum(v < value for v in values) / (len(values) - 1), 1)
    peer = next(r for r in demo_rows if r["account"] == PEER1_X)
    assert (peer[column], peer[f"{column}_rank"]) == (0.5593, 1)
    unknown = next(r for r in demo_rows if r[column] is None)
    assert unknown[f"{column}_rank"] is None and unknown[f"{column}_percentile"] is None


def test_min_posts_accounts_file_and_csv(demo: Corpus, tmp_path: Path) -> None:
    names = tmp_path / "accounts.txt"
    names.write_text(f"# two accounts\n{ORG_X.lower()}\n\nx:@{PEER1_X}\n", encoding="utf-8")
    out = tmp_path / "two.csv"
    assert audit_corpus(demo.store, out, accounts_file=names, jobs=1).accounts == 2
    rows = duckdb.sql(f"SELECT platform, account, responsiveness_requests FROM read_csv('{out}')").fetchall()
    assert rows == [("x", PEER1_X, 16), ("x", ORG_X, 21)]  # "Rien ne remplace l'odeur d'un livre" asks nothing
    assert audit_corpus(demo.store, tmp_path / "many.parquet", min_posts=3, jobs=1).accounts == 18


def test_unknown_names_and_bad_files_are_clear_errors(demo: Corpus, tmp_path: Path) -> None:
    names = tmp_path / "accounts.txt"
    names.write_text("nobody_here\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no posts by 'nobody_here' in the corpus"):
        audit_corpus(demo.store, tmp_path / "a.parquet", accounts_file=names)
    names.write_text("x:\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"accounts\.txt, record line 1: an empty account name"):
        audit_corpus(demo.store, tmp_path / "a.parquet", accounts_file=names)
    with pytest.raises(UsageError, match=r"written as \.parquet or \.csv"):
        audit_corpus(demo.store, tmp_path / "a.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accounts.txt"]


def test_a_failure_leaves_no_file(demo: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "accounts.parquet"
    calls = []

    def failing(self: AccountAuditor, platform: str, keys: list[str], posts: Any) -> list[dict[str, Any]]:
        calls.append(platform)
        if len(calls) == 2:
            raise StoreError("the audit query failed: disk full")
        return [{"platform": platform, "account": key} for key in keys]

    monkeypatch.setattr(AccountAuditor, "audit", failing)
    with pytest.raises(StoreError, match="disk full"):
        audit_corpus(demo.store, out, jobs=1)
    assert len(calls) == 2
    assert list(tmp_path.iterdir()) == []


def test_a_batch_over_the_memory_limit_is_audited_in_halves(demo: Corpus, demo_rows: list[dict[str, Any]],
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB's out-of-memory error on a batch of several accounts: the same table, one account at a time."""
    sizes: list[int] = []
    whole = AccountAuditor._audit

    def tight(self: AccountAuditor, platform: str, keys: list[str], posts: Any) -> list[dict[str, Any]]:
        sizes.append(len(keys))
        if len(keys) > 1:
            raise StoreError("the audit query failed: Out of Memory Error: failed to allocate data")
        return whole(self, platform, keys, posts)

    monkeypatch.setattr(AccountAuditor, "_audit", tight)
    out = tmp_path / "halves.parquet"
    assert audit_corpus(demo.store, out, jobs=1).accounts == 50
    assert max(sizes) > 1 and sizes.count(1) == 50
    assert table(out) == demo_rows


def test_beyond_the_memory_limit_it_spills_and_gives_the_same_table(spilling: Corpus, tmp_path: Path) -> None:
    """100,000 posts under a 64 MB limit (``PARLONS_MEMORY_LIMIT``, the setting the CLI reads): the
    routing spills to DuckDB's temporary files, each worker gets at least 64 MB, and the table equals
    the one a roomy run gives, cell for cell."""
    roomy = tmp_path / "roomy.parquet"
    assert audit_corpus(spilling.store, roomy, jobs=2).accounts == SPILL_USERS + 3
    con = open_posts(spilling.store)
    con.execute("SET memory_limit = '64MB'")
    con.execute("SET threads = 1")  # as the engine does under a small limit
    select_accounts(con)
    _route(con)
    spilled = con.execute("SELECT coalesce(sum(size), 0) FROM duckdb_temporary_files()").fetchall()[0][0]
    con.close()
    assert spilled > 10 * 2**20
    runner = CliRunner(env={"LANG": "en_US.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None,
                            "PARLONS_MEMORY_LIMIT": "64MB"})
    tight = tmp_path / "tight.parquet"
    result = runner.invoke(cli, ["audit", "--all-accounts", "--store", str(spilling.store), "-o", str(tight),
                                 "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert table(tight) == table(roomy)


def test_cli_all_accounts(demo: Corpus, tmp_path: Path) -> None:
    runner = CliRunner(env={"LANG": "en_US.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None})
    out = tmp_path / "a.parquet"
    result = runner.invoke(cli, ["audit", "--all-accounts", "--store", str(demo.store), "-o", str(out),
                                 "--min-posts", "5", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == f"8 accounts audited: {out}\n"
    assert [r[0] for r in duckdb.sql(f"SELECT account FROM '{out}' WHERE platform = 'mastodon'").fetchall()] == [
        "@mediatheques@social.kerbrat.example"]


@pytest.mark.parametrize(("args", "message"), [
    (["audit", "--all-accounts", "x", "-o", "a.csv"], "give no ACCOUNT, --vs, --with, --name or --json"),
    (["audit", "--all-accounts"], "--all-accounts needs -o FILE (.parquet or .csv)"),
    (["audit"], "Missing argument 'ACCOUNT'."),
    (["audit", "org", "--engine", "spark"], "go with --all-accounts"),
])
def test_cli_usage_errors(args: list[str], message: str) -> None:
    runner = CliRunner(env={"LANG": "en_US.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None})
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output


def test_missing_pyspark_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(UsageError, match=r"pip install 'parlons\[spark\]'"):
        require_pyspark()


def test_every_column_is_in_the_metric_dictionary(demo_rows: list[dict[str, Any]]) -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "metrics.md").read_text(encoding="utf-8")
    section = page.split("## Columns of the all-accounts table\n")[1].split("\n## ")[0]
    names = re.findall(r"`([a-z0-9_{}]+)`", section)
    documented = [re.sub(r"\\\{\w+\\\}", r"[a-z_]+", re.escape(name)) for name in names]
    columns = list(demo_rows[0])
    figures = {c for c in columns if f"{c}_n" in columns}
    for column in columns:
        base = re.sub(r"_(n|rank|percentile)$", "", column)
        name = base if base in figures else column
        assert any(re.fullmatch(pattern, name) for pattern in documented), column
    assert {f"{f}_{s}" for f in figures for s in ("rank", "percentile")} <= set(columns)


BROADCAST = ("broadcast_posts", "broadcast_duplicated_share", "broadcast_duplicated_share_n",
             "broadcast_automated_share")


def test_accounts_sharing_a_text_meet_the_owners_posts_once(shared_texts: Corpus, tmp_path: Path) -> None:
    """800 accounts post one canned answer 4 times (conftest.build_shared_texts): each canned post is a
    duplicate; the first of each account follows, 7 minutes earlier on the other platform, the last
    canned post of the account before it when that one is an owner (a cross-post, the third kind of
    evidence besides links only and silence: automated). The same figures as the single audit, and a
    batch's work is its own posts: its duplicate keys are its accounts' posts, no owner's post."""
    out = tmp_path / "shared.parquet"
    assert audit_corpus(shared_texts.store, out, jobs=2).accounts == SHARED_ACCOUNTS
    rows = {r["account"]: r for r in table(out)}
    for i in range(SHARED_ACCOUNTS):
        follows_an_owner = i >= 1 and (i - 1) % 4 != 3
        assert tuple(rows[f"acct{i}"][k] for k in BROADCAST) == (5, 0.8, 5, 0.2 if follows_an_owner else 0.0), i
    con = open_posts(shared_texts.store)
    for name in ("x:acct0", "bluesky:acct1", "x:acct4", "bluesky:acct3", "x:acct798"):
        single = flatten_audit(run_audit(con, [name])[0])
        assert {k: single[k] for k in BROADCAST} == {k: rows[name.split(":")[1]][k] for k in BROADCAST}, name
    select_accounts(con)
    _route(con)
    platform, keys, posts = next(batches(_groups(con)))
    auditor = AccountAuditor(AuditJob(corpus_facts(con, CORPUS_FACTS)))
    con.close()
    try:
        assert len(auditor.audit(platform, keys, posts)) == len(keys) == 400
        counts = auditor.con.execute("SELECT (SELECT count(*) FROM dupkeys), (SELECT count(*) FROM dupgroups)")
        assert counts.fetchall() == [(5 * 400, 400)]  # the accounts' own posts; one duplicated text each
    finally:
        auditor.close()


def test_progress_advances_by_the_batches_audited(shared_texts: Corpus, tmp_path: Path) -> None:
    """The bar's total is the accounts to audit; it advances as each batch's rows are written (one batch
    per platform here: 400 accounts of Bluesky, then 400 of X)."""
    totals: list[int] = []
    ticks: list[int] = []

    def start(total: int) -> Callable[[int], None]:
        totals.append(total)
        return ticks.append

    audit_corpus(shared_texts.store, tmp_path / "a.parquet", jobs=2, progress=start)
    assert (totals, ticks) == ([SHARED_ACCOUNTS], [400, 400])


def test_a_batch_sent_to_a_worker_pickles_to_its_own_size() -> None:
    """Accounts cut out of the stream's record batches are slices; a batch is made contiguous, so what
    goes to a worker is its own posts, not every record batch they were cut from."""
    import pickle

    import pyarrow as pa

    stream = [pa.record_batch({"route_platform": ["x"] * 8192, "route_key": [f"a{i // 80:03d}" for i in range(8192)],
                               "text": ["t" * 100] * 8192})]
    [(platform, keys, posts)] = list(batches(groups(stream)))
    assert (platform, len(keys), posts.num_rows) == ("x", 103, 8192)
    assert len(pickle.dumps(posts)) < 2 * posts.nbytes


def test_languages_tied_in_posts_give_the_same_columns_in_any_order(tmp_path: Path) -> None:
    """Real twarc2 captures (DocNow/twarc-csv's brexit/kpop, 2,000 accounts): an author with one Romanian
    and one French post had its languages in one order on DuckDB, the other on Spark (tied counts come
    in any order), and the two tables' columns differed in order (``voice_languages_fr`` before or after
    ``voice_languages_ro``)."""
    one = {"voice": {"note": "reposts are left out", "languages": {"ro": 1, "fr": 1, "en": 3}}}
    other = {"voice": {"note": "reposts are left out", "languages": {"en": 3, "fr": 1, "ro": 1}}}
    assert list(flatten_audit(one)) == list(flatten_audit(other)) == [
        "voice_languages_en", "voice_languages_fr", "voice_languages_ro"]
    columns = []
    for name, first in (("a", one), ("b", other)):
        figures = tmp_path / f"{name}.parquet"
        rows = [("x", "acct1", orjson.dumps({"account": "acct1", **flatten_audit(first)}).decode()),
                ("x", "acct2", orjson.dumps({"account": "acct2", "voice_languages_de": 2}).decode())]
        pq.write_table(pa.Table.from_pylist([dict(zip(FIGURES_SCHEMA.names, r, strict=True)) for r in rows],
                                            FIGURES_SCHEMA), figures)
        write_table(str(figures), tmp_path / f"{name}.csv", memory_limit="256MB", temp_dir=tmp_path)
        columns.append((tmp_path / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0])
    assert columns[0] == columns[1]


def test_csv_cells_that_begin_like_a_formula_get_a_quote(tmp_path: Path) -> None:
    """Real Mastodon archives (hikurry/Mastodon-archive, dealingwith/masto-archive) name their accounts
    ``@name@server``, and blog commenters name themselves: in the CSV a spreadsheet would run
    ``@...`` or ``=HYPERLINK(...)`` as a formula. The CSV quotes them as ``parlons export`` does; the
    Parquet keeps the values; the rows keep the values' order in both."""
    figures = tmp_path / "figures.parquet"
    rows = [("blog", "=HYPERLINK(\"http://evil.example\")", 1), ("blog", "1 fan", 2), ("blog", "+33 fan", 3),
            ("mastodon", "@alice@social.example", 4)]
    pq.write_table(pa.Table.from_pylist(
        [{"platform": p, "account": a, "figures": orjson.dumps(
            {"account": a, "coverage_own_posts": n, "period_basis": "-" if n == 2 else "own data"}).decode()}
         for p, a, n in rows], FIGURES_SCHEMA), figures)
    write_table(str(figures), tmp_path / "accounts.csv", memory_limit="256MB", temp_dir=tmp_path)
    write_table(str(figures), tmp_path / "accounts.parquet", memory_limit="256MB", temp_dir=tmp_path)
    csv = duckdb.sql(f"SELECT account, coverage_own_posts, period_basis FROM read_csv('{tmp_path / 'accounts.csv'}', "
                     "all_varchar = true)").fetchall()
    assert csv == [("'+33 fan", "3", "own data"), ("1 fan", "2", "'-"), ("'=HYPERLINK(\"http://evil.example\")", "1",
                                                                        "own data"),
                   ("'@alice@social.example", "4", "own data")]
    parquet = duckdb.sql(f"SELECT account FROM '{tmp_path / 'accounts.parquet'}'").fetchall()
    assert parquet == [("+33 fan",), ("1 fan",), ("=HYPERLINK(\"http://evil.example\")",), ("@alice@social.example",)]


def test_min_posts_counts_the_posts_of_the_period(dated: Corpus, tmp_path: Path) -> None:
    """A Grailbird archive (icco, 18,559 posts from 2007) beside 2017 twarc captures: with ``--since
    2017-10-01 --min-posts 20``, accounts with no post in the period were in the table (own posts 0, a
    period ending before it starts), counted by their posts of all dates. Now the posts of the period
    count, its ends included, as the audit counts its own posts."""
    since, until = datetime(2017, 10, 1, tzinfo=UTC), datetime(2017, 10, 31, tzinfo=UTC)
    audit_corpus(dated.store, tmp_path / "all.parquet", jobs=1, since=since, until=until)
    rows = [(r["account"], r["coverage_own_posts"]) for r in table(tmp_path / "all.parquet")]
    assert rows == [("both", 3), ("late", 2)]
    audit_corpus(dated.store, tmp_path / "three.parquet", jobs=1, min_posts=3, since=since, until=until)
    assert [r["account"] for r in table(tmp_path / "three.parquet")] == ["both"]
    audit_corpus(dated.store, tmp_path / "undated.parquet", jobs=1, min_posts=3)
    assert [(r["account"], r["coverage_own_posts"]) for r in table(tmp_path / "undated.parquet")] == [
        ("both", 8), ("early", 6)]


def test_facebook_and_linkedin_names_keep_their_capitals(named: Corpus, tmp_path: Path) -> None:
    """A real Facebook export (angad_your_posts_1.json, owner 'Angad Singh') and a LinkedIn export (sanand0's
    Shares.csv, 'Anand S') in one store: the all-accounts audit stopped with "no posts by 'facebook:angad
    singh'": it named each account by its lower-cased key, and the audit compares a Facebook or LinkedIn
    name exactly. Each account is now audited under its spelling with the most posts, as ``parlons audit``
    takes it: every row is that audit."""
    out = tmp_path / "named.parquet"
    audit_corpus(named.store, out, jobs=1)
    rows = table(out)
    assert [(r["platform"], r["account"], r["coverage_own_posts"], r["responsiveness_requests"],
             r["responsiveness_answered"], r["responsiveness_median_first_response_s_n"]) for r in rows] == [
        ("blog", "fan", 2, 0, 0, 0), ("blog", "İzmir Büyükşehir", 2, 1, 1, 1), ("blog", "ΔΗΜΟΣ ΑΘΗΝΑΙΩΝ", 3, 1, 1, 1),
        ("facebook", "Mairie de Brest", 4, 1, 1, 1), ("facebook", "fan", 1, 0, 0, 0),
        ("linkedin", "Anand S", 3, None, None, None), ("x", "AppleSupport", 2, None, None, None)]
    con = open_posts(named.store)
    for row in rows:
        single = flatten_audit(run_audit(con, [f"{row['platform']}:{row['account']}"])[0])
        assert {k: row[k] for k in single} == single
    con.close()
