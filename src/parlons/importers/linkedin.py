"""LinkedIn data export ("Get a copy of your data"): ``Shares.csv`` (your posts) and ``Comments.csv``.

- ``Shares.csv``: ``Date, ShareLink, ShareCommentary, SharedUrl, MediaUrl, Visibility``. ``Date`` is UTC
  (``2025-07-01 14:33:22``); ``ShareLink`` holds the post's URN, URL-encoded
  (``.../feed/update/urn%3Ali%3Ashare%3A7345...``). LinkedIn wraps every line of a multi-line
  ``ShareCommentary`` in doubled quotes, so after CSV parsing each line but the first starts with ``"``
  and each line but the last ends with one: that wrapping is undone. One share can fill several
  consecutive rows (one per ``MediaUrl``, often the same picture at several sizes): they become one post.
- ``Comments.csv``: ``Date, Link, Message``, with quotes inside ``Message`` escaped as ``\\"``, which
  is not CSV. Records are found by their start (a date, then a link) and each is parsed on its own, so
  one broken record cannot swallow the rest; records that still cannot be read are counted as skipped
  with their line numbers.
- The owner comes from ``Profile.csv`` (``First Name``, ``Last Name``, ...), else ``--account``, else
  the placeholder :data:`DEFAULT_ACCOUNT` (with a note in the report).

Older exports (2018) are UTF-16, tab-separated, with spaced column names (``Share Commentary``,
``Share Title``) and times written ``2017/06/08 08:15:44 UTC``: names are compared without case, spaces or
underscores, and the delimiter is the header's. Exports are small, so the files are streamed through
Python's ``csv`` module row by row. The other CSV files of the export (connections, messages, reactions,
profile...) are known, not posts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TextIO
from urllib.parse import unquote

import pyarrow as pa

from ..normalize import hashtags_in, parse_time, unique, urls_in
from ..sources import Member
from ._base import Importer, ReadContext, post_row
from ._common import Owner, media_kind, stable_id
from ._duck import CSV_TOO_LONG, MAX_CSV_RECORD, bounded_csv_records

__all__ = ["DEFAULT_ACCOUNT", "IMPORTER", "LinkedInImporter", "unwrap_lines"]

DEFAULT_ACCOUNT = "linkedin-export-owner"
"""The account of posts whose export has no ``Profile.csv`` and no ``--account`` was given."""

COMMENTS_HEADER = ("date", "link", "message")
KNOWN_FILES = frozenset({
    "connections", "profile", "profile_summary", "positions", "education", "skills", "languages",
    "certifications", "courses", "projects", "honors", "publications", "patents", "volunteering",
    "recommendations_received", "recommendations_given", "endorsement_received_info",
    "endorsement_given_info", "invitations", "messages", "guide_messages", "learning_coach_messages",
    "reactions", "votes", "email_addresses", "phonenumbers", "whatsapp_phone_numbers", "registration",
    "company_follows", "member_follows", "hashtag_follows", "rich_media", "savedjobalerts",
    "saved_jobs", "job_applications", "job_seeker_preferences", "ad_targeting", "inferences_about_you",
    "learning", "events", "receipts", "receipts_v2", "logins", "security_challenges", "search_queries",
    "instant_messengers", "causes_you_care_about", "private_identity_asset", "jobs", "organizations",
    "test_scores", "services_marketplace", "verifications", "articles", "instantreposts", "videos",
    # seen in real exports of 2024-2026
    "searchqueries", "saved_items", "contacts", "importedcontacts", "calendar", "reviews", "ads_clicked",
    "lan_ads_engagement", "learningcoachmessages", "learning_role_play_messages", "job_applicant_saved_answers",
    "job_applicant_saved_screening_question_responses", "duolingo",
})
RECORD_START = re.compile(r'^(?:"?\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}:\d{2}(?: UTC)?"?)?[,\t]"?https?://')
URN = re.compile(r"urn:li:(?:share|activity|ugcPost|groupPost|article|comment|fsd_comment):[\w:(),-]+")
ACTIVITY_IN_URL = re.compile(r"activity-(\d{15,})")
COMMENT_URN = re.compile(r"urn:li:(?:comment|fsd_comment):\([^)]*\)")


def unwrap_lines(value: str) -> str:
    """Undo LinkedIn's wrapping of each line of a multi-line text in quotes (left by its CSV writer)."""
    lines = value.replace("\r\n", "\n").split("\n")
    if len(lines) < 2:
        return value
    first, *middle, last = lines
    wrapped = first.endswith('"') and last.startswith('"') and all(
        len(line) >= 2 and line[0] == line[-1] == '"' for line in middle)
    if not wrapped:
        return value
    return "\n".join([first[:-1], *(line[1:-1] for line in middle), last[1:]])


