"""Import speed and memory for every JSON format, against DuckDB's bare read of the same file.

Usage::

    python benchmarks/bench_formats.py --posts 1000000 --runs 5 --out table.md
    python benchmarks/bench_formats.py --posts 1000000 --runs 2 --formats mastodon x-archive
    python benchmarks/bench_formats.py --posts 10000000 --runs 3 --formats twarc2

For each format (twarc2, twarc2-pages, v1.1, jsonl, x-archive, mastodon, jetstream) a realistic
file of ``--posts`` records is generated once into ``--data`` (``gen_formats.py``: DuckDB writes it,
streamed, so 10 M posts fit in no memory), written out to disk and read once unmeasured. Then,
``--runs`` times and interleaved so that a busy moment of the machine touches every case alike, each
in a fresh child process:

- **bare read**: DuckDB's ``read_json`` of the file (auto-detected, as an analyst would call it)
  into a table in memory, and into a database file (``CREATE TABLE t AS SELECT * FROM read_json(…)``);
- **import**: ``parlons import`` of the file into a fresh store (default settings, ``-q``);
- **re-import**: ``parlons import`` of the same file again into that store (every post already there).

Seconds run from the start of the work once the modules are loaded (for the bare read as for
parlons); the peak is the child's resident high-water mark (VmHWM, DuckDB's threads included).
The table gives the median of the runs with their min–max, the ratio of the median to the median
bare read in memory, the load average seen before the runs (the machine is shared: a load above
the number of cores means the figures are slower than a quiet machine's), and the machine. A
second table gives the CPU seconds of each case (user and system, every thread): on a busy
machine they move much less than the clock, so their ratios say what a change did.

An X archive's files start with ``window.YTD.tweets.part0 =``, which no JSON reader takes: its
bare read reads the same arrays without that prefix. A Mastodon outbox is one JSON object whose
``orderedItems`` hold every activity (one value of a gigabyte): its bare read reads the same activities
as JSON lines, which DuckDB reads on every core. DuckDB can read the outbox itself too, given a
``maximum_object_size`` as large as the file, on one thread and holding the whole value: that read of the
very file the import reads is a fifth case, **own file**, run for Mastodon while the file is below a tenth
of the machine's memory (a 1.75 GB outbox held 9.3 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_formats  # noqa: E402
from compiled import compiled_env, warm  # noqa: E402

CASES = ("bare", "bare-file", "import", "reimport", "own-file")
LABELS = {"bare": "bare read (memory)", "bare-file": "bare read (file)", "import": "import",
          "reimport": "re-import", "own-file": "DuckDB's read of the outbox itself"}
OWN_FILE_SHARE = 10
"""The own-file read runs while the outbox is below 1/OWN_FILE_SHARE of the machine's memory."""


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, target: str, store: str, args: list[str]) -> dict[str, Any]:
    """One case in this (child) process; the clock starts once the modules are loaded."""
    import duckdb

    cpu = _cpu()
    if kind in ("bare", "bare-file"):
        files = json.loads(target)
        fmt = ", format = 'array'" if files[0].endswith(".json") else ""
        start = time.perf_counter()
        con = duckdb.connect(":memory:" if kind == "bare" else store)
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_json({files!r}{fmt})")
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
        con.close()
        seconds = time.perf_counter() - start
    elif kind == "own-file":
        start = time.perf_counter()
        con = duckdb.connect(":memory:")
        size = Path(target).stat().st_size + (1 << 20)
        con.execute(f"CREATE TABLE t AS SELECT unnest(orderedItems) AS activity FROM read_json({target!r}, "
                    f"maximum_object_size = {size})")
        rows = con.execute("SELECT count(*) FROM t").fetchone()[0]  # type: ignore[index]
        con.close()
        seconds = time.perf_counter() - start
    else:
        from parlons.cli import main

        start = time.perf_counter()
        main(["import", target, *args, "--store", store, "-q"])  # exits (non-zero) only on failure
        seconds = time.perf_counter() - start
        con = duckdb.connect(store, read_only=True)
        rows = con.execute("SELECT count(*) FROM posts").fetchone()[0]  # type: ignore[index]
        con.close()
    return {"seconds": seconds, "cpu": _cpu() - cpu, "rows": rows, "peak_mb": peak_mb()}


