"""The plan file on disk: YAML read and written round-trip, so people's comments and order survive.

``load_document`` parses a file into ruamel's commented mappings (nothing validated yet);
``save_document`` writes it back whole or not at all; ``plain`` turns it into ordinary dicts and
lists (dates as ``YYYY-MM-DD`` strings) for the checks. ``where`` gives the line of a path in the
file, for error messages.
"""

from __future__ import annotations

import io
import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ..errors import InputError

__all__ = ["FORMAT_VERSION", "Path_", "PlanError", "format_path", "load_document", "new_document", "plain",
           "save_document", "to_yaml", "where"]

FORMAT_VERSION = 1
Path_ = tuple[str | int, ...]
"""A path in the plan: keys and list indexes, e.g. ``("objectives", 2, "deadline")``."""


class PlanError(InputError):
    """A plan file that cannot be read or does not follow the format; lists every problem with its path."""

    def __init__(self, file: Path, problems: list[str]) -> None:
        self.problems = problems
        listed = "\n  ".join(problems)
        count = f"{len(problems)} problems" if len(problems) > 1 else "1 problem"
        super().__init__(f"the plan has {count}:\n  {listed}", file=str(file))


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a line: diffs stay line by line
    return yaml


def load_document(path: Path) -> CommentedMap:
    """The plan file as a commented mapping; a YAML syntax error names its line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(path, [f"cannot be read: {exc}"]) from None
    try:
        data = _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise PlanError(path, [f"{line}not valid YAML: {getattr(exc, 'problem', None) or exc}"]) from None
    if data is None:
        return new_document()
    if not isinstance(data, CommentedMap):
        raise PlanError(path, ["the plan must be a YAML mapping (keys such as version:, objectives:), "
                               f"not a {type(data).__name__}"])
    return data


def new_document(lang: str = "en") -> CommentedMap:
    """An empty plan of the current format version."""
    doc = CommentedMap()
    doc["version"] = FORMAT_VERSION
    doc["lang"] = lang
    doc.yaml_set_start_comment("parlons plan (format: docs/plan.md). Edit freely: comments are kept.")
    return doc


def to_yaml(doc: CommentedMap) -> str:
    """The document as YAML text."""
    stream = io.StringIO()
    _yaml().dump(doc, stream)
    return stream.getvalue()


def save_document(doc: CommentedMap, path: Path) -> None:
    """Write the document to ``path`` whole or not at all (a temporary file replaced atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(to_yaml(doc))
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def plain(value: Any) -> Any:
    """Ordinary dicts, lists, strings and numbers; dates become ``YYYY-MM-DD``."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def where(doc: Any, path: Path_) -> int | None:
    """The 1-based line of ``path`` in the file, when ruamel recorded it."""
    node, line = doc, None
    for step in path:
        try:
            if isinstance(node, CommentedMap) and step in node:
                line = node.lc.key(step)[0] + 1
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                line = node.lc.item(step)[0] + 1
            else:
                return line
            node = node[step]
        except (KeyError, IndexError, TypeError, AttributeError):
            return line
    return line


def format_path(path: Path_) -> str:
    """``objectives[2].deadline`` from ``("objectives", 2, "deadline")``."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top)"