def _column(name: str) -> str:
    """A column's name without case, spaces or underscores (``Share Link`` and ``ShareLink`` agree)."""
    return re.sub(r"[\s_]+", "", name.strip().strip('"').lower())


def _delimiter(member: Member) -> str:
    """``\t`` for the tab-separated files of older exports (2018, UTF-16), else ``,``."""
    lines = member.head_text(1024).splitlines() if member.size else []
    first = lines[0] if lines else ""
    return "\t" if first.count("\t") > first.count(",") else ","


def _header(member: Member) -> tuple[str, ...]:
    lines = member.head_text(1024).splitlines() if member.size else []
    first = lines[0] if lines else ""
    return tuple(_column(cell) for cell in first.split(_delimiter(member)))


def _is_shares(header: tuple[str, ...]) -> bool:
    return "date" in header and ("sharelink" in header or "sharecommentary" in header)


def _stem(member: Member) -> str:
    stem = re.sub(r"[^a-z0-9]+", "_", PurePosixPath(member.basename).stem.lower()).strip("_")
    return re.sub(r"_\d+$", "", stem)


def _urn(link: str) -> str | None:
    """The post's URN in a LinkedIn URL (URL-decoded), or ``urn:li:activity:N`` from a ``/posts/`` URL."""
    decoded = unquote(link)
    match = URN.search(decoded)
    if match:
        return match.group(0)
    activity = ACTIVITY_IN_URL.search(decoded)
    return f"urn:li:activity:{activity.group(1)}" if activity else None


def _media_kind(url: str) -> str:
    kind = media_kind(url)
    if kind != "other":
        return kind
    path = url.split("?", 1)[0]
    for part, name in (("/image/", "image"), ("/video/", "video"), ("/document/", "document")):
        if part in path:
            return name
    return "other"


def _distinct_media(urls: list[str]) -> list[str]:
    """Media URLs, one per picture: sizes of one picture share the folder of their URL."""
    seen: dict[str, str] = {}
    for url in urls:
        seen.setdefault(url.split("?", 1)[0].rsplit("/", 1)[0], url)
    return list(seen.values())


@dataclass
class _Share:
    """One post being assembled from one or more consecutive rows of Shares.csv."""

    line: int
    date: str
    link: str
    text: str
    shared: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)

    def add(self, row: dict[str, str]) -> None:
        self.shared += [row["sharedurl"]] if row.get("sharedurl") else []
        self.media += [row["mediaurl"]] if row.get("mediaurl") else []


