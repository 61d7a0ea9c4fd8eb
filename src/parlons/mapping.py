"""Column mappings for the generic CSV and JSONL importers: model field -> input column."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Sequence
from pathlib import Path

from .errors import MappingError
from .importers._base import ROW_SCHEMA

__all__ = ["MAPPABLE", "load_mapping"]

MAPPABLE = tuple(n for n in ROW_SCHEMA.names if n not in ("source_member", "source_record"))


def load_mapping(pairs: Sequence[str], file: Path | None = None) -> dict[str, str]:
    """Merge a mapping file (JSON or TOML) and ``FIELD=COLUMN`` pairs; pairs win."""
    mapping = _from_file(file) if file else {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise MappingError(f"--map expects FIELD=COLUMN, got {pair!r}")
        mapping[field.strip()] = column.strip()
    unknown = sorted(set(mapping) - set(MAPPABLE))
    if unknown:
        raise MappingError(f"unknown model field(s) {', '.join(unknown)}; "
                           f"mappable fields: {', '.join(MAPPABLE)}")
    return mapping


def _from_file(file: Path) -> dict[str, str]:
    try:
        text = file.read_text(encoding="utf-8")
        data = tomllib.loads(text) if file.suffix == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MappingError(f"cannot read the mapping file {file}: {exc}") from None
    table = data.get("mapping", data) if isinstance(data, dict) else None
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise MappingError(f"{file}: expected an object of field = \"column\" strings")
    return {str(k): v for k, v in table.items()}
