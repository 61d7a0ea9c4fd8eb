"""``parlons formats`` in the reader's language: the importers' descriptions as catalog messages.

An importer's ``description`` is English text in its own module. This module repeats each one as a
``N_()`` message so that Babel extracts it and the French catalog translates it; a test fails when an
importer's description and its copy here differ. ``--json`` keeps the English text and the codes.
"""

from __future__ import annotations

import gettext
from typing import Any

from .i18n import N_
from .importers import REGISTRY
from .report.names import platform_name

__all__ = ["DESCRIPTIONS", "EXAMPLES", "format_rows"]

DESCRIPTIONS = {
    "x-archive": N_("X/Twitter account archive (2019+): tweets.js / tweet.js, multi-part, account.js"),
    "x-grailbird": N_("X/Twitter archive before 2019 (Grailbird): tweets.csv, data/js/tweets/YYYY_MM.js"),
    "mastodon-archive": N_("Mastodon account archive: outbox.json (statuses and boosts) with actor.json"),
    "bluesky": N_("Bluesky: repository export (CAR), Jetstream JSON lines, firehose commit events (DAG-JSON)"),
    "facebook": N_("Facebook 'Download Your Information' (JSON): your posts, group posts and comments"),
    "instagram": N_("Instagram 'Download Your Information' (JSON): posts, reels, stories, your comments, "
                    "and Threads posts and replies"),
    "linkedin": N_("LinkedIn data export: Shares.csv (your posts) and Comments.csv, owner from Profile.csv"),
    "wordpress-wxr": N_("WordPress eXtended RSS export (WXR 1.0-1.2): posts, pages and their comments"),
    "feed": N_("RSS (0.9x-2.0), Atom (0.3, 1.0) and JSON Feed feeds of a blog, with per-post comment feeds"),
    "twcs": N_("Customer Support on Twitter (twcs.csv): brands answering customers, research dataset"),
    "twarc-csv": N_("Tweets as twarc-csv writes them (twarc2 csv): dotted column names, one tweet a row"),
    "twitter-api": N_("Twitter API JSON: v1.1 tweets (object, array, JSON lines), v2 from twarc2 (flat or pages)"),
    "generic-jsonl": N_("Any JSON lines file of posts, with a key mapping (--map FIELD=KEY, dotted paths)"),
    "generic-csv": N_("Any CSV file of posts with a header row, with a column mapping (--map FIELD=COLUMN)"),
}
"""Each importer's description, as written in its module (the msgid)."""
EXAMPLES = {
    "x-grailbird": N_("tweets.zip with tweets.csv, data/js/tweets/2012_05.js, data/js/user_details.js"),
}
"""The examples that hold words (the others are file names only)."""


def format_rows(t: gettext.NullTranslations | None = None) -> list[dict[str, Any]]:
    """One row per importer: name, platform, description, example, auto-detected. With ``t``, the
    description, example and platform are in its language (for people); without, as in the code."""
    rows = []
    for importer in REGISTRY:
        row: dict[str, Any] = {"name": importer.name, "platform": importer.platform,
                               "description": importer.description, "example": importer.example,
                               "auto_detected": importer.auto}
        if t is not None:
            row.update(platform=platform_name(t, importer.platform), description=t.gettext(importer.description),
                       example=t.gettext(importer.example))
        rows.append(row)
    return rows
