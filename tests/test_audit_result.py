"""The audit result is one typed, versioned contract: models, their JSON, and the committed JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

import parlons
from parlons.audit import AuditSettings, run_audit
from parlons.audit.result import AuditResult, Figure, Responsiveness, UnansweredRequest
from parlons.cli import cli
from parlons.store import Store

from .test_audit_responsiveness import SCENARIO, build

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "schema" / "audit-result-v1.json"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ENGLISH = {"LANG": "en_US.UTF-8", "LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None}


def committed_schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def validator() -> jsonschema.Draft202012Validator:
    schema = committed_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def audit_json(*args: str) -> list[dict[str, Any]]:
    result = CliRunner(env=ENGLISH).invoke(cli, ["audit", *args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def test_committed_schema_is_the_generated_one() -> None:
    assert committed_schema() == parlons.audit_json_schema(), (
        "docs/schema/audit-result-v1.json is stale: run scripts/audit-schema")
    assert committed_schema()["title"] == f"parlons audit result, schema version {parlons.AUDIT_SCHEMA_VERSION}"


def test_a_real_audit_json_validates_against_the_committed_schema(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    store.close()
    document = audit_json("org", "--platform", "x", "--min-n", "1", "--store", str(tmp_path / "store.duckdb"))
    validator().validate(document)
    org = document[0]
    assert org["schema_version"] == parlons.AUDIT_SCHEMA_VERSION == "1.6"
    assert (org["responsiveness"]["requests"], org["responsiveness"]["answered"]) == (3, 1)
    assert org["responsiveness"]["answered_share"] == {"value": 0.5, "n": 2, "status": "ok", "min_n": 1}
    assert org["responsiveness"]["by_intent"]["all"] == {
        "requests": 4, "answered": 2, "pending": 1, "untraceable": 0, "unanswered": 1,
        "answered_share": {"value": 0.6667, "n": 3, "status": "ok", "min_n": 1}}


def test_an_archive_only_audit_validates_and_says_unknown(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    assert CliRunner(env=ENGLISH).invoke(cli, ["import", str(EXAMPLES / "x-archive-mairie"), "--store", store,
                                               "-q"]).exit_code == 0
    document = audit_json("MairieDeBrest", "--store", store)
    validator().validate(document)
    assert document[0]["responsiveness"] == {
        "status": "unknown",
        "reason": "only the account's own archive was imported: requests addressed to it are not in it; "
                  "import incoming posts too (mentions captured with twarc, support CSVs, blog comments, "
                  "Bluesky/Jetstream captures)"}


def test_the_schema_refuses_what_the_contract_does_not_allow(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    document = json.loads(parlons.dump_audits(run_audit(store.con, ["org"], platform="x")))
    check = validator()
    check.validate(document)
    document[0]["conversation"]["replies_to_others_share"]["value"] = "33 %"
    del document[0]["conversation"]["questions_share"]
    document[0]["conversation"]["surprise"] = 1
    errors = sorted((list(e.absolute_path), e.validator) for e in check.iter_errors(document))
    assert errors == [([0, "conversation"], "additionalProperties"), ([0, "conversation"], "required"),
                      ([0, "conversation", "replies_to_others_share", "value"], "anyOf")]


def test_results_are_typed_and_read_back_from_their_json(store: Store, tmp_path: Path) -> None:
    build(store, SCENARIO, tmp_path)
    audits = run_audit(store.con, ["org"], platform="x", settings=AuditSettings(min_n=1))
    audit = audits[0]
    assert isinstance(audit, AuditResult)
    assert isinstance(audit.responsiveness, Responsiveness)
    assert audit.responsiveness.unanswered_requests == [UnansweredRequest(
        id="r3", author="carol", time="2024-03-04T12:20:00Z", text="Et pour moi ? Toujours rien", permalink=None,
        rule="question mark")]
    assert audit.at("responsiveness.answered_share") == Figure(value=0.5, n=2, status="ok", min_n=1)
    assert audit.value("responsiveness.answered_share") == 0.5
    assert audit.value("responsiveness.requests") == 3.0
    assert audit.at("voice.fr.posts") == 6  # "@alice Ici !" is French (ici is a French stop word)
    assert audit.at("responsiveness.nothing") is None
    assert parlons.load_audits(parlons.dump_audits(audits)) == audits


def test_too_few_has_no_value() -> None:
    item = Figure(value=None, n=3, status="too few", min_n=5)
    assert item.model_dump() == {"value": None, "n": 3, "status": "too few", "min_n": 5}
    with pytest.raises(ValueError, match="status"):
        Figure.model_validate({"value": 0.5, "n": 3, "status": "fine", "min_n": 5})


def test_result_types_are_public() -> None:
    for name in ("AuditResult", "Figure", "Responsiveness", "ResponsivenessUnknown", "Coverage", "Maturity",
                 "Period", "Benchmark", "UnansweredRequest", "AUDIT_SCHEMA_VERSION", "audit_json_schema",
                 "dump_audits", "load_audits"):
        assert name in parlons.__all__, name


def test_posts_per_week_never_extrapolates_a_period_shorter_than_a_week(store: Store, tmp_path: Path) -> None:
    """A real twcs brand posted 13 times in 15 hours, and one account 10 times in 4 minutes: "91" and "70 posts
    a week", from a period floored at one day. A period shorter than a week now counts as one week."""
    from .test_audit_responsiveness import SETTINGS, build, post

    rows = [post(f"a{i}", "brand", i * 70) for i in range(13)] + [post(f"b{i}", "quick", i * 0.4) for i in range(10)]
    rows += [post(f"c{i}", "weekly", i * 60 * 24 * 3.5) for i in range(9)]  # 9 posts over 4 weeks
    build(store, rows, tmp_path)
    got = {name: run_audit(store.con, [name], settings=SETTINGS)[0].content.cadence.posts_per_week.value
           for name in ("brand", "quick", "weekly")}
    assert got == {"brand": 13.0, "quick": 10.0, "weekly": 2.25}
