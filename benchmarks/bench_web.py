"""Workspace benchmark: server time of the main pages on a workspace of 1 M posts.

Usage::

    python benchmarks/bench_web.py --posts 1000000

Builds a store of generated posts (``benchmarks/corpus.py``: three organizations and 50,000
people) as one workspace's store in a temporary data folder, then times each page through
Django's test client (the whole request in this process, no network): the first view, which
runs the audit (or draws the page's charts), then the median of five views served from the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

PAGES = ("/w/{ws}/", "/w/{ws}/audit/responsiveness/", "/w/{ws}/audit/voice/", "/w/{ws}/audit/content/",
         "/w/{ws}/audit/function/", "/w/{ws}/audit/content/heatmap.svg?lang=fr",
         "/w/{ws}/audit/peers/key-shares.svg?lang=fr", "/w/{ws}/inbox/", "/w/{ws}/inbox.csv", "/w/{ws}/plan/",
         "/w/{ws}/plan/fit/", "/w/{ws}/plan/kpis/", "/w/{ws}/plan/interview/platforms/",
         "/w/{ws}/plan/interview/kpis/")
"""The pages, two of the charts they show (images the browser fetches after the page), then the plan's
pages: platform fit, indicators over time, two steps of the interview (the workspace has the demo's plan)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="parlons-bench-web-"))
    os.environ.update(PARLONS_DATA=str(data), DJANGO_SETTINGS_MODULE="parlons.web.settings.local")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from corpus import build_corpus
    from parlons.web.plans.services import add_version
    from parlons.web.stores import store_path
    from parlons.web.workspaces.services import create_workspace

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench", "bench@example.org", "a bench password 1")
    workspace = create_workspace(user, name="org0", account="org0", peers="org1, org2")
    plan = (Path(__file__).resolve().parents[1] / "src" / "parlons" / "web" / "demo_plan.yaml").read_text("utf-8")
    add_version(workspace, user, plan, "the demo's plan")
    started = time.perf_counter()
    build_corpus(store_path(workspace.pk), args.posts)
    print(f"store of {args.posts:,} posts built in {time.perf_counter() - started:.1f} s ({data})")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    print(f"load average before the pages: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'page':48} {'first (ms)':>12} {'cached, median of 5 (ms)':>26}")
    for page in PAGES:
        url = page.format(ws=workspace.pk)
        times = []
        for _ in range(6):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
        print(f"{url:48} {times[0]:12.0f} {statistics.median(times[1:]):26.1f}")
    print(f"load average after the pages: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
