"""Live collection from the open networks: Mastodon, Bluesky, RSS/Atom feeds.

``parlons collect`` reads what those networks publish without any token (an account's posts and
the public threads under them: who asked, and whether and when the account answered) into the same
store as the importers, with the same keys, so a post collected and later found in an archive is
one post. Each run is incremental (a cursor per account in the store) and resumable (batches are
committed as they arrive). Every request goes through :class:`~parlons.collect._http.HttpClient`:
rate limits, backoff, a cap per run, a User-Agent naming parlons.
"""

from __future__ import annotations

from ._http import HttpClient
from ._sink import CollectReport
from .bluesky import collect_bluesky
from .feeds import collect_feeds
from .mastodon import collect_mastodon

__all__ = ["CollectReport", "HttpClient", "collect_bluesky", "collect_feeds", "collect_mastodon"]
