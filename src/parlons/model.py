"""The canonical model: one table of posts and one of accounts.

Every importer produces rows of :data:`POST_FIELDS`; the store adds nothing but keys them by
``(platform, post_id)``. Each field carries its documentation, from which ``docs/data-model.md``
is checked. Ids are always strings: a 64-bit id never passes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

__all__ = [
    "ACCOUNT_FIELDS",
    "ACCOUNT_SCHEMA",
    "KINDS",
    "PLATFORMS",
    "POST_FIELDS",
    "POST_SCHEMA",
    "Field",
    "duckdb_columns",
]

KINDS = ("original", "reply", "repost", "quote", "comment")
"""Kinds of post. ``comment`` is a comment on a blog post or a feed item."""

PLATFORMS = (
    "x",
    "mastodon",
    "bluesky",
    "facebook",
    "instagram",
    "threads",
    "linkedin",
    "blog",
    "generic",
)

TIMESTAMP = pa.timestamp("us", tz="UTC")
STRINGS = pa.list_(pa.string())
UNIQUE_TEXT = "zstd"
"""The compression of the columns whose values are each post's own (its text, its ids, its links).

DuckDB's choice for text, DICT_FSST, looks first for values to share in a dictionary, which these
columns hardly have: ZSTD writes the rows of an import 7-13 % faster (1 M posts of each JSON format)
into a file as small or smaller, and the audit reads them as fast (``docs/performance.md``)."""


@dataclass(frozen=True)
class Field:
    """One column of the model: its name, Arrow type, SQL type and meaning; for the store, how DuckDB compresses it."""

    name: str
    type: pa.DataType
    sql: str
    doc: str
    nullable: bool = True
    compression: str | None = None
    """DuckDB's compression of the store's column, when not DuckDB's own choice (see :data:`UNIQUE_TEXT`)."""


POST_FIELDS: tuple[Field, ...] = (
    Field("platform", pa.string(), "VARCHAR", "Platform code: " + ", ".join(PLATFORMS) + ".", False),
    Field("post_id", pa.string(), "VARCHAR", "Platform-native id, unique per platform.", False, UNIQUE_TEXT),
    Field("account", pa.string(), "VARCHAR",
          "Author handle, normalized per platform: `org` on X, `@org@instance` on Mastodon, "
          "`org.bsky.social` on Bluesky, the site host for a blog's own posts.", False),
    Field("account_id", pa.string(), "VARCHAR", "Platform-native id of the author, where known."),
    Field("account_name", pa.string(), "VARCHAR", "Author display name, where known."),
    Field("created_at", TIMESTAMP, "TIMESTAMPTZ", "Publication time in UTC.", False),
    Field("text", pa.string(), "VARCHAR", "Plain text; HTML sources are converted (tags dropped, "
          "entities decoded, paragraphs and line breaks kept as newlines).", False, UNIQUE_TEXT),
    Field("html", pa.string(), "VARCHAR", "The original HTML when the source was HTML, else null.",
          compression=UNIQUE_TEXT),
    Field("title", pa.string(), "VARCHAR", "Title of a blog post, page or feed item, else null."),
    Field("lang", pa.string(), "VARCHAR", "Language as declared by the platform (BCP 47), else null."),
    Field("kind", pa.string(), "VARCHAR", "One of " + ", ".join(KINDS) + ".", False),
    Field("in_reply_to_id", pa.string(), "VARCHAR", "Id of the post this one answers.", compression=UNIQUE_TEXT),
    Field("in_reply_to_account", pa.string(), "VARCHAR", "Normalized handle of that post's author."),
    Field("in_reply_to_account_id", pa.string(), "VARCHAR", "Native id of that post's author."),
    Field("conversation_id", pa.string(), "VARCHAR",
          "Thread id (X conversation, Bluesky root, blog post of a comment), where known."),
    Field("repost_of_id", pa.string(), "VARCHAR", "Id of the reposted post, for reposts."),
    Field("repost_of_account", pa.string(), "VARCHAR", "Normalized handle of the reposted author."),
    Field("quote_of_id", pa.string(), "VARCHAR", "Id of the quoted post, for quotes."),
    Field("mentions", STRINGS, "VARCHAR[]", "Normalized handles mentioned, in order, no repeats."),
    Field("hashtags", STRINGS, "VARCHAR[]", "Hashtags without `#`, as written."),
    Field("urls", STRINGS, "VARCHAR[]", "Expanded link targets (no media links)."),
    Field("media_count", pa.int32(), "INTEGER", "Number of attached media; null when unknown."),
    Field("media_kinds", STRINGS, "VARCHAR[]", "Kinds of the attached media: image, video, gif, "
          "audio, document, other."),
    Field("source", pa.string(), "VARCHAR", "Client app that posted it (for example `TweetDeck`)."),
    Field("like_count", pa.int64(), "BIGINT", "Likes/favourites; null when unknown, never 0 for unknown."),
    Field("repost_count", pa.int64(), "BIGINT", "Reposts/boosts/retweets; null when unknown."),
    Field("reply_count", pa.int64(), "BIGINT", "Replies; null when unknown."),
    Field("quote_count", pa.int64(), "BIGINT", "Quotes; null when unknown."),
    Field("permalink", pa.string(), "VARCHAR", "Public URL of the post, where one can be built.",
          compression=UNIQUE_TEXT),
    Field("source_file", pa.string(), "VARCHAR", "Provenance: the file or archive given to import.",
          False),
    Field("source_member", pa.string(), "VARCHAR",
          "Provenance: the member inside a folder or zip (relative path), else the file name.", False),
    Field("source_record", pa.string(), "VARCHAR",
          "Provenance: the record inside the member (line number, array index or element id).",
          compression=UNIQUE_TEXT),
    Field("importer", pa.string(), "VARCHAR", "Provenance: the importer's name.", False),
    Field("importer_version", pa.string(), "VARCHAR", "Provenance: parlons version that imported it.",
          False),
    Field("imported_at", TIMESTAMP, "TIMESTAMPTZ", "Provenance: when the import ran (UTC).", False),
)

