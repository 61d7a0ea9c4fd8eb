"""Workspaces, who belongs to them in which role, and invitations by link.

Every object of the workspace is reached through :func:`parlons.web.workspaces.access.workspace_access`
(the one place that decides who sees what); querysets here only offer the scoping it uses.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..i18n import N_

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

__all__ = ["PERMISSIONS", "Invitation", "Membership", "Role", "Workspace"]


class Role(models.TextChoices):
    CONSULTANT = "consultant", N_("consultant")
    CLIENT_EDITOR = "client_editor", N_("client editor")
    CLIENT_VIEWER = "client_viewer", N_("client viewer")


_ALL = frozenset(Role)
_EDITORS = frozenset({Role.CONSULTANT, Role.CLIENT_EDITOR})
PERMISSIONS: dict[str, frozenset[str]] = {
    "view": _ALL,
    "comment": _EDITORS,
    "triage": _EDITORS,
    "edit_plan": _EDITORS,
    "review": frozenset({Role.CLIENT_EDITOR}),
    "import": frozenset({Role.CONSULTANT}),
    "configure": frozenset({Role.CONSULTANT}),
    "invite": frozenset({Role.CONSULTANT}),
    "collect": _EDITORS,
}
"""Which roles hold each permission key; views ask for a key, never for a rank."""


class WorkspaceQuerySet(models.QuerySet["Workspace"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> WorkspaceQuerySet:
        """The workspaces ``user`` is a member of (none for an anonymous user)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user_id=user.pk)


class Workspace(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    account = models.CharField(max_length=300, blank=True, help_text="the audited account, as parlons audit names it")
    together = models.CharField(max_length=1000, blank=True,
                                help_text="more accounts of the organization, comma-separated")
    peers = models.CharField(max_length=1000, blank=True, help_text="peer accounts, comma-separated")
    timezone = models.CharField(max_length=64, default="Europe/Paris")
    generation = models.PositiveIntegerField(default=0, help_text="incremented by every import; keys the audit cache")

    objects = WorkspaceQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    def names(self, field: str) -> list[str]:
        value: str = getattr(self, field)
        return [n.strip() for n in value.split(",") if n.strip()]


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")]

    def can(self, permission: str) -> bool:
        return self.role in PERMISSIONS[permission]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class Invitation(models.Model):
    """A link that lets one person (by e-mail) join a workspace once, before it expires.

    Only the token's SHA-256 is stored; the link itself is shown once, to the consultant."""

    LIFETIME = timedelta(days=7)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="when the link was last e-mailed")

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(cls, **fields: Any) -> tuple[Invitation, str]:
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(token_hash=_digest(token), expires_at=timezone.now() + cls.LIFETIME,
                                        **fields)
        return invitation, token

    @classmethod
    def pending(cls, token: str) -> Invitation | None:
        return cls.objects.filter(token_hash=_digest(token), accepted_at__isnull=True,
                                  expires_at__gt=timezone.now()).select_related("workspace").first()

    def renew(self) -> str:
        """A new link (the old one stops working) valid for another ``LIFETIME``; returns its token."""
        token = secrets.token_urlsafe(32)
        self.token_hash, self.expires_at = _digest(token), timezone.now() + self.LIFETIME
        self.save(update_fields=["token_hash", "expires_at"])
        return token

    def consume(self) -> bool:
        """Mark the invitation used; False when another request used it first."""
        return Invitation.objects.filter(pk=self.pk, accepted_at__isnull=True).update(accepted_at=timezone.now()) == 1
