"""Peers side by side: the key figures of every audited account and each one's rank."""

from __future__ import annotations

from .result import AuditResult, Benchmark

__all__ = ["KEY_FIGURES", "benchmark"]

KEY_FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("responsiveness", "answered_share", True),
    ("responsiveness", "median_first_response_s", False),
    ("conversation", "replies_to_others_share", True),
    ("conversation", "questions_share", True),
    ("broadcast", "automated_share", False),
    ("broadcast", "duplicated_share", False),
    ("function", "community_share", True),
    ("content", "images_share", True),
)
"""(family, figure, higher is better)."""


def benchmark(audits: list[AuditResult]) -> None:
    """Add ``benchmark`` to each audit: per key figure, its value, rank (1 = best) and peers."""
    for family, key, higher in KEY_FIGURES:
        values = [a.value(f"{family}.{key}") for a in audits]
        ranked = sorted({v for v in values if v is not None}, reverse=higher)
        for audit, value in zip(audits, values, strict=True):
            rank = None if value is None else 1 + sum(1 for v in values if v is not None and
                                                      (v > value if higher else v < value))
            audit.benchmark[f"{family}.{key}"] = Benchmark(
                value=value, rank=rank, of=sum(v is not None for v in values), higher_is_better=higher,
                best=ranked[0] if ranked else None)
