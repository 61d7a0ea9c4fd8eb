from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..i18n import _
from ..workspaces.access import Access, require, signed_in
from .models import Notification, Review
from .services import FINDINGS, post_comment, thread_address


def _back(request: HttpRequest, access: Access) -> HttpResponse:
    target = str(request.POST.get("next", ""))
    prefix = f"/w/{access.workspace.pk}/"
    if target.startswith(prefix) and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("audits:overview", ws=access.workspace.pk)


@require("comment")
@require_POST
def comment(request: HttpRequest, access: Access) -> HttpResponse:
    parent = request.POST.get("parent")
    made = post_comment(access, signed_in(request), str(request.POST.get("target", "")),
                        str(request.POST.get("body", "")), int(parent) if parent and parent.isdigit() else None)
    if made is None:
        raise Http404("no such thread")
    messages.success(request, _("Comment posted."))
    return _back(request, access)


@require("review")
@require_POST
def review(request: HttpRequest, access: Access) -> HttpResponse:
    finding, verdict = request.POST.get("finding", ""), request.POST.get("verdict", "")
    if finding not in FINDINGS or verdict not in Review.Verdict.values:
        raise Http404("no such finding")
    Review.objects.update_or_create(workspace=access.workspace, finding=finding,
                                    defaults={"verdict": verdict, "by": signed_in(request),
                                              "reason": str(request.POST.get("reason", ""))[:2000]})
    return _back(request, access)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The signed-in user's mentions, only in workspaces they still belong to."""
    items = (Notification.objects.filter(user=signed_in(request),
                                         comment__workspace__memberships__user=signed_in(request))
             .select_related("comment", "comment__author", "comment__workspace")[:100])
    if request.method == "POST":
        Notification.objects.filter(user=signed_in(request), read_at__isnull=True).update(read_at=timezone.now())
        return redirect("dialogue:notifications")
    return render(request, "dialogue/notifications.html", {"items": items, "thread_address": thread_address})
