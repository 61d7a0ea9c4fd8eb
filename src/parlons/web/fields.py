"""Model fields shared by the workspace's apps."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

__all__ = ["JSONText"]


class JSONText(models.TextField):  # type: ignore[type-arg]
    """JSON kept as its text, so that its keys come back in the order they were written.

    PostgreSQL's ``jsonb`` (what Django's ``JSONField`` uses there) sorts an object's keys by
    length, and the pages list an audit's figures in the order of its result: the same cache row
    must read back the same on SQLite and on PostgreSQL.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else json.loads(value)

    def to_python(self, value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)
