"""The public API is exactly parlons.__all__, and every name in it resolves."""

from __future__ import annotations

import parlons


def test_every_public_name_resolves() -> None:
    for name in parlons.__all__:
        assert getattr(parlons, name) is not None, name


def test_public_names_are_the_library_entry_points() -> None:
    expected = {"Store", "import_paths", "run_audit", "open_posts", "explain_post", "render", "build_demo",
                "load_plan", "run_checks", "ParlonsError", "InputError", "ImportOptions", "AuditSettings",
                "audit_charts", "Chart", "CHART_SECTIONS", "metric_definitions", "MetricDefinition", "DEMO_ACCOUNTS",
                "DemoAccounts",
                "collect_mastodon", "collect_bluesky", "collect_feeds", "CollectReport", "CollectError"}
    assert expected <= set(parlons.__all__)


def test_errors_share_one_base() -> None:
    for name in ("InputError", "FormatNotRecognised", "UnsafeArchive", "MappingError", "StoreError", "UsageError",
                 "CollectError"):
        assert issubclass(getattr(parlons, name), parlons.ParlonsError), name
