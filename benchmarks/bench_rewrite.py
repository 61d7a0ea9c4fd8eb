"""What writing a scratch file costs: into a new file, into one removed seconds before, over its own bytes.

Usage::

    python benchmarks/bench_rewrite.py --mb 512 --waits 0 1 3 6 --dir /tmp

An import that cuts a file into scratch parts (a Mastodon outbox) writes as many bytes as it reads.
Where those bytes land decides what they cost: pages of the system's file cache that the process
already used, or new ones. On a virtual machine that gives freed memory back to its host (a balloon
with free page reporting, as on Firecracker), a page freed is handed back a second or two later,
and using a new page again costs the host's work, which the guest sees as a slow copy. The script
writes ``--mb`` megabytes into a new file; removes it and writes a new one after each of ``--waits``
seconds; then writes over the same file in place after each wait. Seconds and CPU seconds of each.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

BLOCK = 1 << 22


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write(path: Path, blocks: int, mode: str) -> tuple[float, float]:
    """Seconds and CPU seconds to write ``blocks`` blocks into ``path`` (``wb``: new; ``r+b``: over it)."""
    data = b"x" * BLOCK
    start, cpu = time.perf_counter(), cpu_seconds()
    with open(path, mode, buffering=0) as out:
        for _ in range(blocks):
            out.write(data)
        out.truncate()
    return time.perf_counter() - start, cpu_seconds() - cpu


def show(case: str, measured: tuple[float, float]) -> None:
    print(f"{case:40} {measured[0]:8.2f} {measured[1]:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=512)
    parser.add_argument("--waits", type=float, nargs="+", default=[0, 1, 3, 6])
    parser.add_argument("--dir", type=Path, default=None, help="where the scratch file goes (default: the temp dir)")
    opts = parser.parse_args()
    blocks = max(1, opts.mb * (1 << 20) // BLOCK)
    with tempfile.TemporaryDirectory(prefix="bench-rewrite-", dir=opts.dir) as folder:
        path = Path(folder) / "part.jsonl"
        print(f"{'case':40} {'seconds':>8} {'CPU s':>8}")
        show("new file", write(path, blocks, "wb"))
        for wait in opts.waits:
            path.unlink()
            time.sleep(wait)
            show(f"new file, {wait:g} s after removing one", write(path, blocks, "wb"))
        for wait in opts.waits:
            time.sleep(wait)
            show(f"over its own bytes, after {wait:g} s", write(path, blocks, "r+b"))
        os.sync()


if __name__ == "__main__":
    main()
