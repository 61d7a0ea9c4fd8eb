from __future__ import annotations

from django.conf import settings
from django.db import models

from ..i18n import N_
from ..workspaces.models import Workspace

__all__ = ["Comment", "Notification", "Review"]


class Comment(models.Model):
    """A comment on one thing of the workspace (a finding, a request, a plan item), maybe a reply."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=320, help_text="finding key, request:<id> or plan:<item id>")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "target"])]


class Notification(models.Model):
    """Someone mentioned ``user`` in a comment."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class Review(models.Model):
    """The client's word on a finding: accepted or contested, with a reason."""

    class Verdict(models.TextChoices):
        ACCEPTED = "accepted", N_("accepted")
        CONTESTED = "contested", N_("contested")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    finding = models.CharField(max_length=64)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    reason = models.TextField(max_length=2000, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "finding"], name="one_review_per_finding")]
