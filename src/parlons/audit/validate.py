"""Agreement of the audit's classifications with people, on a labelled file (``docs/validation.md``).

``validate(path)`` reads a labelled CSV (``id, split, lang, direction, kind, text, function, asks``),
runs the audit's own feature queries on it (``features.build_features``, exactly as an audit does),
and compares: post function on own posts, "asks for something" on incoming posts, and the guessed
language on all. Each comparison gives Cohen's kappa, per-class precision and recall, the confusion
matrix and the number of posts, per split (``dev``, ``test``, or any other value found) and overall.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..engine import connect
from ..errors import InputError
from .features import build_features

__all__ = ["COLUMNS", "MAX_BYTES", "agreement", "classify_labelled", "read_labelled", "validate"]

COLUMNS = ("id", "split", "lang", "direction", "kind", "text", "function", "asks")
MAX_BYTES = 20_000_000
"""A labelled file larger than this is refused (the reader holds it in memory)."""

ALLOWED = {"lang": {"fr", "en"}, "direction": {"own", "incoming"}, "kind": {"original", "reply"},
           "function": {"information", "community", "action", ""}, "asks": {"yes", "no", ""}}


def read_labelled(path: Path) -> list[dict[str, str]]:
    """The rows of a labelled CSV, checked; an ``InputError`` names the file and the line."""
    if path.stat().st_size > MAX_BYTES:
        raise InputError(f"{path}: the labelled file is larger than {MAX_BYTES:,} bytes; split it.")
    reader = csv.DictReader(io.StringIO(path.read_text("utf-8-sig")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)} (expected {', '.join(COLUMNS)}).")
    rows = [_defaults({c: (row.get(c) or "").strip() for c in COLUMNS}) for row in reader]
    for line, row in enumerate(rows, start=2):
        _check_row(path, line, row)
    return rows


def _defaults(row: dict[str, str]) -> dict[str, str]:
    """An empty ``kind`` is an original post; an empty ``split`` is one part called ``unsplit``."""
    return {**row, "kind": row["kind"] or "original", "split": row["split"] or "unsplit"}


def _check_row(path: Path, line: int, row: dict[str, str]) -> None:
    for column, allowed in ALLOWED.items():
        if row[column] not in allowed:
            raise InputError(f"{path}, line {line} (id {row['id']!r}): {column} is {row[column]!r}; "
                             f"expected one of {', '.join(sorted(a or '(empty)' for a in allowed))}.")
    label = "function" if row["direction"] == "own" else "asks"
    if not row[label]:
        raise InputError(f"{path}, line {line} (id {row['id']!r}): a {row['direction']} post needs a {label} label.")


def classify_labelled(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Each row with the audit's language, function, function rule and asking rule."""
    con = connect()
    con.register("labelled", pa.Table.from_pylist([_post(i, r) for i, r in enumerate(rows)]))
    con.execute("CREATE TEMP TABLE own AS SELECT * FROM labelled WHERE direction = 'own'")
    con.execute("""CREATE TEMP TABLE requests AS SELECT *, 'org' AS target FROM labelled
                   WHERE direction = 'incoming'""")
    build_features(con)
    found = con.execute("""
        SELECT l.post_id, coalesce(f.lang, rf.lang) AS lang_found, f.function, f.function_rule,
               coalesce(rf.intent_rule, rf.not_asking_rule) AS intent_rule, rf.asks
        FROM labelled l
        LEFT JOIN features f USING (platform, post_id)
        LEFT JOIN request_features rf USING (platform, post_id)
        """).fetchall()
    by_id = {r[0]: r[1:] for r in found}
    out = []
    for i, row in enumerate(rows):
        lang, function, function_rule, intent_rule, asks = by_id[str(i)]
        out.append({**row, "lang_found": lang, "function_found": function, "function_rule": function_rule,
                    "asks_found": None if asks is None else ("yes" if asks else "no"), "asks_rule": intent_rule})
    return out


def _post(i: int, row: dict[str, str]) -> dict[str, Any]:
    """A labelled row as the audit's tables hold a post (the language left for the audit to guess)."""
    own = row["direction"] == "own"
    handle = next((w[1:] for w in row["text"].split() if w.startswith("@")), None)
    return {"platform": "x", "post_id": str(i), "account": "org" if own else f"person{i}",
            "kind": row["kind"], "text": row["text"], "lang": None, "direction": row["direction"],
            "in_reply_to_account": handle if row["kind"] == "reply" else None,
            "mentions": [] if own or handle is None else [handle], "source": None, "urls": []}


def agreement(pairs: list[tuple[str, str]], classes: tuple[str, ...]) -> dict[str, Any]:
    """Cohen's kappa, accuracy, per-class precision/recall and the confusion matrix (rows: people)."""
    n = len(pairs)
    matrix = {a: {b: 0 for b in classes} for a in classes}
    for human, found in pairs:
        matrix[human][found] += 1
    observed = sum(matrix[c][c] for c in classes) / n if n else 0.0
    people, parlons = Counter(h for h, _ in pairs), Counter(f for _, f in pairs)
    expected = sum(people[c] * parlons[c] for c in classes) / (n * n) if n else 0.0
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    per_class = {c: {"precision": _ratio(matrix[c][c], parlons[c]), "recall": _ratio(matrix[c][c], people[c]),
                     "people": people[c], "parlons": parlons[c]} for c in classes}
    return {"n": n, "kappa": round(kappa, 3), "accuracy": round(observed, 3), "classes": per_class,
            "confusion": matrix}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def validate(path: Path) -> dict[str, Any]:
    """Agreement on function, asking and language, per split and for the whole file."""
    rows = classify_labelled(read_labelled(path))
    splits = [*sorted({r["split"] for r in rows}), "all"]
    result: dict[str, Any] = {"file": str(path), "posts": len(rows), "splits": {}}
    for split in splits:
        part = [r for r in rows if split in ("all", r["split"])]
        result["splits"][split] = {
            "function": agreement([(r["function"], r["function_found"]) for r in part if r["direction"] == "own"],
                                  ("information", "community", "action")),
            "asks": agreement([(r["asks"], r["asks_found"]) for r in part if r["direction"] == "incoming"],
                              ("yes", "no")),
            "lang": agreement([(r["lang"], r["lang_found"] if r["lang_found"] in ("fr", "en") else "und")
                               for r in part], ("fr", "en", "und")),
        }
    result["disagreements"] = [_disagreement(r) for r in rows if _disagrees(r)]
    return result


def _disagrees(row: dict[str, Any]) -> bool:
    label = "function" if row["direction"] == "own" else "asks"
    return bool(row[label] != row[f"{label}_found"] or row["lang"] != row["lang_found"])


def _disagreement(row: dict[str, Any]) -> dict[str, Any]:
    label = "function" if row["direction"] == "own" else "asks"
    rule = row["function_rule"] if label == "function" else row["asks_rule"]
    return {"id": row["id"], "split": row["split"], "text": row["text"], "people": row[label],
            "parlons": row[f"{label}_found"], "rule": rule, "lang": row["lang"], "lang_found": row["lang_found"]}