class LinkedInImporter(Importer):
    name = "linkedin"
    platform = "linkedin"
    description = "LinkedIn data export: Shares.csv (your posts) and Comments.csv, owner from Profile.csv"
    example = "Basic_LinkedInDataExport_07-01-2025.zip, Shares.csv, Comments.csv"

    def detect(self, member: Member) -> bool:
        if not member.name.lower().endswith(".csv"):
            return False
        header = _header(member)
        return _is_shares(header) or header[:3] == COMMENTS_HEADER

    def companion(self, member: Member) -> bool:
        if member.name.lower().endswith(".html") and "articles" in PurePosixPath(member.name).parts[:-1]:
            return True
        return member.name.lower().endswith(".csv") and _stem(member) in KNOWN_FILES

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        owner = self._owner(members[0], ctx)
        for member in members:
            rows = self._shares(member, owner, ctx) if _is_shares(_header(member)) else \
                self._comments(member, owner, ctx)
            yield from ctx.batches(rows)

    # -- Shares.csv ----------------------------------------------------------------------------

    def _shares(self, member: Member, owner: Owner, ctx: ReadContext) -> Iterator[dict[str, Any]]:
        pending: _Share | None = None
        for line, row in _csv_rows(member):
            if isinstance(row, str) or not parse_time(row.get("date")):
                ctx.skip(member, f"line {line}", row if isinstance(row, str) else "row without a readable Date")
                continue
            if pending is not None and row.get("sharelink") and row["sharelink"] == pending.link:
                pending.add(row)
                continue
            if pending is not None:
                yield self._share_row(member, pending, owner)
            text = row.get("sharecommentary") or row.get("sharetitle") or ""
            pending = _Share(line, row["date"], row.get("sharelink") or "", text)
            pending.add(row)
        if pending is not None:
            yield self._share_row(member, pending, owner)

    def _share_row(self, member: Member, share: _Share, owner: Owner) -> dict[str, Any]:
        text = unwrap_lines(share.text).replace("\r\n", "\n").strip()
        media = _distinct_media(share.media)
        post_id = _urn(share.link) or stable_id("lix:", share.date, text)
        return post_row(
            platform="linkedin", post_id=post_id, account=owner.account, account_name=owner.name,
            created_at=parse_time(share.date), text=text, kind="original", mentions=[],
            hashtags=hashtags_in(text), urls=unique(share.shared + urls_in(text)),
            media_count=len(media) if media else None, media_kinds=[_media_kind(u) for u in media],
            permalink=share.link or None, source_member=member.name, source_record=f"line {share.line}")

    # -- Comments.csv --------------------------------------------------------------------------

    def _comments(self, member: Member, owner: Owner, ctx: ReadContext) -> Iterator[dict[str, Any]]:
        delimiter = _delimiter(member)
        for line, text in _records(member, ctx):
            fields = _comment_fields(text, delimiter)
            when = parse_time(fields[0]) if fields else None
            if fields is None or when is None:
                ctx.skip(member, f"line {line}", "comment record that cannot be read (broken quoting)"
                         if fields is None else "comment without a readable Date")
                continue
            yield self._comment_row(member, line, fields, owner)

    def _comment_row(self, member: Member, line: int, fields: tuple[str, str, str],
                     owner: Owner) -> dict[str, Any]:
        date, link, message = fields
        text = unwrap_lines(message).strip()
        own = COMMENT_URN.search(unquote(link))
        target = _urn(link.split("?", 1)[0])
        return post_row(
            platform="linkedin", post_id=own.group(0) if own else stable_id("lix:", date, link, text),
            account=owner.account, account_name=owner.name, created_at=parse_time(date), text=text,
            kind="reply", in_reply_to_id=target, mentions=[], hashtags=hashtags_in(text), urls=urls_in(text),
            media_count=None, media_kinds=[], permalink=link or None, source_member=member.name,
            source_record=f"line {line}")

    # -- owner ---------------------------------------------------------------------------------

    def _owner(self, member: Member, ctx: ReadContext) -> Owner:
        profile = member.source.find("Profile.csv")
        if profile is not None:
            owner = _profile_owner(profile, ctx)
            if owner is not None:
                return owner
        if ctx.options.account:
            ctx.note(f"linkedin: owner taken from --account: {ctx.options.account}")
            return Owner(ctx.options.account.strip())
        ctx.note(f"linkedin: no Profile.csv and no --account: posts are filed under '{DEFAULT_ACCOUNT}'")
        return Owner(DEFAULT_ACCOUNT)


