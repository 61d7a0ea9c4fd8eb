"""Time zones a person expects: the one given, else the plan's, else the machine's, and the report says which."""

from __future__ import annotations

import os
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from parlons.cli import cli
from parlons.errors import UsageError
from parlons.plan import PlanError, load_plan
from parlons.store import Store
from parlons.timezones import Zone, choose_timezone, machine_timezone

from .test_audit_responsiveness import SCENARIO, build


def test_the_machine_zone_from_tz_then_localtime_then_the_timezone_file(tmp_path: Path) -> None:
    zoneinfo = tmp_path / "usr" / "share" / "zoneinfo" / "Europe"
    zoneinfo.mkdir(parents=True)
    (zoneinfo / "Paris").write_bytes(b"TZif")
    localtime, timezone_file = tmp_path / "localtime", tmp_path / "timezone"
    localtime.symlink_to(zoneinfo / "Paris")
    timezone_file.write_text("America/Montreal\n", encoding="utf-8")
    assert machine_timezone({"TZ": ":Asia/Tokyo"}, localtime, timezone_file) == "Asia/Tokyo"
    assert machine_timezone({"TZ": "CET-1CEST"}, localtime, timezone_file) == "Europe/Paris"  # a POSIX rule: skipped
    assert machine_timezone({}, tmp_path / "none", timezone_file) == "America/Montreal"
    assert machine_timezone({}, tmp_path / "none", tmp_path / "none") is None
    assert machine_timezone({"TZ": "Etc/UTC"}, tmp_path / "none", tmp_path / "none") == "UTC"


def test_the_zone_given_then_the_plans_then_the_machines_then_utc() -> None:
    assert choose_timezone("Europe/Paris", "America/Montreal", "Asia/Tokyo") == Zone("Europe/Paris", "option")
    assert choose_timezone(None, "America/Montreal", "Asia/Tokyo") == Zone("America/Montreal", "plan")
    assert choose_timezone(None, None, "Asia/Tokyo") == Zone("Asia/Tokyo", "machine")
    assert choose_timezone(None, None, "") == Zone("UTC", "default")
    with pytest.raises(UsageError, match=r"unknown time zone 'Paris': give an IANA name; did you mean "
                                         r"America/Paris|Europe/Paris"):
        choose_timezone("Paris")


def test_a_plan_names_its_zone_and_a_wrong_one_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("version: 1\ntimezone: Europe/Brest\n", encoding="utf-8")
    with pytest.raises(PlanError, match="timezone: expected a time zone such as Europe/Paris, got 'Europe/Brest'"):
        load_plan(path)
    path.write_text("version: 1\ntimezone: Europe/Paris\n", encoding="utf-8")
    assert load_plan(path).data["timezone"] == "Europe/Paris"


def _report(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> str:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "org", "--platform", "x", "--store", str(tmp_path / "store.duckdb"),
                                      "--min-n", "1", "-o", str(output), *options], env=env)
    assert result.exit_code == 0, result.output
    page = lxml.html.fromstring(output.read_text(encoding="utf-8"))
    return str(page.cssselect("p.meta")[1].text_content().split(" · ")[2])


def test_the_report_reads_times_in_the_zone_expected_and_says_which(tmp_path: Path) -> None:
    with Store(tmp_path / "store.duckdb") as store:
        build(store, SCENARIO, tmp_path)
    plan = tmp_path / "plan.yaml"
    plan.write_text("version: 1\ntimezone: America/Montreal\n", encoding="utf-8")
    machine = {"TZ": "Asia/Tokyo"}
    assert _report(tmp_path, "--lang", "fr", env=machine) == "heures en Asia/Tokyo (fuseau de cet ordinateur)"
    assert _report(tmp_path, "--lang", "en", "--plan", str(plan), env=machine) == (
        "times in America/Montreal (the plan's zone)")
    assert _report(tmp_path, "--lang", "en", "--timezone", "Europe/Paris", "--plan", str(plan), env=machine) == (
        "times in Europe/Paris (as asked)")
    assert os.environ.get("TZ") != "Asia/Tokyo"  # the runner restored the environment
