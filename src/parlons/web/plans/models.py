from __future__ import annotations

from django.conf import settings
from django.db import models

from ..workspaces.models import Workspace

__all__ = ["PlanVersion"]


class PlanVersion(models.Model):
    """One immutable version of the workspace's plan (YAML text, comments kept), numbered from 1."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="one_plan_version_number")]
