"""One account's audit result as one flat row: the JSON paths, dots written as underscores.

A figure with a denominator (``{"value": v, "n": n, ...}``) gives two columns, ``X`` and ``X_n``;
other numbers, texts and flags keep their path; a list of texts becomes one text joined by
``", "``. Lists of posts or of rows (examples, unanswered requests, the weekly series) are not
figures and stay out of the table, as do the constant explanations (``note``, ``rule``,
``reference``) and the maturity's ``evidence`` (the same figures again). Objects keyed by the data
(``voice.languages``: a language code per key) give their columns in key order, not in the
result's (most posts first, ties in any order), so that every engine gives the same columns in the
same order. The list is in ``docs/metrics.md`` ("Columns of the all-accounts table").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..audit.result import AuditResult

__all__ = ["KEYED_BY_DATA", "OPTIONAL_OBJECTS", "SKIPPED_KEYS", "flatten_audit"]

SKIPPED_KEYS = frozenset({"note", "rule", "reference", "evidence", "members", "rows", "columns", "benchmark"})
"""Keys whose values are explanations, not figures of the account."""

OPTIONAL_OBJECTS = frozenset({"business_hours", "fr", "en"})
"""Parts of the result that are objects when present and null otherwise: no column when null."""

KEYED_BY_DATA = frozenset({"languages"})
"""Objects whose keys are values of the data (language codes): flattened in key order."""

Scalar = str | int | float | bool | None


def flatten_audit(audit: AuditResult | Mapping[str, Any]) -> dict[str, Scalar]:
    """The figures of one audited account (the typed result of :func:`parlons.run_audit`, or its JSON
    form) as ``{column: value}``, in the result's order."""
    row: dict[str, Scalar] = {}
    data = dict(audit.model_dump(mode="json") if isinstance(audit, AuditResult) else audit)
    version = data.pop("schema_version", None)
    _walk(data, "", row)
    if version is not None:
        row["schema_version"] = version
    return row


def _walk(node: Mapping[str, Any], prefix: str, row: dict[str, Scalar]) -> None:
    for key, value in node.items():
        if key in SKIPPED_KEYS or (value is None and key in OPTIONAL_OBJECTS):
            continue
        name = f"{prefix}_{key}" if prefix else str(key)
        if _is_figure(value):
            row[name] = value["value"]
            row[f"{name}_n"] = value["n"]
        elif isinstance(value, Mapping):
            _walk(dict(sorted(value.items())) if key in KEYED_BY_DATA else value, name, row)
        elif isinstance(value, list | tuple):
            if value and all(isinstance(v, str) for v in value):
                row[name] = ", ".join(value)
        else:
            row[name] = value


def _is_figure(value: Any) -> bool:
    return isinstance(value, Mapping) and "value" in value and "n" in value
