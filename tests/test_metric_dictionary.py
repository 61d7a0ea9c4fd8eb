"""Every figure the audit emits is described in docs/metrics.md."""

from __future__ import annotations

from pathlib import Path

from parlons.audit import run_audit
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, SETTINGS, build

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
FAMILIES = ("coverage", "responsiveness", "conversation", "broadcast", "voice", "content", "function", "maturity")


def test_every_metric_key_is_in_the_dictionary(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    audits = run_audit(store.con, ["org", "alice"], platform="x", settings=SETTINGS)
    page = DOCS.read_text(encoding="utf-8")
    sections = {f: page.split(f"## {f}\n")[1].split("\n## ")[0] for f in (*FAMILIES, "benchmark")}
    for family in FAMILIES:
        section = getattr(audits[0], family)
        keys = set(type(section).model_fields) - {"status", "reason", "note", "fr", "en", "languages", "level",
                                                  "range", "rule", "evidence", "next_step"}
        for key in keys:
            assert f"`{key}" in sections[family] or f".{key}`" in sections[family], f"{family}.{key}"
    for key in audits[0].benchmark:
        assert f"`{key}`" in sections["benchmark"], key
