"""Import benchmark: posts per second and peak memory per importer, against DuckDB's bare read.

Usage::

    python benchmarks/bench_import.py --posts 1000000
    python benchmarks/bench_import.py --posts 200000 --only generic-jsonl "generic-jsonl, imported again"

Each case runs in a fresh child process (so its peak RSS is its own) and imports into a fresh
store file. The reference is DuckDB's own ``read_json`` of the same JSONL, materialized into a
table in the same kind of child. Inputs are generated once into ``benchmarks/data/``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

GENERIC_MAP = ("--format", "generic-jsonl", "--map", "post_id=id", "--map", "account=user", "--map", "created_at=ts",
               "--map", "text=body", "--map", "in_reply_to_id=reply_to", "--map", "lang=lang",
               "--map", "like_count=likes")
CASES = {
    "duckdb-bare-read-json (generic.jsonl)": ("bare", "generic.jsonl"),
    "duckdb read-json to file (generic.jsonl)": ("bare-file", "generic.jsonl"),
    "generic-jsonl": ("import", "generic.jsonl", *GENERIC_MAP),
    "duckdb-bare-read-json (twarc.jsonl)": ("bare", "twarc.jsonl"),
    "duckdb read-json to file (twarc.jsonl)": ("bare-file", "twarc.jsonl"),
    "twitter-api (twarc2 flat)": ("import", "twarc.jsonl"),
    "x-archive": ("import", "x-archive"),
    "mastodon-archive": ("import", "mastodon"),
    "twitter-api, imported again": ("reimport", "twarc.jsonl"),
    "generic-jsonl, imported again": ("reimport", "generic.jsonl", *GENERIC_MAP),
}


def generate(data: Path, n: int) -> None:
    data.mkdir(parents=True, exist_ok=True)
    stamp = data / f".generated-{n}"
    if stamp.exists():
        return
    for old in data.glob(".generated-*"):
        old.unlink()
    synth.write_generic_jsonl(data / "generic.jsonl", n)
    synth.write_twarc_jsonl(data / "twarc.jsonl", n)
    synth.write_x_archive(data / "x-archive", n)
    synth.write_mastodon(data / "mastodon", n)
    stamp.touch()


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    """User and system CPU time of this process so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, target: str, args: list[str], memory_limit: str | None) -> dict[str, float]:
    """One case; the clock starts once the modules are loaded (for the bare read as for parlons)."""
    import duckdb

    if kind in ("bare", "bare-file"):  # bare-file: the same, written to a database file as a store is
        with tempfile.TemporaryDirectory() as tmp:
            start, cpu = time.perf_counter(), cpu_seconds()
            con = duckdb.connect(":memory:" if kind == "bare" else str(Path(tmp) / "bare.duckdb"))
            con.execute(f"CREATE TABLE t AS SELECT * FROM read_json('{target}')")
            rows = con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
            con.close()
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    else:
        from parlons.cli import main

        with tempfile.TemporaryDirectory() as tmp:
            store = str(Path(tmp) / "bench.duckdb")
            if kind == "reimport":  # the first import is not timed: the figure is the second one's
                main(["import", target, *args, "--store", store, "-q"])
            start, cpu = time.perf_counter(), cpu_seconds()
            main(["import", target, *args, "--store", store, "-q"])
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu
            rows = duckdb.connect(store, read_only=True).execute("SELECT count(*) FROM posts").fetchone()[0]  # type: ignore[index]
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows, "peak_rss_mb": peak_mb()}


def run_case(name: str, spec: tuple[str, ...], data: Path) -> dict[str, float | str]:
    kind, target, *args = spec
    cmd = [sys.executable, __file__, "--child", kind, str(data / target), *args]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["posts_per_s"] = result["rows"] / result["seconds"]
    return {"case": name, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        kind, target, *rest = opts.child
        print(json.dumps(child(kind, target, rest, None)))
        return
    generate(opts.data, opts.posts)
    results = [run_case(n, s, opts.data) for n, s in CASES.items() if not opts.only or n in opts.only]
    print(f"{'case':40} {'posts':>10} {'seconds':>8} {'posts/s':>10} {'peak MB':>8}")
    for r in results:
        print(f"{r['case']:40} {r['rows']:>10,} {r['seconds']:>8.2f} {r['posts_per_s']:>10,.0f} "
              f"{r['peak_rss_mb']:>8.0f}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"import-{opts.posts}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
