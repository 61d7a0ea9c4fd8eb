"""The audit as a readable table in the terminal (the JSON holds everything)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_summary"]

ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("Requests received", "responsiveness", "requests", "count"),
    ("Answered", "responsiveness", "answered_share", "share"),
    ("Median first response", "responsiveness", "median_first_response_s", "duration"),
    ("90th percentile response", "responsiveness", "p90_first_response_s", "duration"),
    ("Answered within 24 h", "responsiveness", "answered_within_24h_share", "share"),
    ("Pending (too recent)", "responsiveness", "pending", "count"),
    ("Posts", "conversation", "posts", "count"),
    ("Replies to others", "conversation", "replies_to_others_share", "share"),
    ("Threads (self-replies)", "conversation", "self_replies_share", "share"),
    ("Reposts", "conversation", "reposts_share", "share"),
    ("Questions to the audience", "conversation", "questions_share", "share"),
    ("Automated posts", "broadcast", "automated_share", "share"),
    ("Duplicated posts", "broadcast", "duplicated_share", "share"),
    ("Link-only posts", "broadcast", "link_only_share", "share"),
    ("Posts with links", "content", "links_share", "share"),
    ("Posts with images", "content", "images_share", "share"),
    ("Information", "function", "information_share", "share"),
    ("Community", "function", "community_share", "share"),
    ("Action", "function", "action_share", "share"),
)


def _cell(audit: dict[str, Any], family: str, key: str, style: str) -> str:
    section = audit.get(family, {})
    if section.get("status") == "unknown":
        return "unknown"
    item = section.get(key)
    if isinstance(item, dict):
        if item.get("status") == "too few":
            return f"too few (n={item['n']})"
        value, n = item.get("value"), item.get("n")
        return "–" if value is None else f"{_format(value, style)} (n={n})"
    return "–" if item is None else _format(item, style)


def _format(value: float, style: str) -> str:
    if style == "share":
        return f"{value:.0%}"
    if style == "duration":
        return f"{value / 3600:.1f} h" if value >= 3600 else f"{value / 60:.0f} min"
    return f"{value:,}"


def print_summary(console: Console, audits: list[dict[str, Any]]) -> None:
    """One column per account, one row per key figure, then maturity and the next step."""
    table = Table(title=f"Audit {audits[0]['period']['since'][:10]} – {audits[0]['period']['until'][:10]}")
    table.add_column("")
    for audit in audits:
        table.add_column(f"{audit['account']} ({audit['platform']})", justify="right")
    for label, family, key, style in ROWS:
        table.add_row(label, *(_cell(a, family, key, style) for a in audits))
    table.add_row("Maturity", *(str(a["maturity"]["level"]) for a in audits))
    console.print(table)
    for audit in audits:
        console.print(f"[bold]{audit['account']}[/bold] — next step: {audit['maturity']['next_step']}")
        reason = audit["coverage"]["responsiveness"]["reason"]
        if reason:
            console.print(f"  responsiveness unknown: {reason}")
