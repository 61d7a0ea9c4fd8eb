"""All-accounts audit benchmark: DuckDB and Spark (local) on generated corpora, time, memory, parity.

Usage::

    python benchmarks/bench_corpus.py --posts 1000000 --users 1000 --engines duckdb spark
    python benchmarks/bench_corpus.py --posts 10000000 --users 2000

Each size gets a generated store (``benchmarks/corpus.py``: three organizations, ``--users``
people, replies, mentions, reposts, duplicates; one reply in ``--one-in`` to an organization) and
its Parquet export (what Spark reads). Each engine runs ``parlons.corpus.audit_corpus`` in a fresh
child process; the peak memory is the largest sum of the resident memory of that process and all
its descendants (DuckDB workers, the JVM, Spark's Python workers), sampled every 0.2 s; the CPU
time is the sum over that process and its descendants of their user and system time, as last
sampled (a process that lives less than 0.2 s is missed). When both
engines ran, their tables are compared cell for cell. The machine's load (``/proc/loadavg``) is
noted before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def tree_usage(pid: int, cpu: dict[int, float]) -> float:
    """Resident memory of ``pid`` and its descendants, in MB; ``cpu`` gets each one's CPU seconds so far."""
    children: dict[int, list[int]] = {}
    stats: dict[int, tuple[int, float]] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            stats[int(entry.name)] = (int(fields[21]) * os.sysconf("SC_PAGE_SIZE"),
                                      (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        rss, seconds = stats.get(current, (0, 0.0))
        total += rss
        cpu[current] = max(cpu.get(current, 0.0), seconds)
        todo.extend(children.get(current, []))
    return total / 2**20


def run_child(engine: str, source: Path, output: Path, memory_limit: str) -> dict[str, float]:
    code = ("import sys, time; from parlons.corpus import audit_corpus\n"
            "if __name__ == '__main__':\n"
            "    t = time.perf_counter()\n"
            f"    r = audit_corpus({str(source)!r}, {str(output)!r}, engine={engine!r}, spark_master='local[2]')\n"
            "    print(r.accounts, time.perf_counter() - t)\n")
    script = output.with_suffix(".py")
    script.write_text(code)
    env = {**os.environ, "PARLONS_MEMORY_LIMIT": memory_limit}
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    peak = [0.0]
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.2):
            peak[0] = max(peak[0], tree_usage(process.pid, cpu))

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    out, err = process.communicate()
    stop.set()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{err[-3000:]}")
    accounts, seconds = out.split()[-2:]
    return {"accounts": int(accounts), "seconds": float(seconds), "cpu_s": sum(cpu.values()), "peak_mb": peak[0]}


def same_tables(a: Path, b: Path) -> dict[str, object]:
    """Rows that differ (both ways) on the columns the tables share, and the columns only one has."""
    import duckdb

    con = duckdb.connect()
    columns = [[d[0] for d in con.sql(f"SELECT * FROM '{p}'").description] for p in (a, b)]
    shared = ", ".join('"' + c + '"' for c in columns[0] if c in columns[1])
    query = "SELECT count(*) FROM (SELECT {c} FROM '{x}' EXCEPT ALL SELECT {c} FROM '{y}')"
    differing = sum(con.execute(query.format(c=shared, x=x, y=y)).fetchall()[0][0] for x, y in ((a, b), (b, a)))
    return {"differing_rows": differing, "only_in_one": sorted(set(columns[0]) ^ set(columns[1]))}


def prepare(data: Path, n: int, users: int, one_in: int) -> tuple[Path, Path, dict[str, float]]:
    from corpus import build_corpus
    from parlons.store import Store

    store = data / f"accounts-{n}-{users}-{one_in}.duckdb"
    export = store.with_suffix(".export")
    if not store.exists():
        partial = store.with_suffix(".partial")
        build_corpus(partial, n, one_in=one_in, users=users)
        partial.rename(store)
    if not export.exists():
        with Store(store, read_only=True) as opened:
            opened.export(export, "parquet")
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    row = con.execute("""SELECT count(*), count(DISTINCT account),
                                (SELECT count(*) FROM posts, unnest(mentions)) FROM posts""").fetchone()
    con.close()
    assert row is not None
    return store, export, {"posts": row[0], "authors": row[1], "mentions": row[2]}


def steps(store: Path, sample_every: int = 5) -> dict[str, float]:
    """Each step of the DuckDB engine on its own, in this process: wall and CPU seconds, copies per post.

    The audit is timed on every ``sample_every``-th batch of accounts (a batch is audited in one pass)."""
    import itertools

    from parlons.audit import CORPUS_FACTS, corpus_facts, open_posts
    from parlons.corpus.account import AccountAuditor, AuditJob
    from parlons.corpus.local import _groups, _route, batches
    from parlons.corpus.route import select_accounts

    con = open_posts(store)
    clock = (time.perf_counter(), time.process_time())
    accounts = select_accounts(con)
    job = AuditJob(corpus_facts(con, CORPUS_FACTS))
    facts = (time.perf_counter() - clock[0], time.process_time() - clock[1])
    clock = (time.perf_counter(), time.process_time())
    _route(con)
    routed = (time.perf_counter() - clock[0], time.process_time() - clock[1])
    posts, copies = con.execute("SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM routed)").fetchall()[0]
    clock = (time.perf_counter(), time.process_time())
    sample = list(itertools.islice(batches(_groups(con)), 0, None, sample_every))
    streamed = (time.perf_counter() - clock[0], time.process_time() - clock[1])
    auditor = AccountAuditor(job)
    cpu, audited = 0.0, 0
    for platform, keys, table in sample:
        started = time.process_time()
        auditor.audit(platform, keys, table)
        cpu += time.process_time() - started
        audited += len(keys)
    return {"posts": posts, "accounts": accounts, "routed_rows": copies, "copies_per_post": copies / posts,
            "facts_wall_s": facts[0], "facts_cpu_s": facts[1],
            "route_wall_s": routed[0], "route_cpu_s": routed[1], "stream_wall_s": streamed[0],
            "stream_cpu_s": streamed[1], "sampled_batches": len(sample), "sampled_accounts": audited,
            "audit_cpu_s_per_account": cpu / audited, "accounts_per_cpu_s": audited / cpu,
            "largest_batch_posts": max(t.num_rows for _, _, t in sample)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--one-in", type=int, default=30)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--steps", action="store_true",
                        help="time each step of the DuckDB engine (CPU seconds, a sample of batches) instead")
    opts = parser.parse_args()
    opts.data.mkdir(parents=True, exist_ok=True)
    if opts.steps:
        for n in opts.posts:
            store, _, _ = prepare(opts.data, n, opts.users, opts.one_in)
            print(json.dumps(steps(store), indent=2))
        return
    results = []
    for n in opts.posts:
        store, export, sizes = prepare(opts.data, n, opts.users, opts.one_in)
        result: dict[str, object] = {**sizes, "users": opts.users, "one_in": opts.one_in, "cores": os.cpu_count(),
                                     "memory_limit": opts.memory_limit}
        outputs = {}
        for engine in opts.engines:
            outputs[engine] = opts.data / f"accounts-{n}-{opts.users}-{engine}.parquet"
            load = Path("/proc/loadavg").read_text().split()[:3]
            measured = run_child(engine, store if engine == "duckdb" else export, outputs[engine], opts.memory_limit)
            measured["load_before"] = " ".join(load)
            measured["load_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            measured["posts_per_s_per_core"] = n / measured["seconds"] / (os.cpu_count() or 1)
            measured["posts_per_cpu_s"] = n / measured["cpu_s"]
            measured["accounts_per_cpu_s"] = measured["accounts"] / measured["cpu_s"]
            result[engine] = measured
            print(json.dumps({"posts": n, engine: measured}), file=sys.stderr)
        if len(outputs) == 2:
            result["same_table"] = same_tables(*outputs.values())
        results.append(result)
    print(json.dumps(results, indent=2))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "corpus.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
