"""Shared test helpers: a fresh store, fixture paths, zipping a folder, reading rows back."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from parlons.audit.result import AuditResult
from parlons.ingest import ImportReport, import_paths
from parlons.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"

needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(),
    reason=f"the real export samples are not here ({SAMPLES}); they ship beside the project in CI",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "store.duckdb") as opened:
        yield opened


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    """Zip ``folder`` into ``target`` (members under ``prefix``), as an export would be."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def load(store: Store, *paths: Path | str, **kwargs: Any) -> ImportReport:
    return import_paths(store, [str(p) for p in paths], **kwargs)


def rows(store: Store, where: str = "true", order: str = "platform, post_id") -> list[dict[str, Any]]:
    """Posts as dicts; timestamps rendered as ISO strings in UTC."""
    cursor = store.con.execute(
        "SELECT * REPLACE (strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at, "
        "strftime(imported_at, '%Y-%m-%dT%H:%M:%SZ') AS imported_at) "
        f"FROM posts WHERE {where} ORDER BY {order}")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def count(store: Store, sql: str) -> int:
    row = store.con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="module")
def audits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[AuditResult]]:
    """The scenario's year of a town hall and two peers, audited once per test module (the reports' tests)."""
    from .test_report_scenario import year_audits

    folder = tmp_path_factory.mktemp("report")
    with Store(folder / "store.duckdb") as store:
        yield year_audits(store, folder)
