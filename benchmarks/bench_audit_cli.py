"""The whole ``parlons audit ACCOUNT --json`` command, start to end, as a person runs it.

Usage::

    python benchmarks/bench_audit_cli.py STORE ACCOUNT [--vs PEER ...] [--runs 5] [--compare OTHER_SRC]

Each run is a fresh process (``python -m parlons audit ... --json``): loading the modules, opening
the store, the audit, the JSON. Wall seconds, CPU seconds (user + system of the child and its
threads) and peak resident memory are measured by the parent (``wait4``). With ``--compare``, the
same command runs with another source tree first on ``PYTHONPATH`` (a checkout of another commit's
``src``), the two interleaved run by run so that a busy machine slows both alike; the JSON both print
must be the same bytes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time


def run_once(cmd: list[str], src: str | None) -> tuple[float, float, float, bytes]:
    """Wall s, CPU s, peak MB and standard output of one run of ``cmd``."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("account")
    parser.add_argument("--vs", action="append", default=[])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", help="another source tree (its src folder) to run interleaved")
    opts = parser.parse_args()
    cmd = [sys.executable, "-m", "parlons", "audit", opts.account, "--store", opts.store, "--json"]
    cmd += [arg for peer in opts.vs for arg in ("--vs", peer)]
    cases = {"this tree": None, **({f"--compare {opts.compare}": opts.compare} if opts.compare else {})}
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
    outputs: dict[str, bytes] = {}
    for _ in range(opts.runs):
        for name, src in reversed(cases.items()):
            wall, cpu, peak, out = run_once(cmd, src)
            results[name].append((wall, cpu, peak))
            outputs.setdefault(name, out)
    print(f"{'case':40} {'wall s':>7} {'CPU s':>7} {'peak MB':>8}  (medians of {opts.runs})")
    for name, rows in results.items():
        wall, cpu, peak = (statistics.median(r[i] for r in rows) for i in range(3))
        print(f"{name[:40]:40} {wall:>7.2f} {cpu:>7.2f} {peak:>8.0f}")
    if len(set(outputs.values())) > 1:
        raise SystemExit("the JSON differs between the two trees")


if __name__ == "__main__":
    main()
