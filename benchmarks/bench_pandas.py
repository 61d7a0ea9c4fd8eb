"""The analyst's pandas script against ``parlons import`` then ``parlons audit``, on one twarc2 file.

Usage::

    pip install 'pandas>=2.2'   # a benchmark dependency only, never a runtime one
    python benchmarks/bench_pandas.py --posts 200000
    python benchmarks/bench_pandas.py --posts 1000000 --runs 5

The pandas side is the obvious script: ``pd.read_json(lines=True)`` of the flattened twarc2 file,
then merges and a groupby for one account's responsiveness (requests to it, answered share,
median first response), counting every reply to the account's posts as a request (mentions left
out, nothing classified: the script an analyst writes first); parlons' own count, of the replies
and mentions that ask, is printed beside it. The parlons side is ``parlons import`` into a fresh store,
then ``parlons audit`` of the same account (which computes that and much more). Each side runs in
a fresh child process: seconds from the start of the work, peak resident memory (VmHWM). With
``--runs``, the two sides alternate (so that a slow minute of the machine touches both alike) and
the table gives the median of the runs with their min–max; the ratios are those of the medians.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from bench_import import cpu_seconds, peak_mb  # noqa: E402
from compiled import compiled_env, warm  # noqa: E402

ACCOUNT = "acct8"
"""An account others reply to in the synthetic file (replies go to the tweet just before theirs)."""


def pandas_responsiveness(path: str, account: str) -> dict[str, float]:
    """One account's answered share and median first response, as an analyst would write it."""
    import pandas as pd

    tweets = pd.read_json(path, lines=True, dtype={"id": str, "conversation_id": str})
    tweets["username"] = tweets["author"].map(lambda a: a.get("username") if isinstance(a, dict) else None)
    tweets["reply_to"] = tweets["referenced_tweets"].map(
        lambda refs: next((r["id"] for r in refs if r.get("type") == "replied_to"), None)
        if isinstance(refs, list) else None)
    tweets["created_at"] = pd.to_datetime(tweets["created_at"], utc=True)
    posts = tweets[["id", "username", "reply_to", "created_at"]]
    own = posts[posts["username"] == account]
    requests = posts.merge(own[["id"]], left_on="reply_to", right_on="id", suffixes=("", "_parent"))
    requests = requests[requests["username"] != account]
    answers = own.merge(requests[["id", "created_at"]], left_on="reply_to", right_on="id",
                        suffixes=("", "_request"))
    answers["delay"] = (answers["created_at"] - answers["created_at_request"]).dt.total_seconds()
    first = answers.groupby("id_request")["delay"].min()
    return {"requests": float(len(requests)), "answered": float(len(first)),
            "median_first_response_s": float(first.median()) if len(first) else float("nan")}


def child(kind: str, target: str) -> dict[str, float]:
    start, cpu = time.perf_counter(), cpu_seconds()
    if kind == "pandas":
        result = pandas_responsiveness(target, ACCOUNT)
    else:
        from parlons.cli import main

        with tempfile.TemporaryDirectory() as tmp:
            store = str(Path(tmp) / "bench.duckdb")
            main(["import", target, "--store", store, "-q"])
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                main(["audit", ACCOUNT, "--store", store, "--json"])
            audit = json.loads(printed.getvalue())[0]["responsiveness"]
            result = {"audit_json_chars": float(len(printed.getvalue())),
                      "requests": float(audit.get("requests", 0)), "answered": float(audit.get("answered", 0))}
    return {"seconds": time.perf_counter() - start, "cpu_seconds": cpu_seconds() - cpu, "peak_rss_mb": peak_mb(),
            **result}


def measure(kind: str, target: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, str(target)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=compiled_env())
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def median_cell(runs: list[dict[str, float]], key: str, fmt: str) -> str:
    values = [run[key] for run in runs]
    mid = statistics.median(values)
    return fmt.format(mid) + (f" ({fmt.format(min(values))}-{fmt.format(max(values))})" if len(values) > 1 else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="runs of each side, alternated (median reported)")
    parser.add_argument("--data", type=Path, default=HERE / "data")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        print(json.dumps(child(*opts.child)))
        return
    target = opts.data / f"twarc-{opts.posts}.jsonl"
    if not target.exists():
        opts.data.mkdir(parents=True, exist_ok=True)
        synth.write_twarc_jsonl(target, opts.posts)
    runs: dict[str, list[dict[str, float]]] = {"pandas": [], "parlons": []}
    warm(compiled_env())
    for run in range(opts.runs):
        for kind in runs:
            runs[kind].append(measure(kind, target))
        print(f"run {run + 1}/{opts.runs}: " + ", ".join(
            f"{kind} {r[-1]['seconds']:.2f} s {r[-1]['peak_rss_mb']:.0f} MB" for kind, r in runs.items()),
            file=sys.stderr)
    pandas, parlons = runs["pandas"], runs["parlons"]
    print(f"median of {opts.runs} run(s) (min-max)")
    print(f"{'case':34} {'seconds':>20} {'CPU s':>20} {'peak MB':>16}")
    for name, case in (("pandas read_json + merge/groupby", pandas), ("parlons import + audit", parlons)):
        cells = (median_cell(case, "seconds", "{:.2f}"), median_cell(case, "cpu_seconds", "{:.2f}"),
                 median_cell(case, "peak_rss_mb", "{:.0f}"))
        print(f"{name:34} {cells[0]:>20} {cells[1]:>20} {cells[2]:>16}")

    def mid(case: list[dict[str, float]], key: str) -> float:
        return statistics.median(run[key] for run in case)

    print(f"parlons is {mid(pandas, 'seconds') / mid(parlons, 'seconds'):.1f}x faster and "
          f"{mid(pandas, 'peak_rss_mb') / mid(parlons, 'peak_rss_mb'):.1f}x leaner "
          f"(requests to {ACCOUNT}, answered: pandas {pandas[0]['requests']:.0f}, {pandas[0]['answered']:.0f} "
          f"(every reply to its posts); parlons {parlons[0]['requests']:.0f}, {parlons[0]['answered']:.0f} "
          "(the replies and mentions that ask, as the brief defines a request))")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"pandas-{opts.posts}.json").write_text(
        json.dumps({"posts": opts.posts, "runs": opts.runs, "pandas": pandas, "parlons": parlons}, indent=2))


if __name__ == "__main__":
    main()