def _cpu() -> float:
    """CPU seconds (user and system, every thread) this process has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_child(kind: str, target: str, store: Path, args: tuple[str, ...]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, target, str(store), *args]
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=compiled_env())
    if out.returncode:
        return {"error": _failure(out.stderr or out.stdout)}
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def bench_format(fmt: str, folder: Path, n: int, runs: int) -> dict[str, Any]:
    """Generate the file (once), then run every case ``runs`` times, interleaved."""
    started = time.perf_counter()
    try:
        bare = gen_formats.generate(fmt, folder, n)
    except Exception as exc:  # reported in the table; the other formats still run
        failed = {"error": f"generating the file: {str(exc).splitlines()[0][:200]}"}
        return {"format": fmt, "posts": n, "file_mb": 0.0, "generated_s": 0.0, "load": [os.getloadavg()[0]],
                "runs": {case: [failed] if case == "import" else [] for case in CASES}}
    generated = time.perf_counter() - started
    target = folder / gen_formats.IMPORT_TARGET[fmt]
    args = gen_formats.IMPORT_ARGS.get(fmt, ())
    files = [f for f in (target.rglob("*") if target.is_dir() else [target]) if f.is_file()]
    size = sum(f.stat().st_size for f in files)
    warm_up([*bare, *files])
    warm(compiled_env())
    results: dict[str, list[dict[str, Any]]] = {case: [] for case in CASES}
    loads = []
    for run in range(runs):
        loads.append(os.getloadavg()[0])
        with tempfile.TemporaryDirectory(prefix="bench-formats-", dir=folder) as tmp:
            store = Path(tmp) / "store.duckdb"
            results["bare"].append(run_child("bare", json.dumps([str(p) for p in bare]), Path(tmp) / "x", ()))
            results["bare-file"].append(run_child("bare-file", json.dumps([str(p) for p in bare]),
                                                  Path(tmp) / "bare.duckdb", ()))
            results["import"].append(run_child("import", str(target), store, args))
            if "error" not in results["import"][-1]:
                results["reimport"].append(run_child("reimport", str(target), store, args))
            if fmt == "mastodon" and size * OWN_FILE_SHARE < _memory_bytes():
                results["own-file"].append(run_child("own-file", str(target / "outbox.json"), Path(tmp) / "x", ()))
        print(f"  {fmt} run {run + 1}/{runs}: " + ", ".join(
            f"{case} {_brief(results[case][-1])}" for case in CASES if results[case]), file=sys.stderr)
    return {"format": fmt, "posts": n, "file_mb": size / 1e6, "generated_s": generated,
            "load": loads, "runs": results}


def _memory_bytes() -> int:
    return next(int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal"))


def warm_up(files: list[Path]) -> None:
    """Write out what generating left dirty, then read every file once, unmeasured.

    The first run after a file is written otherwise competes with the kernel writing it out, and
    reads it from disk where the next runs find it in the page cache: one slow first run in five.
    """
    os.sync()
    buffer = bytearray(1 << 23)
    for path in files:
        with open(path, "rb", buffering=0) as stream:
            while stream.readinto(buffer):
                pass


def _failure(stderr: str) -> str:
    """The line of a child's error output that says what failed (DuckDB ends its message with a
    line of the query and a caret line under it; Python with the exception's line)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    said = [line for line in lines if "Error" in line or "error" in line]
    return (said[-1] if said else lines[-1] if lines else "no output")[:300]


def _brief(result: dict[str, Any]) -> str:
    if "error" in result:
        return "FAILED"
    return f"{result['seconds']:.1f}s/{result['cpu']:.1f}cpu/{result['peak_mb']:.0f}MB"


