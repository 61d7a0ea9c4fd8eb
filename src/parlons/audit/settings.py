"""Settings of an audit: thresholds, windows and options, each with a stated default."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AuditSettings"]


@dataclass(frozen=True)
class AuditSettings:
    """What an audit may be tuned with (all defaults are stated in ``docs/metrics.md``)."""

    min_n: int = 5
    """Below this denominator a share or a median is reported as "too few"."""
    pending_window_s: int = 24 * 3600
    """Unanswered requests this recent, before the end of the data, are "pending", not ignored."""
    unanswered_limit: int = 10_000
    """How many unanswered requests that ask to list (newest first); the count is always complete."""
    timezone: str = "UTC"
    """Time zone for the weekday-by-hour table and business hours."""
    business_hours: tuple[int, int] | None = None
    """Opening and closing hour (local), Monday to Friday; None to skip the split."""
    examples: int = 3
    """How many example posts per class the report shows (function, voice); the audit gives up to twice
    as many distinct texts, so that a text the report showed elsewhere can be skipped."""
