"""What the audit reads of a large store: the same figures by the narrow paths as by the whole scans."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from parlons.audit import AuditSettings, run_audit, scope
from parlons.audit.facts import build_importer_precision, facts_sql
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, post
from .test_audit_scope import OTHERS, add

SETTINGS = AuditSettings(min_n=1)
PEER = [post("b1", "bob", 5, "Programme du club"),
        post("b2", "org", 7, "@bob Merci !", kind="reply", in_reply_to_id="b1", in_reply_to_account="Bob",
             mentions=["Bob"]),
        post("b3", "carol", 9, "@BOB @org une question ?", mentions=["BOB", "org"])]


def _requests(store: Store) -> list[tuple[object, ...]]:
    return store.con.execute("SELECT * FROM requests_all ORDER BY target, platform, post_id").fetchall()


def test_requests_found_by_row_id_are_those_of_the_whole_scan(store: Store, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    add(store, tmp_path, "all.jsonl", "twitter-api", [*SCENARIO, *OTHERS, *PEER])
    by_row_id = run_audit(store.con, ["org", "bob"], platform="x", settings=SETTINGS)
    narrow = _requests(store)
    monkeypatch.setattr(scope, "PREFILTER_KEYS", 0)  # no literal list of handles: one query over every reply
    assert run_audit(store.con, ["org", "bob"], platform="x", settings=SETTINGS) == by_row_id
    assert _requests(store) == narrow
    # (subject, request, replies to the subject): replies by id or by the handle (any case), mentions
    assert [(r[-2], r[1], r[-1]) for r in narrow] == [
        ("bob", "a2", True), ("bob", "b2", True), ("bob", "b3", False), ("org", "b3", False),
        ("org", "r1", False), ("org", "r2", True), ("org", "r3", True), ("org", "r4", False)]


def test_importer_precision_is_the_stores_for_the_audited_importers(store: Store, tmp_path: Path) -> None:
    add(store, tmp_path, "seconds.jsonl", "twitter-api", [post("s1", "org", 0.5, "a"), post("s2", "org", 0, "b")])
    add(store, tmp_path, "minutes.csv", "generic-csv", [post("m1", "ana", 0, "c"), post("m2", "ana", 7, "d")])
    add(store, tmp_path, "days.csv", "linkedin", [post("d1", "ana", 0, "e"), post("d2", "ana", 24 * 60, "f")])
    store.con.execute(f"CREATE OR REPLACE TEMP TABLE whole AS {facts_sql()['importer_precision']}")
    build_importer_precision(store.con, ["generic-csv", "linkedin", "twitter-api"])
    rows = store.con.execute("SELECT * FROM importer_precision ORDER BY importer").fetchall()
    assert rows == store.con.execute("SELECT * FROM whole ORDER BY importer").fetchall()
    assert rows == [("generic-csv", True, False), ("linkedin", False, False), ("twitter-api", False, True)]


def test_the_command_line_starts_without_plan_collect_report_or_the_audit() -> None:
    """``parlons import`` loads neither the audit (pydantic, the corpus' Parquet) nor pyarrow's datasets:
    about 0.25 CPU-seconds and 75 MB of resident memory at each start."""
    code = ("import sys, parlons.cli, parlons.ingest, parlons.store; "
            "print(sorted({m.split('.')[1] for m in sys.modules if m.startswith('parlons.')} "
            "& {'plan', 'collect', 'report', 'summary', 'cli_formats', 'cli_audit', 'audit', 'corpus'}), "
            "sorted({'pydantic', 'pyarrow.dataset', 'pyarrow.parquet'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] []"


def importer_modules_after(statements: str) -> str:
    """The importer modules a fresh interpreter has loaded after ``statements``, as it prints their list."""
    code = (f"import sys; {statements}; print(sorted(m for m in sys.modules if m.startswith('parlons.importers.') "
            "and not m.split('.')[2].startswith('_')))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_the_store_and_the_audit_load_no_importer() -> None:
    """The importers' modules load when an import needs them (``importers.registry()``), not with the store."""
    assert importer_modules_after("import parlons.cli, parlons.store, parlons.audit") == "[]"


def test_each_format_names_its_own_module() -> None:
    """``importers.MODULE_OF`` gives every importer's module, and no name of another: ``--format`` loads it alone."""
    from parlons.importers import MODULE_OF, registry

    assert {i.name: type(i).__module__.rsplit(".", 1)[1] for i in registry()} == MODULE_OF


def test_a_forced_format_loads_its_module_alone() -> None:
    """``--format generic-jsonl`` loads the generic importers' module and no other importer's."""
    found = importer_modules_after("from parlons.importers import get; "
                                   "assert get('generic-jsonl').name == 'generic-jsonl'")
    assert found == "['parlons.importers.generic']"