def _csv_rows(member: Member) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(start line, row by column name) of each CSV record, or (start line, why it is skipped).

    Records come from :func:`~parlons.importers._duck.bounded_csv_records`, the rule every CSV
    reader follows: one longer than 8 MB is skipped (:data:`CSV_TOO_LONG`), never the import.
    """
    names: list[str] | None = None
    try:
        with member.open_text() as stream:
            for start, cells in bounded_csv_records(stream, delimiter=_delimiter(member), strict=True):
                if cells is None:
                    yield start, CSV_TOO_LONG
                elif names is None:
                    names = [_column(name) for name in cells]
                elif any(cells):
                    yield start, (dict(zip(names, cells, strict=True)) if len(cells) == len(names) else
                                  "row with a wrong number of fields")
    except csv.Error as exc:  # a quote left open at the end: the file was cut
        raise member.error(f"is not readable CSV ({exc}); the file may be truncated") from None
    except UnicodeDecodeError as exc:
        raise member.error(f"is not valid {member.encoding().upper()} text ({exc.reason}); "
                           "re-save it as UTF-8") from None


def _records(member: Member, ctx: ReadContext) -> Iterator[tuple[int, str]]:
    """The records of a Comments.csv as (start line, raw text), found by where each one starts.

    A record longer than :data:`MAX_CSV_RECORD` (lines read by bounded pieces) is skipped and
    counted under :data:`CSV_TOO_LONG`, the rule of every CSV reader.
    """
    current: list[str] = []
    start = length = 0
    try:
        with member.open_text() as stream:
            for number, raw, size in _physical_lines(stream):
                line = raw.rstrip("\r\n")
                if number == 1:
                    continue
                if RECORD_START.match(line):
                    if current:
                        yield start, "\n".join(current)
                    current, start, length = [line], number, 0
                elif not start:
                    if line.strip():
                        ctx.skip(member, f"line {number}", "text outside any comment record")
                    continue
                elif current:
                    current.append(line)
                length += size
                if length > MAX_CSV_RECORD and current:
                    ctx.skip(member, f"line {start}", CSV_TOO_LONG)
                    current = []
    except UnicodeDecodeError as exc:
        raise member.error(f"is not valid {member.encoding().upper()} text ({exc.reason}); "
                           "re-save it as UTF-8") from None
    if current:
        yield start, "\n".join(current)


def _physical_lines(stream: TextIO) -> Iterator[tuple[int, str, int]]:
    """(number, text, length) of each line, the text cut at :data:`MAX_CSV_RECORD` characters (a
    longer line is read on by pieces and not kept), so memory stays bounded."""
    number = 0
    while piece := stream.readline(MAX_CSV_RECORD + 1):
        number += 1
        size = len(piece)
        ended = piece.endswith(("\n", "\r")) or size <= MAX_CSV_RECORD
        while not ended and (more := stream.readline(MAX_CSV_RECORD)):
            size += len(more)
            ended = more.endswith(("\n", "\r"))
        yield number, piece, size


def _comment_fields(text: str, delimiter: str = ",") -> tuple[str, str, str] | None:
    """Date, Link and Message of one Comments.csv record, ``\\"`` escapes undone; None if unreadable."""
    try:
        cells = next(csv.reader([text.replace('\\"', '""')], delimiter=delimiter, strict=True))
        if len(cells) == 3:
            return cells[0], cells[1], cells[2]
    except (csv.Error, StopIteration):
        pass
    date, _, rest = text.partition(delimiter)
    link, _, message = rest.partition(delimiter)
    if message.startswith('"'):
        if len(message) < 2 or not message.endswith('"'):
            return None
        message = message[1:-1].replace('\\"', '"').replace('""', '"')
    return date.strip('"'), link.strip('"'), message


def _profile_owner(profile: Member, ctx: ReadContext) -> Owner | None:
    rows = (row for _, row in _csv_rows(profile) if not isinstance(row, str))
    first = next(rows, None)
    if first is None:
        return None
    name = " ".join(part.strip() for part in (first.get("firstname"), first.get("lastname")) if part and part.strip())
    if not name:
        return None
    about = (first.get("summary") or first.get("headline") or "").strip() or None
    ctx.account(profile, platform="linkedin", account=name, display_name=name, description=about, is_owner=True)
    return Owner(name, name)


IMPORTER = LinkedInImporter()
