"""Facebook "Download Your Information" export, JSON format: your posts and your comments.

Meta has moved the files around over the years, so detection goes by content, not by path:

- posts: a JSON array of ``{"timestamp": <epoch s>, "data": [{"post": text}, {"update_timestamp": ...}],
  "attachments": [{"data": [{"media": {"uri", "title", "description"}} | {"external_context": {"url"}} |
  ...]}], "tags": [...], "title": "X updated his status."}`` in
  ``your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json`` (2024+),
  ``posts/your_posts_1.json`` (older) or ``this_profile's_activity_across_facebook/posts/profile_posts_1.json``
  (Pages); posts in groups come as ``{"group_posts_v2": [...]}`` with the same items;
- comments: ``{"comments_v2": [{"timestamp", "data": [{"comment": {"timestamp", "comment", "author",
  "group"}}], "attachments", "title": "X commented on Y's post."}]}`` in ``comments.json`` (older exports:
  key ``comments``), group comments as ``{"group_comments_v2": [...]}``;
- the owner: ``profile_information.json`` (``{"profile_v2": {"name": {"full_name"}, "profile_uri"}}``).

A post is a repost (a quote when it has text) when its title says it shares another post, whether or not
it names the author (``X shared Y's post.``, ``X shared a post.``, in a few languages); a person tagged
inside a text, written ``@[<id>:2048:<name>]`` by older exports, becomes the name and a mention.

Every string in these files is UTF-8 whose bytes were escaped one by one (``\\u00c3\\u00a9`` for ``é``):
all of them are repaired (:mod:`parlons.importers._meta`). The export carries no post ids, so each row
gets a deterministic id (see :func:`~parlons.importers._common.stable_id`): importing the same export,
or a newer one that overlaps it, adds nothing twice.
Files are small (Meta splits big ones into ``_1``, ``_2``, ...), so records are shaped row by row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote

import pyarrow as pa

from ..normalize import hashtags_in, unique, urls_in
from ..sources import Member
from ._base import Importer, ReadContext, post_row
from ._common import Owner, media_kind, stable_id
from ._meta import epoch, load_json, owner_file, records, repaired

__all__ = ["IMPORTER", "FacebookImporter"]

POSTS_HEAD = re.compile(r'\s*\[\s*\{\s*"timestamp"\s*:\s*\d+\s*,\s*"(attachments|data|title|tags)"\s*:')
POSTS_OBJECT = re.compile(r'\s*\{\s*"(group_posts_v2|status_updates)"\s*:\s*\[')
COMMENTS_OBJECT = re.compile(r'\s*\{\s*"(comments_v2|comments|group_comments_v2)"\s*:\s*\[')
PROFILE_HEAD = re.compile(r'\s*\{\s*"(profile_v2|profile)"\s*:')
POSTS_NAME = re.compile(r"^(your_posts|profile_posts)[\w-]*\.json$", re.IGNORECASE)
META_OBJECT = re.compile(r'\s*\{\s*"[a-z_]+_v2"\s*:')
FACEBOOK_FOLDERS = frozenset({
    "your_facebook_activity", "this_profile's_activity_across_facebook", "logged_information",
    "security_and_login_information", "ads_information", "apps_and_websites_off_of_facebook",
    "profile_information", "preferences", "personal_information", "connections",
})
POST_KEYS = ("group_posts_v2", "status_updates")
COMMENT_KEYS = ("comments_v2", "comments", "group_comments_v2")

_SHARED = re.compile(r"\bshared (.+)['’]s (?:post|photo|video|reel|link|status|album|live video|event)\b")
_SHARED_FR = re.compile(r"\ba partagé (?:la |le |l['’])?(?:publication|photo|vidéo|lien|statut) (?:de |d['’])(.+?)\.?$")
_TARGET = re.compile(r"\b(?:commented on|replied to) (.+)['’]s (?:\w+ )?(?:post|comment|photo|video|reel|link|"
                     r"status|album|live video|note|event|life event|story)\b")
_TARGET_FR = re.compile(r"\ba (?:commenté|répondu)\b.*?\b(?:publication|commentaire|photo|vidéo|lien|statut)s?"
                        r" (?:de |d['’])(.+?)\.?$")
_OWN = re.compile(r"\b(?:his|her|their|its) own\b|\bsa propre\b|\bson propre\b")
# "X shared a post." (the author is not named: hidden, or the owner's own memory), in the languages seen
_SHARED_UNNAMED = re.compile(
    r"\bshared (?:a|an) (?:post|photo|video|album|reel|memory|live video)\b"
    r"|\ba partagé (?:une publication|une photo|une vidéo|un album|un souvenir)\b"
    r"|\bha compartido (?:una publicación|una foto|un vídeo|un video|un álbum|un recuerdo)\b"
    r"|\bđã chia sẻ (?:một bài viết|một ảnh|một video|một album|một kỷ niệm)\b", re.IGNORECASE)
# "X wrote on Y's timeline.", "X added 3 new photos to Y's timeline.": a post written to Y, on Y's page
_ON_TIMELINE = re.compile(
    r"\b(?:wrote on|posted on|posted to|shared a link on|to) (.+?)['’]s timeline\b"
    r"|\b(?:sur|dans) le journal (?:de |d['’])(.+?)\.?$"
    r"|\ben la biografía de (.+?)\.?$")
_DIRECTION_MARKS = "\u200e\u200f\u202a\u202b\u202c"
# a person or Page tagged in the text of older exports: @[<id>:<type>:<name>]
_TAG_MARKUP = re.compile(r"@\[\d+:\d+:([^\]]+)\]")


def _base_name(uri: str) -> str:
    return PurePosixPath(uri.split("?", 1)[0]).name


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _attachments(item: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for group in _dicts(item.get("attachments")) for entry in _dicts(group.get("data"))]


def _media(item: dict[str, Any]) -> list[dict[str, Any]]:
    found = [a["media"] for a in _attachments(item) if isinstance(a.get("media"), dict)]
    return [m for m in found if isinstance(m.get("uri"), str)]


def _links(item: dict[str, Any]) -> list[str]:
    """The shared links; some exports write a link URL-encoded (``http%3A%2F%2F...``): it is decoded."""
    contexts = [a.get("external_context") for a in _attachments(item)]
    urls = [c.get("url") for c in contexts if isinstance(c, dict)]
    urls = [unquote(u) if isinstance(u, str) and u.lower().startswith(("http%3a", "https%3a")) else u for u in urls]
    return [u for u in urls if isinstance(u, str) and u.startswith(("http://", "https://"))]


def _untagged(text: str) -> tuple[str, list[str]]:
    """The text with each tag ``@[123:2048:Name]`` written as ``Name``, and the names tagged."""
    names = [name.strip() for name in _TAG_MARKUP.findall(text)]
    return _TAG_MARKUP.sub(lambda match: match.group(1).strip(), text), names


def _post_text(item: dict[str, Any], media: list[dict[str, Any]]) -> str:
    texts = [d["post"] for d in _dicts(item.get("data")) if isinstance(d.get("post"), str)]
    if not texts:
        labels = _dicts(item.get("label_values"))
        texts = [v["value"] for v in labels
                 if v.get("label") in ("Post", "Message") and isinstance(v.get("value"), str)]
    if not texts and media and isinstance(media[0].get("description"), str):
        texts = [media[0]["description"]]
    return "\n\n".join(t.strip() for t in texts if t.strip())


def _tags(item: dict[str, Any]) -> list[str]:
    tags = item.get("tags") if isinstance(item.get("tags"), list) else []
    names = [t.get("name") if isinstance(t, dict) else t for t in tags or []]
    return unique([n.strip() for n in names if isinstance(n, str)])


def _title(item: dict[str, Any]) -> str | None:
    title = item.get("title")
    return title.strip() or None if isinstance(title, str) else None


def _target(title: str | None, owner: Owner) -> str | None:
    """Whose post or comment a comment answers, from a title like ``X commented on Y's post.``."""
    if not title:
        return None
    if _OWN.search(title):
        return owner.account
    match = _TARGET.search(title) or _TARGET_FR.search(title)
    return match.group(1).strip() if match else None


