"""The one place that decides who reaches what.

A workspace is reached only through :func:`workspace_access`: a user who is not a member gets 404
(the workspace might as well not exist, whatever id was guessed); a member whose role lacks the
permission a view asks for gets 403. Objects inside a workspace are then looked up *through* it
(``get_object_or_404(Model, pk=..., workspace=access.workspace)``), so an id from another workspace
is a 404 too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import PERMISSIONS, Membership, Workspace

__all__ = ["Access", "require", "signed_in", "workspace_access"]

P = ParamSpec("P")


@dataclass(frozen=True)
class Access:
    workspace: Workspace
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    def can(self, permission: str) -> bool:
        return self.membership.can(permission)

    def permissions(self) -> set[str]:
        return {key for key in PERMISSIONS if self.can(key)}


def signed_in(request: HttpRequest) -> User:
    """The signed-in user of a view that requires sign-in."""
    if not isinstance(request.user, User):
        raise PermissionDenied("sign in first")
    return request.user


def workspace_access(request: HttpRequest, workspace_id: int) -> Access:
    """The user's access to the workspace, or 404 when they are not a member."""
    if not request.user.is_authenticated:
        raise Http404("no such workspace")
    membership = (Membership.objects.select_related("workspace")
                  .filter(workspace_id=workspace_id, user_id=signed_in(request).pk).first())
    if membership is None:
        raise Http404("no such workspace")
    return Access(membership.workspace, membership)


def require(permission: str) -> Callable[[Callable[Concatenate[HttpRequest, Access, P], HttpResponse]],
                                         Callable[..., HttpResponse]]:
    """View decorator: sign-in required, the workspace ``ws`` from the URL, ``permission`` checked."""
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def decorate(view: Callable[Concatenate[HttpRequest, Access, P], HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, ws: int, *args: Any, **kwargs: Any) -> HttpResponse:
            access = workspace_access(request, ws)
            if not access.can(permission):
                raise PermissionDenied("your role does not allow this")
            return view(request, access, *args, **kwargs)
        return wrapped
    return decorate
