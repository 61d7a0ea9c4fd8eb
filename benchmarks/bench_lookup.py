"""The lookup of stored keys (``parlons.known``): a batch's keys searched at random, or sorted first.

Usage::

    python benchmarks/bench_lookup.py --stored 1000000 10000000 --batch 50000 --runs 20

A re-import looks each row's 64-bit key hash up among the hashes of the posts stored (a sorted numpy
array, 8 bytes a post) with ``numpy.searchsorted``, a batch at a time. The script builds such an array
of ``--stored`` random hashes, takes ``--batch`` of them at random, and times the search of the batch
in its own order and sorted first (the sort and the scatter back included), the mean of ``--runs``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def lookup_random(stored: np.ndarray, keys: np.ndarray) -> np.ndarray:
    return np.searchsorted(stored, keys)


def lookup_sorted(stored: np.ndarray, keys: np.ndarray) -> np.ndarray:
    order = np.argsort(keys)
    places = np.empty(len(keys), dtype=np.intp)
    places[order] = np.searchsorted(stored, keys[order])
    return places


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    print("| stored keys | in the batch's order, ms | sorted first, ms |\n|---|---|---|")
    for size in args.stored:
        stored = np.sort(rng.integers(0, 2**63, size, dtype=np.uint64))
        keys = stored[rng.integers(0, size, args.batch)]
        timings = []
        for lookup in (lookup_random, lookup_sorted):
            start = time.perf_counter()
            for _ in range(args.runs):
                found = lookup(stored, keys)
            timings.append((time.perf_counter() - start) / args.runs * 1000)
            assert (stored[found] == keys).all()
        print(f"| {size:,} | {timings[0]:.1f} | {timings[1]:.1f} |")


if __name__ == "__main__":
    main()
