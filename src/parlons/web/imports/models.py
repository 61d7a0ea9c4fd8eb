from __future__ import annotations

from django.conf import settings
from django.db import models

from ..fields import JSONText
from ..i18n import N_
from ..workspaces.models import Workspace

__all__ = ["CollectRun", "CollectSource", "ImportJob"]


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
    report = JSONText(default=dict, help_text="parlons' import report: its counts are shown in the order it gives")
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class CollectSource(models.Model):
    """An account or a feed the workspace collects live (``parlons collect``), run again at will."""

    class Platform(models.TextChoices):
        MASTODON = "mastodon", N_("Mastodon account")
        BLUESKY = "bluesky", N_("Bluesky account")
        FEED = "feed", N_("RSS, Atom or JSON feed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="collect_sources")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    target = models.CharField(max_length=500, help_text="the account (@user@host, handle) or the feed's URL")
    server = models.CharField(max_length=300, blank=True, help_text="Mastodon instance or Bluesky AppView; "
                                                                    "default: the account's own, the public AppView")
    max_requests = models.PositiveIntegerField(default=2000, help_text="cap of requests per run")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "target", "pk"]
        constraints = [models.UniqueConstraint(fields=["workspace", "platform", "target", "server"],
                                               name="one_source_per_target")]


class CollectRun(models.Model):
    """One run of a source: one ``parlons collect``, its batches committed as they arrive."""

    Status = ImportJob.Status

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="collect_runs")
    source = models.ForeignKey(CollectSource, on_delete=models.CASCADE, related_name="runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ImportJob.Status.choices, default=ImportJob.Status.QUEUED)
    requests = models.PositiveIntegerField(default=0)
    fetched = models.PositiveBigIntegerField(default=0)
    inserted = models.PositiveBigIntegerField(default=0)
    already_stored = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True, help_text="the error as the command line words it")
    report = models.JSONField(default=list, help_text="the collectors' reports, as parlons collect --json")
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def finished(self) -> bool:
        return self.status in {ImportJob.Status.DONE, ImportJob.Status.FAILED}
