"""The report's metric dictionary (methods.toml) covers every metric of docs/metrics.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parlons.report.methods import entry, families

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
FAMILIES = ("coverage", "responsiveness", "conversation", "broadcast", "voice", "content", "function")
STYLES = {"share", "count", "duration", "decimal", "score", "list", "status", "table"}


def _documented(family: str) -> list[str]:
    section = DOCS.read_text(encoding="utf-8").split(f"## {family}\n")[1].split("\n## ")[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return [key for cell in rows for key in re.findall(r"`([^`]+)`", cell)]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_documented_metric_has_an_entry(family: str) -> None:
    keys = _documented(family)
    assert keys
    for key in keys:
        assert entry(family, key).definition, f"{family}.{key}"


def test_entries_are_complete_and_only_document_real_metrics() -> None:
    documented = {f: set(_documented(f)) for f in FAMILIES}
    for fam in families():
        assert fam.title and fam.intro
        for item in fam.metrics:
            assert item.style in STYLES and item.label and item.definition, item.keys
            assert set(item.keys) <= documented[fam.key], item.keys
            if item.style == "share":
                assert item.denominator, item.keys
    assert [f.key for f in families()] == [*FAMILIES, "maturity", "benchmark"]
