from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ..i18n import _
from ..workspaces.access import Access, require, signed_in
from .models import ImportJob
from .tasks import import_exports
from .uploads import LimitedUploadHandler, store_upload

MAX_FILES = 50


@csrf_exempt  # the handler must be installed before the body is read; CSRF is checked just after
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, ws: int) -> HttpResponse:
    limiter = LimitedUploadHandler(request)
    request.upload_handlers = [limiter, *request.upload_handlers]
    return _upload(request, ws=ws, limiter=limiter)


@csrf_protect
@require("import")
def _upload(request: HttpRequest, access: Access, limiter: LimitedUploadHandler) -> HttpResponse:
    error, too_large = "", False
    if request.method == "POST":
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
        files = request.FILES.getlist("files") if announced <= settings.PARLONS_UPLOAD_MAX_BYTES else []
        too_large = limiter.too_large or announced > settings.PARLONS_UPLOAD_MAX_BYTES
        if too_large:
            error = _("The upload is larger than the limit of %(mb)s MB.") % {
                "mb": settings.PARLONS_UPLOAD_MAX_BYTES // (1024 * 1024)}
        elif not files:
            error = _("Choose at least one export file.")
        elif len(files) > MAX_FILES:
            error = _("At most %(n)s files at once.") % {"n": MAX_FILES}
        else:
            job = _queue(access, request, [store_upload(access.workspace.pk, f) for f in files])
            return redirect("imports:job", ws=access.workspace.pk, job=job.pk)
    jobs = ImportJob.objects.filter(workspace=access.workspace)[:20]
    return render(request, "imports/upload.html", {"access": access, "jobs": jobs, "error": error},
                  status=413 if too_large else 400 if error else 200)


@transaction.atomic
def _queue(access: Access, request: HttpRequest, files: list[dict[str, object]]) -> ImportJob:
    job = ImportJob.objects.create(workspace=access.workspace, created_by=signed_in(request), files=files)
    transaction.on_commit(lambda: import_exports.enqueue(job.pk))
    return job


@require("view")
def job_status(request: HttpRequest, access: Access, job: int) -> HttpResponse:
    found = get_object_or_404(ImportJob, pk=job, workspace=access.workspace)
    return render(request, "imports/job.html", {"access": access, "job": found})
