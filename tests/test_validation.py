"""The classifications agree with people on the labelled set (``docs/validation.md``), computed by
the script that writes the figures of ``docs/metrics.md``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from parlons.audit.validate import agreement, classify_labelled, read_labelled
from parlons.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "validation" / "labelled.csv"


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    script = ROOT / "benchmarks" / "validate_classifiers.py"
    out = subprocess.run([sys.executable, str(script), str(LABELLED), "--json"], check=True, capture_output=True,
                         text=True)
    parsed: dict[str, Any] = json.loads(out.stdout)
    return parsed


def test_the_labelled_set_is_large_and_balanced(result: dict[str, Any]) -> None:
    rows = read_labelled(LABELLED)
    assert len(rows) == 760
    assert sum(r["lang"] == "fr" for r in rows) == 376
    assert {r["split"] for r in rows} == {"dev", "test", "fresh", "untouched", "final", "last"}


@pytest.mark.parametrize("split", ["test", "fresh", "untouched", "final", "last"])
def test_agreement_holds_the_thresholds_on_unseen_splits(result: dict[str, Any], split: str) -> None:
    figures = result["splits"][split]
    assert figures["function"]["kappa"] >= 0.75
    assert figures["asks"]["kappa"] >= 0.7
    assert figures["lang"]["accuracy"] >= 0.95


def test_agreement_figures_on_the_test_split(result: dict[str, Any]) -> None:
    test = result["splits"]["test"]
    assert (test["function"]["n"], test["asks"]["n"], test["lang"]["n"]) == (78, 53, 131)
    assert test["function"]["confusion"]["action"]["action"] == test["function"]["classes"]["action"]["people"]


def test_kappa_precision_recall_and_confusion() -> None:
    pairs = [("a", "a")] * 4 + [("a", "b")] + [("b", "b")] * 3 + [("b", "a")] * 2
    found = agreement(pairs, ("a", "b"))
    # observed 0.7; expected (5*6 + 5*4) / 100 = 0.5; kappa = 0.2 / 0.5
    assert (found["n"], found["accuracy"], found["kappa"]) == (10, 0.7, 0.4)
    assert found["classes"]["a"] == {"precision": 0.667, "recall": 0.8, "people": 5, "parlons": 6}
    assert found["confusion"] == {"a": {"a": 4, "b": 1}, "b": {"a": 2, "b": 3}}


def _row(text: str, direction: str = "own", kind: str = "original") -> dict[str, str]:
    own = direction == "own"
    return {"id": "x", "split": "dev", "lang": "en", "direction": direction, "kind": kind, "text": text,
            "function": "information" if own else "", "asks": "" if own else "yes"}


def test_hard_cases_of_the_issue() -> None:
    own = ["Sound familiar? Apply for #RTI2021", "Take the survey before Friday", "Mark your calendars: May 3",
           "Learn more: https://example.org", "More to come!", "We met partners to share conclusions.",
           "Did you know? The bridge opened in 1954."]
    incoming = ["@Acme the update drains it down 8 percent an hour", "@Acme your update paralysed my phone",
                "@Acme internet is down", "@Acme my phone freezes", "@Acme I've tried to call several times",
                "@Acme Super help - problem solved 😀", "@Acme t'as précisé qu'on n'était pas gratuit ?"]
    rows = classify_labelled([_row(t) for t in own] + [_row(t, "incoming") for t in incoming])
    assert [(r["function_found"], r["function_rule"]) for r in rows[:7]] == [
        ("action", "call to action: apply"), ("action", "call to action: take the survey"),
        ("action", "call to action: mark your calendars"), ("action", "call to action: learn more"),
        ("information", "no community or action cue"), ("information", "no community or action cue"),
        ("information", "no community or action cue")]
    assert [(r["asks_found"], r["asks_rule"]) for r in rows[7:]] == [
        ("yes", "problem word: drains"), ("yes", "problem word: paralysed"), ("yes", "problem word: down"),
        ("yes", "problem word: freezes"), ("yes", "problem word: several times"),
        ("no", "problem solved: problem solved"),
        ("yes", "question mark")]
    assert rows[-1]["lang_found"] == "fr"


def test_a_bad_label_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,split,lang,direction,kind,text,function,asks\n"
                    "a,dev,fr,own,original,Bonjour,information,\n"
                    "b,dev,fr,own,original,Salut,informative,\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv, line 3 \(id 'b'\): function is 'informative'"):
        read_labelled(path)
    path.write_text("id,split,text\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing columns lang, direction, kind, function, asks"):
        read_labelled(path)


def test_a_held_out_file_may_leave_kind_and_split_empty(tmp_path: Path) -> None:
    path = tmp_path / "held-out.csv"
    path.write_text("id,split,lang,direction,kind,text,function,asks\n"
                    "1,,fr,own,,Inscrivez-vous avant vendredi !,action,\n"
                    "2,,en,incoming,,@Acme my order never arrived,,yes\n", encoding="utf-8")
    rows = read_labelled(path)
    assert [(r["kind"], r["split"]) for r in rows] == [("original", "unsplit"), ("original", "unsplit")]
    found = classify_labelled(rows)
    assert [(r["function_found"], r["asks_found"]) for r in found] == [("action", None), (None, "yes")]
