"""Creating workspaces, inviting people and letting them in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from .models import Invitation, Membership, Role, Workspace

__all__ = ["accept_invitation", "create_user_and_join", "create_workspace", "remove_membership"]


@transaction.atomic
def create_workspace(user: User, **fields: Any) -> Workspace:
    """A new workspace, with its creator as its consultant."""
    workspace = Workspace.objects.create(created_by=user, **fields)
    Membership.objects.create(workspace=workspace, user=user, role=Role.CONSULTANT)
    return workspace


@transaction.atomic
def remove_membership(membership: Membership) -> bool:
    """Remove one member; False (nothing done) when they are the workspace's last consultant."""
    consultants = Membership.objects.select_for_update().filter(workspace_id=membership.workspace_id,
                                                                role=Role.CONSULTANT)
    if membership.role == Role.CONSULTANT and consultants.count() <= 1:
        return False
    membership.delete()
    return True


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User) -> Membership | None:
    """Join the invitation's workspace; None when the link was used meanwhile or the e-mails differ."""
    email = getattr(user, "email", "") or ""
    if email.casefold() != invitation.email.casefold() or not invitation.consume():
        return None
    membership, _created = Membership.objects.get_or_create(
        workspace=invitation.workspace, user=user, defaults={"role": invitation.role})
    return membership


@transaction.atomic
def create_user_and_join(invitation: Invitation, username: str, password: str) -> User | None:
    """A new account with the invitation's e-mail, member of its workspace; None if the link was used."""
    if not invitation.consume():
        return None
    user: User = get_user_model().objects.create_user(username=username, email=invitation.email, password=password)
    Membership.objects.create(workspace=invitation.workspace, user=user, role=invitation.role)
    return user
