"""The docs stay true: every model field is on the data-model page, every format has a page."""

from __future__ import annotations

from pathlib import Path

from parlons.importers import ORDER
from parlons.model import ACCOUNT_FIELDS, POST_FIELDS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_data_model_page_lists_every_field() -> None:
    page = (DOCS / "data-model.md").read_text()
    posts, accounts = page.split("## `posts`")[1].split("## `accounts`")
    for field in POST_FIELDS:
        assert f"| `{field.name}` | `{field.sql}` |" in posts, field.name
    for field in ACCOUNT_FIELDS:
        assert f"| `{field.name}` | `{field.sql}` |" in accounts, field.name


def test_every_importer_module_has_a_format_page() -> None:
    for module in ORDER:
        assert (DOCS / "formats" / f"{module}.md").is_file(), module
