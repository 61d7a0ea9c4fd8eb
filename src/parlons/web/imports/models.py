from __future__ import annotations

from django.conf import settings
from django.db import models

from ..i18n import N_
from ..workspaces.models import Workspace

__all__ = ["ImportJob"]


class ImportJob(models.Model):
    """One import of uploaded exports into the workspace's store: one parlons transaction."""

    class Status(models.TextChoices):
        QUEUED = "queued", N_("queued")
        RUNNING = "running", N_("running")
        DONE = "done", N_("done")
        FAILED = "failed", N_("failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    files = models.JSONField(default=list, help_text="[{name, size, path}] as stored by the server")
    current_file = models.CharField(max_length=300, blank=True)
    posts_read = models.PositiveBigIntegerField(default=0)
    inserted = models.PositiveBigIntegerField(null=True)
    skipped = models.PositiveBigIntegerField(null=True)
    error = models.TextField(blank=True, help_text="the error as the command line words it")
    report = models.JSONField(default=dict)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
