"""Threads, mentions and reviews. A reply's parent must be in the same workspace and thread;
a mention (``@name``) notifies only members of the workspace."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.urls import reverse

from ..i18n import _
from ..workspaces.access import Access
from .models import Comment, Notification, Review

__all__ = ["FINDINGS", "TARGET", "post_comment", "thread_address", "thread_context"]

FINDINGS = ("maturity", "responsiveness", "conversation", "broadcast", "voice", "content", "function", "coverage")
TARGET = re.compile(r"^(?:maturity|responsiveness|conversation|broadcast|voice|content|function|coverage"
                    r"|request:[^\s]{1,300}|plan:[\w.-]{1,100})$")
MENTION = re.compile(r"(?<![\w@])@([\w.-]{2,40})")


def thread_context(request: HttpRequest, access: Access, target: str) -> dict[str, Any]:
    """The thread of ``target`` (top-level comments with their replies) and the finding's review."""
    comments = list(Comment.objects.filter(workspace=access.workspace, target=target, deleted_at__isnull=True)
                    .select_related("author"))
    top = [c for c in comments if c.parent_id is None]
    replies: dict[int, list[Comment]] = {}
    for c in comments:
        if c.parent_id is not None:
            replies.setdefault(c.parent_id, []).append(c)
    review = Review.objects.filter(workspace=access.workspace, finding=target).select_related("by").first()
    return {"thread_target": target, "thread_items": [(c, replies.get(c.pk, [])) for c in top], "review": review}


def thread_address(comment: Comment) -> str:
    """Where the comment's thread is shown: the verdict, a family, an unanswered request, a plan item."""
    ws, target = comment.workspace_id, comment.target
    anchor = "#thread-" + target.replace(":", "-")
    if target == "maturity":
        return reverse("audits:overview", kwargs={"ws": ws}) + anchor
    if target in FINDINGS:
        return reverse("audits:family", kwargs={"ws": ws, "family": target}) + anchor
    if target.startswith("request:"):
        query = QueryDict(mutable=True)
        query["id"] = target.removeprefix("request:")
        return reverse("audits:request", kwargs={"ws": ws}) + "?" + query.urlencode()
    return reverse("plans:plan", kwargs={"ws": ws}) + "#objective-" + target.removeprefix("plan:")


@transaction.atomic
def post_comment(access: Access, author: User, target: str, body: str,
                 parent_id: int | None) -> Comment | None:
    """The new comment, or None when the target or the parent is not valid here."""
    if not TARGET.match(target) or not body.strip():
        return None
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, workspace=access.workspace, target=target,
                                        parent__isnull=True).first()
        if parent is None:
            return None
    comment = Comment.objects.create(workspace=access.workspace, target=target, parent=parent, author=author,
                                     body=body.strip()[:5000])
    _notify(access, comment)
    return comment


def _notify(access: Access, comment: Comment) -> None:
    names = {m.casefold() for m in MENTION.findall(comment.body)}
    if not names:
        return
    members = User.objects.filter(memberships__workspace=access.workspace).exclude(pk=comment.author_id or 0)
    for user in members:
        if user.get_username().casefold() in names:
            Notification.objects.create(user=user, comment=comment)
            if user.email:
                _mail_on_commit(access, comment, user)


def _mail_on_commit(access: Access, comment: Comment, user: Any) -> None:
    transaction.on_commit(lambda: _mail(access, comment, user))


def _mail(access: Access, comment: Comment, user: Any) -> None:
    author = comment.author.get_username() if comment.author else "?"
    send_mail(_("%(name)s mentioned you in %(workspace)s") % {"name": author, "workspace": access.workspace.name},
              comment.body, None, [user.email], fail_silently=True)
