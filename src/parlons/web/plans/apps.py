from typing import Any

from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.plans"
    label = "parlons_plans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from ..audits.models import AuditResult

        post_save.connect(_measure_default_audit, sender=AuditResult, dispatch_uid="parlons-plans-kpi-history")


def _measure_default_audit(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Keep the KPI figures of every audit of the workspace's default choice (the one the import worker runs)."""
    from ..audits.services import AuditChoice
    from .progress import record

    workspace = instance.workspace
    if instance.key == AuditChoice(peers=tuple(workspace.names("peers"))).key(workspace):
        # the lean copy holds every figure; reading ``result`` of a row loaded without it would fetch megabytes
        record(workspace, instance.generation, instance.lean if instance.lean is not None else instance.result)
