from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..i18n import _
from ..throttle import Throttle
from .access import Access, require, signed_in
from .forms import InvitationForm, JoinForm, WorkspaceForm
from .mail import send_invitation
from .models import Invitation, Membership, Workspace
from .services import accept_invitation, create_user_and_join, create_workspace, remove_membership

INVITES = Throttle("invite", limit=20, window=3600)


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    memberships = (Membership.objects.filter(user=user, workspace__in=Workspace.objects.visible_to(user))
                   .select_related("workspace").order_by("workspace__name"))
    return render(request, "workspaces/list.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = create_workspace(signed_in(request), **form.cleaned_data)
        return redirect("imports:upload", ws=workspace.pk)
    return render(request, "workspaces/create.html", {"form": form})


@require("configure")
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, access: Access) -> HttpResponse:
    form = WorkspaceForm(request.POST or None, instance=access.workspace)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("audits:overview", ws=access.workspace.pk)
    return render(request, "workspaces/settings.html", {"access": access, "form": form})


@require("view")
def members(request: HttpRequest, access: Access) -> HttpResponse:
    people = access.workspace.memberships.select_related("user").order_by("user__username")
    pending = access.workspace.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
    return render(request, "workspaces/members.html", {"access": access, "people": people,
                                                       "pending": pending if access.can("invite") else [],
                                                       "form": InvitationForm()})


@require("invite")
@require_http_methods(["POST"])
def invite(request: HttpRequest, access: Access) -> HttpResponse:
    form = InvitationForm(request.POST)
    if not form.is_valid() or not INVITES.allow(str(signed_in(request).pk)):
        messages.error(request, _("The invitation could not be made."))
        return redirect("workspaces:members", ws=access.workspace.pk)
    invitation, token = Invitation.issue(workspace=access.workspace, created_by=signed_in(request),
                                         **form.cleaned_data)
    return _send(request, access, invitation, token)


@require("invite")
@require_POST
def resend_invitation(request: HttpRequest, access: Access, invitation: int) -> HttpResponse:
    """A new link for a pending invitation (the old one stops working), e-mailed again."""
    found = get_object_or_404(Invitation, pk=invitation, workspace=access.workspace, accepted_at__isnull=True)
    if not INVITES.allow(str(signed_in(request).pk)):
        messages.error(request, _("The invitation could not be made."))
        return redirect("workspaces:members", ws=access.workspace.pk)
    return _send(request, access, found, found.renew())


def _send(request: HttpRequest, access: Access, invitation: Invitation, token: str) -> HttpResponse:
    link = request.build_absolute_uri(f"/join/{token}/")
    sent = send_invitation(invitation, link, signed_in(request))
    return render(request, "workspaces/invited.html", {"access": access, "link": link, "sent": sent,
                                                       "email": invitation.email})


@require("invite")
@require_POST
def remove_member(request: HttpRequest, access: Access, member: int) -> HttpResponse:
    """Take someone out of the workspace (never its last consultant)."""
    membership = get_object_or_404(Membership, pk=member, workspace=access.workspace)
    if not remove_membership(membership):
        messages.error(request, _("A workspace keeps at least one consultant."))
    return redirect("workspaces:members", ws=access.workspace.pk)


@require("invite")
@require_POST
def revoke_invitation(request: HttpRequest, access: Access, invitation: int) -> HttpResponse:
    found = get_object_or_404(Invitation, pk=invitation, workspace=access.workspace, accepted_at__isnull=True)
    found.delete()
    return redirect("workspaces:members", ws=access.workspace.pk)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link offers; only POST acts (so mail scanners cannot use the link up)."""
    invitation = Invitation.pending(token)
    if invitation is None:
        raise Http404("this invitation link is unknown, used or expired")
    if request.user.is_authenticated:
        return _join_signed_in(request, invitation)
    form = JoinForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = create_user_and_join(invitation, form.cleaned_data["username"], form.cleaned_data["password"])
        if user is None:
            raise Http404("this invitation link was just used")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("audits:overview", ws=invitation.workspace_id)
    return render(request, "workspaces/join.html", {"invitation": invitation, "form": form})


def _join_signed_in(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    if request.method == "POST":
        if accept_invitation(invitation, signed_in(request)) is None:
            messages.error(request, _("This invitation is for another e-mail address."))
            return redirect("workspaces:list")
        return redirect("audits:overview", ws=invitation.workspace_id)
    return render(request, "workspaces/join.html", {"invitation": invitation, "form": None})
