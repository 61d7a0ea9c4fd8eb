"""Instagram "Download Your Information" export, JSON format: your posts, reels, stories and comments.

Paths differ between export generations (``content/`` before 2024, ``your_instagram_activity/media/``
after), so detection goes by content:

- posts: ``posts_1.json``, a JSON array of ``{"media": [{"uri", "creation_timestamp", "title",
  "media_metadata", "cross_post_source": {"source_app"}}], "title", "creation_timestamp"}``; a post
  with one picture often has no top-level ``title``/``creation_timestamp``, they sit on ``media[0]``;
  ``archived_posts.json`` holds the same items under ``ig_archived_post_media``;
- reels: ``reels.json``, ``{"ig_reels_media": [{"media": [...]}]}``;
- stories: ``stories.json``, ``{"ig_stories": [{"uri", "creation_timestamp", "title", ...}]}``;
- comments you wrote: ``post_comments_1.json`` (a JSON array) or ``{"comments_media_comments": [...]}``
  and ``reels_comments.json`` (``{"comments_reels_comments": [...]}``), items
  ``{"string_map_data": {"Comment": {"value"}, "Media Owner": {"value"}, "Time": {"timestamp"}}}``;
- the owner: ``personal_information.json``, ``{"profile_user": [{"string_map_data": {"Username":
  {"value"}, "Name": {"value"}}}]}``;
- Threads posts and replies, when the export also holds Threads (platform ``threads``; a Threads
  profile is the Instagram account, same username): ``threads/threads_and_replies.json``,
  ``{"text_post_app_text_posts": [{"media": [{"uri", "creation_timestamp", "title",
  "text_app_post": {"is_reply"}}], "title", "creation_timestamp"}]}``; a text-only post has one
  medium with an empty ``uri`` that carries the text.

Strings carry the same byte-by-byte escaping of UTF-8 as Facebook's and are all repaired. There are no
post ids in the export: ids are deterministic (``igx:`` + a hash, see the format page), so importing an
overlapping newer export adds nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa

from ..normalize import hashtags_in, unique, urls_in
from ..sources import Member
from ._base import Importer, ReadContext, post_row
from ._common import Owner, media_kind, stable_id
from ._meta import epoch, load_json, owner_file, records, repaired

__all__ = ["IMPORTER", "InstagramImporter"]

MEDIA_LIST = re.compile(r'\s*\[\s*\{\s*"media"\s*:\s*\[')
MEDIA_OBJECT = re.compile(r'\s*\{\s*"(ig_reels_media|ig_archived_post_media)"\s*:\s*\[')
STORIES_OBJECT = re.compile(r'\s*\{\s*"ig_stories"\s*:\s*\[')
COMMENTS_LIST = re.compile(r'\s*\[\s*\{\s*"(media_list_data|string_map_data|string_list_data|title)"\s*:')
THREADS_OBJECT = re.compile(r'\s*\{\s*"text_post_app_text_posts"\s*:\s*\[')
COMMENTS_OBJECT = re.compile(r'\s*\{\s*"(comments_media_comments|comments_reels_comments)"\s*:\s*\[')
PROFILE_HEAD = re.compile(r'\s*\{\s*"profile_user"\s*:')
POSTS_NAME = re.compile(r"^(posts|archived_posts)(_\d+)?\.json$", re.IGNORECASE)
COMMENTS_NAME = re.compile(r"^(post_comments|reels_comments)(_\d+)?\.json$", re.IGNORECASE)
META_HEAD = re.compile(r'\s*(\{\s*"(ig_|relationships_|likes_|saved_|story_activities_|impressions_history_|'
                       r'profile_user|account_|inbox|topics_|label_values)|\[\s*\{\s*"(title|string_list_data|'
                       r'label_values|timestamp)")')
INSTAGRAM_FOLDERS = frozenset({"your_instagram_activity", "personal_information", "connections", "logged_information",
                               "security_and_login_information", "ads_information", "preferences",
                               "apps_and_websites_off_of_instagram", "threads"})
MEDIA_FOLDERS = frozenset({"posts", "stories", "reels", "archived_posts", "profile", "other", "igtv"})
MEDIA_KEYS = ("ig_reels_media", "ig_archived_post_media")
COMMENT_KEYS = ("comments_media_comments", "comments_reels_comments")
COMMENT_LABELS = ("Comment", "Commentaire", "Kommentar", "Comentario", "Commento", "Opmerking")
OWNER_LABELS = ("Media Owner", "Propriétaire du média", "Media-eigenaar")
TIME_LABELS = ("Time", "Heure", "Tijd", "Zeit", "Hora")
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")


def mentions(text: str) -> list[str]:
    """Instagram handles written ``@name`` (letters, digits, ``_`` and inner dots), lower-cased."""
    return unique([m.lower() for m in _MENTION.findall(text)])


class InstagramImporter(Importer):
    name = "instagram"
    platform = "instagram"
    description = ("Instagram 'Download Your Information' (JSON): posts, reels, stories, your comments, "
                   "and Threads posts and replies")
    example = ("instagram-pelican-2024.zip, posts_1.json, reels.json, stories.json, post_comments_1.json, "
               "threads_and_replies.json")

    def detect(self, member: Member) -> bool:
        if not member.name.lower().endswith(".json"):
            return False
        head = member.head_text()
        if MEDIA_LIST.match(head) or MEDIA_OBJECT.match(head) or STORIES_OBJECT.match(head):
            return True
        if THREADS_OBJECT.match(head):
            return True
        if COMMENTS_OBJECT.match(head) or (COMMENTS_LIST.match(head) and self._comment_like(member, head)):
            return True
        names = POSTS_NAME.match(member.basename) or COMMENTS_NAME.match(member.basename)
        return bool(names) and re.match(r"\s*\[\s*\]\s*$", head) is not None

    @staticmethod
    def _comment_like(member: Member, head: str) -> bool:
        return COMMENTS_NAME.match(member.basename) is not None or any(f'"{k}"' in head for k in COMMENT_LABELS)

    def companion(self, member: Member) -> bool:
        parts = PurePosixPath(member.name).parts
        if any(part in INSTAGRAM_FOLDERS for part in parts[:-1]):
            return True
        if len(parts) > 2 and parts[0] == "media" and parts[1] in MEDIA_FOLDERS:
            return True
        return member.name.lower().endswith(".json") and META_HEAD.match(member.head_text(200)) is not None

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        owner = self._owner(members[0], ctx)
        threads = [m for m in members if THREADS_OBJECT.match(m.head_text())]
        if threads:  # a Threads profile is the Instagram account: same username, same name
            ctx.account(threads[0], platform="threads", account=owner.account, display_name=owner.name,
                        is_owner=True, url=f"https://www.threads.net/@{owner.account}")
        yield from ctx.batches(row for member in members for row in self._rows(member, owner, ctx))

    def _rows(self, member: Member, owner: Owner, ctx: ReadContext) -> Iterator[dict[str, Any]]:
        data = repaired(load_json(member))
        family, items = _family(member, data)
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                ctx.skip(member, index, "record is not a JSON object")
                continue
            if family == "comment":
                row = _comment(member, index, item, owner)
            elif family == "threads":
                row = _threads_post(member, index, item, owner)
            else:
                row = _media_post(member, index, item, owner, family)
            if row is None:
                ctx.skip(member, index, "record without a timestamp")
            else:
                yield row

    def _owner(self, member: Member, ctx: ReadContext) -> Owner:
        profile = owner_file(member, "personal_information.json", PROFILE_HEAD)
        if profile is not None:
            owner = _profile_owner(profile, ctx, required=not ctx.options.account)
            if owner is not None:
                return owner
        if not ctx.options.account:
            raise member.error("personal_information.json (`profile_user`) is missing, so the export's owner "
                               "is unknown; import the whole export (folder or zip) or give --account")
        ctx.note(f"instagram: owner taken from --account: {ctx.options.account}")
        return Owner(ctx.options.account.strip().lstrip("@").lower())


def _family(member: Member, data: Any) -> tuple[str, list[Any]]:
    """Which kind of records the file holds (``media``, ``story``, ``comment``, ``threads``) and the records."""
    if isinstance(data, dict) and isinstance(data.get("ig_stories"), list):
        return "story", list(data["ig_stories"])
    if isinstance(data, dict) and isinstance(data.get("text_post_app_text_posts"), list):
        return "threads", list(data["text_post_app_text_posts"])
    if isinstance(data, dict) and any(isinstance(data.get(k), list) for k in COMMENT_KEYS):
        return "comment", records(member, data, COMMENT_KEYS)
    items = records(member, data, MEDIA_KEYS)
    first = next((i for i in items if isinstance(i, dict)), {})
    labelled = "string_map_data" in first or "string_list_data" in first
    is_comment = labelled or COMMENTS_NAME.match(member.basename) is not None
    return ("comment" if is_comment else "media"), items


def _media_items(item: dict[str, Any]) -> list[dict[str, Any]]:
    media = item.get("media")
    if isinstance(media, list):
        return [m for m in media if isinstance(m, dict)]
    return [item] if isinstance(item.get("uri"), str) else []


def _caption(item: dict[str, Any], media: list[dict[str, Any]]) -> str:
    for candidate in [item, *media[:1]]:
        title = candidate.get("title")
        if isinstance(title, str) and title.strip():
            return title.strip()
    return ""


def _source_app(media: list[dict[str, Any]]) -> str | None:
    for m in media[:1]:
        cross = m.get("cross_post_source") or (m.get("media_metadata") or {}).get("cross_post_source")
        if isinstance(cross, dict) and isinstance(cross.get("source_app"), str):
            return cross["source_app"] or None
    return None


def _stamp(item: dict[str, Any], media: list[dict[str, Any]]) -> tuple[Any, datetime | None]:
    """The item's creation timestamp (else its first medium's), as written and as a time."""
    stamp = item.get("creation_timestamp") or next((m.get("creation_timestamp") for m in media), None)
    return stamp, epoch(stamp)


def _media_post(member: Member, index: int, item: dict[str, Any], owner: Owner,
                family: str) -> dict[str, Any] | None:
    media = _media_items(item)
    stamp, when = _stamp(item, media)
    if when is None:
        return None
    text = _caption(item, media)
    uris = [m["uri"] for m in media if isinstance(m.get("uri"), str)]
    first = PurePosixPath(uris[0]).name if uris else ""
    return post_row(
        platform="instagram", post_id=stable_id("igx:", owner.account, family, str(stamp), text, first),
        account=owner.account, account_name=owner.name, created_at=when, text=text, kind="original",
        mentions=mentions(text), hashtags=hashtags_in(text), urls=urls_in(text), media_count=len(uris),
        media_kinds=[media_kind(u) for u in uris], source=_source_app(media),
        source_member=member.name, source_record=str(index))


def _threads_post(member: Member, index: int, item: dict[str, Any], owner: Owner) -> dict[str, Any] | None:
    """A Threads post or reply: platform ``threads``, the owner's username; a reply's addressee is unknown."""
    media = _media_items(item)
    stamp, when = _stamp(item, media)
    if when is None:
        return None
    text = _caption(item, media)
    uris = [m["uri"] for m in media if isinstance(m.get("uri"), str) and m["uri"].strip()]
    flags = [m.get("text_app_post") for m in (item, *media)]
    reply = any(isinstance(f, dict) and f.get("is_reply") in (True, "true") for f in flags)
    first = PurePosixPath(uris[0]).name if uris else ""
    return post_row(
        platform="threads", post_id=stable_id("thx:", owner.account, "threads", str(stamp), text, first),
        account=owner.account, account_name=owner.name, created_at=when, text=text,
        kind="reply" if reply else "original", mentions=mentions(text), hashtags=hashtags_in(text),
        urls=urls_in(text), media_count=len(uris), media_kinds=[media_kind(u) for u in uris],
        source=_source_app(media), source_member=member.name, source_record=str(index))


def _labelled(fields: dict[str, Any], labels: Sequence[str], key: str) -> Any:
    for label in labels:
        entry = fields.get(label)
        if isinstance(entry, dict) and entry.get(key) is not None:
            return entry[key]
    return None


def _comment_fields(item: dict[str, Any]) -> tuple[Any, Any, Any]:
    """The comment's text, media owner and time; by English labels, else by position.

    Some exports write a comment as ``{"title": <media owner>, "string_list_data": [{"value": <text>,
    "timestamp": <time>}]}`` instead of labelled ``string_map_data``.
    """
    listed = item.get("string_list_data")
    if isinstance(listed, list) and not isinstance(item.get("string_map_data"), dict):
        entries = [e for e in listed if isinstance(e, dict)]
        text = next((e["value"] for e in entries if isinstance(e.get("value"), str)), None)
        stamp = next((e["timestamp"] for e in entries if e.get("timestamp") is not None), None)
        return text, item.get("title"), stamp
    fields = item.get("string_map_data")
    fields = fields if isinstance(fields, dict) else {}
    text = _labelled(fields, COMMENT_LABELS, "value")
    owner = _labelled(fields, OWNER_LABELS, "value")
    stamp = _labelled(fields, TIME_LABELS, "timestamp")
    entries = [e for e in fields.values() if isinstance(e, dict)]
    if text is None:  # labels in another language: Meta writes the comment, then the owner, then the time
        values = [e["value"] for e in entries if isinstance(e.get("value"), str)] + [None, None]
        text, owner = values[0], owner or values[1]
    # some exports have no `Time` entry: the time sits on the comment's own entry
    stamp = stamp or next((e["timestamp"] for e in entries if e.get("timestamp")), None)
    return text, owner, stamp


def _comment(member: Member, index: int, item: dict[str, Any], owner: Owner) -> dict[str, Any] | None:
    text, target, stamp = _comment_fields(item)
    when = epoch(stamp)
    if when is None:
        return None
    text = text.strip() if isinstance(text, str) else ""
    target = target.strip().lstrip("@").lower() if isinstance(target, str) and target.strip() else None
    return post_row(
        platform="instagram", post_id=stable_id("igx:", owner.account, "comment", str(stamp), text, target or ""),
        account=owner.account, account_name=owner.name, created_at=when, text=text, kind="reply",
        in_reply_to_account=target, mentions=mentions(text), hashtags=hashtags_in(text), urls=urls_in(text),
        media_count=None, media_kinds=[], source_member=member.name, source_record=str(index))


def _profile_owner(profile: Member, ctx: ReadContext, *, required: bool = True) -> Owner | None:
    data = repaired(load_json(profile))
    users = data.get("profile_user") if isinstance(data, dict) else None
    user = users[0] if isinstance(users, list) and users and isinstance(users[0], dict) else {}
    fields: dict[str, Any] = user["string_map_data"] if isinstance(user.get("string_map_data"), dict) else {}
    username = _labelled(fields, ("Username", "Nom d’utilisateur", "Nom d'utilisateur"), "value")
    if not isinstance(username, str) or not username.strip():
        if not required:
            return None
        raise profile.error("personal_information.json has no `Username`; give --account instead")
    name = _labelled(fields, ("Name", "Nom"), "value")
    account = username.strip().lstrip("@").lower()
    display = name.strip() if isinstance(name, str) and name.strip() else None
    ctx.account(profile, platform="instagram", account=account, display_name=display, is_owner=True,
                url=f"https://www.instagram.com/{account}/")
    return Owner(account, display)


IMPORTER = InstagramImporter()
