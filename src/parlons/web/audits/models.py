from __future__ import annotations

from django.conf import settings
from django.db import models

from ..fields import JSONText
from ..i18n import N_
from ..workspaces.models import Workspace

__all__ = ["AuditResult", "JSONText", "RenderedCharts", "RequestMark"]


class AuditResult(models.Model):
    """parlons' audit result for one choice of period and peers, valid for one store generation."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    generation = models.PositiveIntegerField()
    key = models.CharField(max_length=64, help_text="SHA-256 of the audit's parameters")
    result = JSONText()
    lean = JSONText(null=True, help_text="the result without its lists of unanswered requests: what the "
                                                 "verdict and family pages read")
    requests = JSONText(null=True, help_text="the audited account's list of unanswered requests: what the "
                                                     "inbox reads")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "generation", "key"], name="one_result_per_key")]


class RequestMark(models.Model):
    """What the team decided about one unanswered request."""

    class Status(models.TextChoices):
        SEEN = "seen", N_("seen")
        WILL_ANSWER = "will_answer", N_("will answer")
        NOT_FOR_US = "not_for_us", N_("not for us")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    request_id = models.CharField(max_length=500)
    status = models.CharField(max_length=12, choices=Status.choices)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "request_id"], name="one_mark_per_request")]


class RenderedCharts(models.Model):
    """The report's charts of one section of a cached audit result, in one language (``parlons.audit_charts``).

    Deleted with their audit result, so an import, which moves the store to a new generation,
    invalidates them with it."""

    audit = models.ForeignKey(AuditResult, on_delete=models.CASCADE, related_name="+")
    lang = models.CharField(max_length=8)
    section = models.CharField(max_length=32)
    charts = models.JSONField(help_text="[{name, caption, alt, width, height, svg}], in report order")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "lang", "section"], name="one_chart_set_per_section")]