def _shared_from(title: str | None) -> str | None:
    """Whose post a post shares, from a title like ``X shared Y's post.``."""
    match = (_SHARED.search(title) or _SHARED_FR.search(title)) if title else None
    return match.group(1).strip() if match else None


def _written_to(title: str | None, owner: Owner) -> list[str]:
    """Whose timeline a post was written on (``X wrote on Y's timeline.``), as a mention: the post is
    addressed to Y, as a mention addresses it; nobody when the title names no one, or the owner."""
    match = _ON_TIMELINE.search(title) if title else None
    if match is None:
        return []
    name = next(g for g in match.groups() if g is not None).strip(_DIRECTION_MARKS + " ")
    return [name] if name and name != owner.account and name != owner.name else []


def _is_share(title: str | None) -> bool:
    """Whether the title says the post shares another post (``X shared a post.``, ``X shared Y's photo.``)."""
    return bool(title) and (_shared_from(title) is not None or _SHARED_UNNAMED.search(title or "") is not None)


class FacebookImporter(Importer):
    name = "facebook"
    platform = "facebook"
    description = "Facebook 'Download Your Information' (JSON): your posts, group posts and comments"
    example = "facebook-mairie-2024.zip, your_posts__check_ins__photos_and_videos_1.json, comments.json"

    def detect(self, member: Member) -> bool:
        if not member.name.lower().endswith(".json"):
            return False
        head = member.head_text()
        if COMMENTS_OBJECT.match(head) or POSTS_OBJECT.match(head):
            return True
        if POSTS_NAME.match(member.basename) and head.lstrip().startswith("["):
            return True
        return POSTS_HEAD.match(head) is not None and '"reaction"' not in head and '"label_values"' not in head

    def companion(self, member: Member) -> bool:
        parts = PurePosixPath(member.name).parts
        if any(part in FACEBOOK_FOLDERS for part in parts[:-1]):
            return True
        return member.name.lower().endswith(".json") and META_OBJECT.match(member.head_text(200)) is not None

    def read(self, members: Sequence[Member], ctx: ReadContext) -> Iterator[pa.RecordBatch]:
        owner = self._owner(members[0], ctx)
        yield from ctx.batches(row for member in members for row in self._rows(member, owner, ctx))

    def _rows(self, member: Member, owner: Owner, ctx: ReadContext) -> Iterator[dict[str, Any]]:
        data = repaired(load_json(member))
        is_comments = isinstance(data, dict) and any(isinstance(data.get(k), list) for k in COMMENT_KEYS)
        items = records(member, data, COMMENT_KEYS if is_comments else POST_KEYS)
        shape = self._comment if is_comments else self._post
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                ctx.skip(member, index, "record is not a JSON object")
                continue
            row = shape(member, index, item, owner)
            if row is None:
                ctx.skip(member, index, "record without a timestamp")
            else:
                yield row

    def _post(self, member: Member, index: int, item: dict[str, Any], owner: Owner) -> dict[str, Any] | None:
        when = epoch(item.get("timestamp"))
        if when is None:
            return None
        media = _media(item)
        title = _title(item)
        written = _post_text(item, media)
        text, tagged = _untagged(written)
        kind = "original" if not _is_share(title) else ("quote" if text else "repost")
        return post_row(
            **self._common(member, index, item, owner, ("post", written), text, media),
            title=title, kind=kind, repost_of_account=_shared_from(title) if kind == "repost" else None,
            mentions=unique(_tags(item) + tagged + _written_to(title, owner)), created_at=when)

    def _comment(self, member: Member, index: int, item: dict[str, Any], owner: Owner) -> dict[str, Any] | None:
        found = (d["comment"] for d in _dicts(item.get("data")) if isinstance(d.get("comment"), dict))
        comment: dict[str, Any] = next(found, {})
        when = epoch(comment.get("timestamp")) or epoch(item.get("timestamp"))
        if when is None:
            return None
        written = comment["comment"].strip() if isinstance(comment.get("comment"), str) else ""
        text, tagged = _untagged(written)
        title = _title(item)
        return post_row(
            **self._common(member, index, item, owner, ("comment", written), text.strip(), _media(item)),
            title=title, kind="reply", in_reply_to_account=_target(title, owner), mentions=unique(tagged),
            created_at=when)

    def _common(self, member: Member, index: int, item: dict[str, Any], owner: Owner, family: tuple[str, str],
                text: str, media: list[dict[str, Any]]) -> dict[str, Any]:
        """The fields posts and comments share; ``family`` is the record family and the text as written
        (tags in their ``@[...]`` form), from which the id is made so that it never changes."""
        stamp = str(item.get("timestamp"))
        first = _base_name(media[0]["uri"]) if media else ""
        return {
            "platform": "facebook", "account": owner.account, "account_name": owner.name,
            "post_id": stable_id("fbx:", owner.account, family[0], stamp, family[1], first),
            "text": text, "hashtags": hashtags_in(text), "urls": unique(_links(item) + urls_in(text)),
            "media_count": len(media), "media_kinds": [media_kind(m["uri"]) for m in media],
            "source_member": member.name, "source_record": str(index),
        }

    def _owner(self, member: Member, ctx: ReadContext) -> Owner:
        profile = owner_file(member, "profile_information.json", PROFILE_HEAD)
        if profile is not None:
            owner = _profile_owner(profile, ctx, required=not ctx.options.account)
            if owner is not None:
                return owner
        if not ctx.options.account:
            raise member.error("profile_information.json (`profile_v2`) is missing, so the export's owner is "
                               "unknown; import the whole export (folder or zip) or give --account")
        ctx.note(f"facebook: owner taken from --account: {ctx.options.account}")
        return Owner(ctx.options.account.strip())


def _profile_owner(profile: Member, ctx: ReadContext, *, required: bool = True) -> Owner | None:
    data = repaired(load_json(profile))
    block = _first_dict(data, ("profile_v2", "profile"))
    name_block = block.get("name")
    name = name_block.get("full_name") if isinstance(name_block, dict) else name_block
    if not isinstance(name, str) or not name.strip():
        if not required:
            return None
        raise profile.error("profile_information.json has no `name.full_name`; give --account instead")
    uri = block.get("profile_uri")
    ctx.account(profile, platform="facebook", account=name.strip(), display_name=name.strip(), is_owner=True,
                url=uri if isinstance(uri, str) else None, created_at=epoch(block.get("registration_timestamp")))
    return Owner(name.strip(), name.strip())


def _first_dict(data: Any, keys: Iterable[str]) -> dict[str, Any]:
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), dict):
                return dict(data[key])
    return {}


IMPORTER = FacebookImporter()