def summary(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def machine() -> str:
    import duckdb

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory = _memory_bytes() / 1024**3
    commit = subprocess.run(["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GB RAM, Linux {platform.release()}, "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, parlons at {commit or '?'}")


def cell(results: list[dict[str, Any]], key: str, fmt: str) -> str:
    values = [r[key] for r in results if "error" not in r]
    if not values:
        return "failed" if results else "–"
    mid, low, high = summary(values)
    return fmt.format(mid) + (f" ({fmt.format(low)}–{fmt.format(high)})" if len(values) > 1 else "")


def ratio(results: list[dict[str, Any]], reference: list[dict[str, Any]], key: str = "seconds") -> str:
    values = [r[key] for r in results if "error" not in r]
    bare = [r[key] for r in reference if "error" not in r]
    return f"{statistics.median(values) / statistics.median(bare):.1f}x" if values and bare else "–"


def table(rows: list[dict[str, Any]], runs: int, command: str, when: str = "") -> str:
    lines = [
        f"Median of {runs} run(s), (min–max); seconds from the start of the work, peak resident MB of the "
        f"child process; ratio = median / median bare read in memory.",
        "",
        "| format | posts | file MB | bare read, memory s | bare read, file s | import s | import / bare | "
        "import peak MB | re-import s | re-import / bare | re-import peak MB | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        r = row["runs"]
        stored = next((f"{x['rows']:,}" for x in r["import"] if "error" not in x), "failed")
        lines.append(
            f"| {row['format']} | {stored} | {row['file_mb']:,.0f} | {cell(r['bare'], 'seconds', '{:.1f}')} "
            f"| {cell(r['bare-file'], 'seconds', '{:.1f}')} | {cell(r['import'], 'seconds', '{:.1f}')} "
            f"| {ratio(r['import'], r['bare'])} | {cell(r['import'], 'peak_mb', '{:.0f}')} "
            f"| {cell(r['reimport'], 'seconds', '{:.1f}')} | {ratio(r['reimport'], r['bare'])} "
            f"| {cell(r['reimport'], 'peak_mb', '{:.0f}')} "
            f"| {min(row['load']):.1f}–{max(row['load']):.1f} |")
    lines += [
        "",
        "CPU seconds (user and system, all threads; steadier than the clock when the machine is shared), "
        "median of the runs; ratio = median / median bare read in memory.",
        "",
        "| format | bare read, memory | bare read, file | import | import / bare | re-import | re-import / bare |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        r = row["runs"]
        lines.append(
            f"| {row['format']} | {cell(r['bare'], 'cpu', '{:.1f}')} | {cell(r['bare-file'], 'cpu', '{:.1f}')} "
            f"| {cell(r['import'], 'cpu', '{:.1f}')} | {ratio(r['import'], r['bare'], 'cpu')} "
            f"| {cell(r['reimport'], 'cpu', '{:.1f}')} | {ratio(r['reimport'], r['bare'], 'cpu')} |")
    own = [row for row in rows if row["runs"].get("own-file")]
    if own:
        lines += ["", "DuckDB's read of the very file the import reads (a Mastodon outbox: one JSON value, "
                  "`read_json(outbox.json, maximum_object_size = <its size>)` then `unnest(orderedItems)`), "
                  "same runs; ratio = median import / median of this read:", "",
                  "| format | own file, memory s | CPU s | peak MB | import / own file |", "|---|---|---|---|---|"]
        for row in own:
            r = row["runs"]
            lines.append(f"| {row['format']} | {cell(r['own-file'], 'seconds', '{:.1f}')} "
                         f"| {cell(r['own-file'], 'cpu', '{:.1f}')} | {cell(r['own-file'], 'peak_mb', '{:.0f}')} "
                         f"| {ratio(r['import'], r['own-file'])} |")
    errors = [f"- {row['format']} {case}: {x['error']}" for row in rows for case in CASES
              for x in row["runs"][case] if "error" in x]
    lines += ["", f"Machine: {machine()}.", "", f"Command: `{command}`" + (f", {when}." if when else "")]
    return "\n".join(lines + (["", *errors] if errors else [])) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--formats", nargs="+", default=list(gen_formats.FORMATS),
                        help=f"formats to measure, among {', '.join(gen_formats.FORMATS)} (commas or spaces)")
    parser.add_argument("--data", type=Path, default=None,
                        help="where the generated files are kept (default: benchmarks/data/formats-<posts>)")
    parser.add_argument("--out", type=Path, help="write the markdown table there too")
    parser.add_argument("--regenerate", action="store_true", help="generate the files again")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        kind, target, store, *rest = opts.child
        print(json.dumps(child(kind, target, store, rest)))
        return
    formats = [f for chunk in opts.formats for f in chunk.split(",") if f]
    unknown = set(formats) - set(gen_formats.FORMATS)
    if unknown:
        parser.error(f"unknown format(s) {', '.join(sorted(unknown))}; known: {', '.join(gen_formats.FORMATS)}")
    folder = opts.data or HERE / "data" / f"formats-{opts.posts}"
    if opts.regenerate:
        shutil.rmtree(folder, ignore_errors=True)
    command = "python benchmarks/bench_formats.py " + " ".join(sys.argv[1:])
    started = time.gmtime()
    rows = [bench_format(fmt, folder, opts.posts, opts.runs) for fmt in formats]
    when = f"{time.strftime('%Y-%m-%d %H:%M', started)}-{time.strftime('%H:%M', time.gmtime())} UTC"
    text = table(rows, opts.runs, command, when)
    print(text)
    if opts.out:
        opts.out.write_text(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"formats-{opts.posts}.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