ACCOUNT_FIELDS: tuple[Field, ...] = (
    Field("platform", pa.string(), "VARCHAR", "Platform code, as in posts.", False),
    Field("account", pa.string(), "VARCHAR", "Normalized handle, as in posts.", False),
    Field("account_id", pa.string(), "VARCHAR", "Platform-native id, where known."),
    Field("display_name", pa.string(), "VARCHAR", "Display name, where known."),
    Field("description", pa.string(), "VARCHAR", "Profile text (bio), where known."),
    Field("url", pa.string(), "VARCHAR", "Profile or site URL, where known."),
    Field("created_at", TIMESTAMP, "TIMESTAMPTZ", "Account creation time, where known."),
    Field("is_owner", pa.bool_(), "BOOLEAN",
          "True when an imported archive belongs to this account (its own export).", False),
    Field("source_file", pa.string(), "VARCHAR", "Provenance: file that first described it.", False),
    Field("source_member", pa.string(), "VARCHAR", "Provenance: member that first described it.",
          False),
    Field("importer", pa.string(), "VARCHAR", "Provenance: importer's name.", False),
    Field("importer_version", pa.string(), "VARCHAR", "Provenance: parlons version.", False),
    Field("imported_at", TIMESTAMP, "TIMESTAMPTZ", "Provenance: import time (UTC).", False),
)


def _schema(fields: tuple[Field, ...]) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type, nullable=f.nullable) for f in fields])


POST_SCHEMA = _schema(POST_FIELDS)
ACCOUNT_SCHEMA = _schema(ACCOUNT_FIELDS)


def duckdb_columns(fields: tuple[Field, ...]) -> str:
    """The column list of a ``CREATE TABLE`` for ``fields``."""
    return ",\n  ".join(
        f"{f.name} {f.sql}{f' USING COMPRESSION {f.compression}' if f.compression else ''}"
        f"{'' if f.nullable else ' NOT NULL'}" for f in fields
    )
