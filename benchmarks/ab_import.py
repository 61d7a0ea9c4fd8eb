"""Two versions of parlons importing the same file, alternated, so that a busy moment touches both alike.

Usage::

    git worktree add /tmp/before <commit>
    python benchmarks/ab_import.py --before /tmp/before/src --after src --rounds 4 \
        -- /data/generic.jsonl --format generic-jsonl --map post_id=id ...

Each round runs, for each side in turn, ``parlons import`` of the arguments into a fresh store, then
(with ``--reimport``) the same import again into that store. A side is a source tree put first on
``PYTHONPATH``; both run with this interpreter and its packages. Each figure is the child process's
own: wall seconds from its start (the interpreter's start and the modules' loading included, their
compiled form cached as an installed parlons has it: see ``compiled.py``), CPU
seconds (user and system, every thread) and peak resident memory. The table gives the median of the
rounds with their min-max.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compiled import compiled_env, warm


def run(tree: str, args: list[str], store: Path) -> tuple[float, float, float]:
    """One ``parlons import`` in a child process: wall s, CPU s, peak MB."""
    env = {**compiled_env(), "PYTHONPATH": str(Path(tree).resolve())}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "parlons", "import", *args, "--store", str(store), "-q"],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: parlons import failed ({done.returncode}): {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024  # the largest child so far: each side's own is checked below


def peak_of(tree: str, args: list[str], store: Path) -> tuple[float, float, float]:
    """:func:`run` in a fresh helper process, so that the peak is this import's alone."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from ab_import import run; from pathlib import Path; "
            "print(json.dumps(run(sys.argv[2], sys.argv[4:], Path(sys.argv[3]))))")
    done = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), tree, str(store), *args],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip() or done.stdout.strip())
    wall, cpu, peak = (float(x) for x in done.stdout.strip().strip("[]").split(","))
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the source tree (the folder holding parlons/) measured first")
    parser.add_argument("--after", required=True, help="the source tree measured second")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--reimport", action="store_true", help="also import the same file again")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="after --: what `parlons import` is given")
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    cases = ["import", "reimport"] if options.reimport else ["import"]
    figures: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for tree in (options.before, options.after):
        warm({**compiled_env(), "PYTHONPATH": str(Path(tree).resolve())})
    with tempfile.TemporaryDirectory(prefix="ab-import-") as folder:
        for round_ in range(1, options.rounds + 1):
            for side, tree in (("before", options.before), ("after", options.after)):
                store = Path(folder) / f"{side}-{round_}.duckdb"
                for case in cases:
                    result = peak_of(tree, args, store)
                    figures.setdefault((side, case), []).append(result)
                    print(f"  round {round_} {side:6s} {case:8s} {result[0]:6.2f} s {result[1]:6.2f} cpu "
                          f"{result[2]:6.0f} MB", flush=True)
                store.unlink(missing_ok=True)
                store.with_name(store.name + ".wal").unlink(missing_ok=True)
    print(f"\nMedian of {options.rounds} rounds (min–max); wall and CPU seconds, peak MB of the import's process.\n")
    print("| case | side | wall s | CPU s | peak MB |\n|---|---|---|---|---|")
    for case in cases:
        for side in ("before", "after"):
            rows = figures[(side, case)]
            cells = []
            for i, digits in ((0, 2), (1, 2), (2, 0)):
                values = [r[i] for r in rows]
                low, mid, high = (f"{v:.{digits}f}" for v in (min(values), statistics.median(values), max(values)))
                cells.append(f"{mid} ({low}–{high})")
            print(f"| {case} | {side} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
