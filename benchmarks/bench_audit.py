"""Audit benchmark: the full audit (one account and two peers) at 1 M and 10 M posts.

Usage::

    python benchmarks/bench_audit.py --posts 1000000 10000000 --memory-limit 1GB

Each size gets a generated store (``benchmarks/corpus.py``) and two measurements, each in a fresh
child process: DuckDB's bare scan of the columns the audit reads (the reference), and
``run_audit(org0, vs org1, org2)``; the ratio and the peak RSS of each are reported.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

BARE_SCAN = """SELECT count(*), max(length("text")), max(len(mentions)), max(created_at)::VARCHAR, max(in_reply_to_id),
                      max(in_reply_to_account), max(account), max(kind), max(platform), max(post_id),
                      max(source), max(len(urls)), max(len(media_kinds)), max(len(hashtags)), max(title),
                      max(lang), max(permalink), max(importer)
               FROM posts"""


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, store: str, memory_limit: str) -> dict[str, float]:
    import duckdb

    start = time.perf_counter()
    con = duckdb.connect(store, read_only=True, config={"memory_limit": memory_limit})
    con.execute("SET TimeZone = 'UTC'")
    if kind == "bare":
        con.execute(BARE_SCAN).fetchall()
    else:
        from parlons.audit import run_audit

        run_audit(con, ["org0", "org1", "org2"], platform="x")
    return {"seconds": time.perf_counter() - start,
            "peak_rss_mb": peak_mb()}


def measure(kind: str, store: Path, memory_limit: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, str(store), memory_limit]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--memory-limit", default="1GB")
    parser.add_argument("--one-in", type=int, default=30,
                        help="one reply in this many goes to an organization (3 = stress test, 30 = realistic)")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(*opts.child)))
        return
    from corpus import build_corpus

    opts.data.mkdir(parents=True, exist_ok=True)
    results = []
    for n in opts.posts:
        store = opts.data / f"corpus-{n}-{opts.one_in}.duckdb"
        if not store.exists():
            started = time.perf_counter()
            partial = store.with_suffix(".partial")
            build_corpus(partial, n, one_in=opts.one_in)
            partial.rename(store)
            print(f"generated {n:,} posts in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        bare, audit = measure("bare", store, opts.memory_limit), measure("audit", store, opts.memory_limit)
        results.append({"posts": n, "one_in": opts.one_in, "memory_limit": opts.memory_limit,
                        "bare_scan_s": bare["seconds"],
                        "bare_peak_mb": bare["peak_rss_mb"], "audit_s": audit["seconds"],
                        "audit_peak_mb": audit["peak_rss_mb"], "ratio": audit["seconds"] / bare["seconds"]})
    print(f"{'posts':>11} {'bare s':>8} {'audit s':>8} {'ratio':>6} {'bare MB':>8} {'audit MB':>9}")
    for r in results:
        print(f"{r['posts']:>11,} {r['bare_scan_s']:>8.2f} {r['audit_s']:>8.2f} {r['ratio']:>6.1f} "
              f"{r['bare_peak_mb']:>8.0f} {r['audit_peak_mb']:>9.0f}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "audit.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
