from __future__ import annotations

from django.conf import settings
from django.db import models

from ..workspaces.models import Workspace

__all__ = ["KpiMeasurement", "PlanVersion"]


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


class KpiMeasurement(models.Model):
    """One audit figure a KPI may name, as one audit of the workspace's default choice measured it.

    Every figure of the catalogue is kept (not only the plan's KPIs), so a KPI added later has its
    history too; one row per figure and store generation (each import makes a new generation).
    ``date`` is what the measurement stands for: the end of the audited period. ``series`` names
    what was audited (the account, the accounts audited with it, the time zone): a workspace whose
    settings change starts a new series rather than mixing two organizations in one line.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    series = models.CharField(max_length=64)
    generation = models.PositiveIntegerField()
    metric = models.CharField(max_length=120)
    value = models.FloatField(null=True)
    n = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20)
    date = models.DateField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "generation"]
        constraints = [models.UniqueConstraint(fields=["workspace", "series", "generation", "metric"],
                                               name="one_measurement_per_generation")]
