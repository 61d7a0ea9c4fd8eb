"""Sign in (throttled), sign out, the interface's language, the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from ..i18n import _
from ..throttle import Throttle

SIGN_INS_BY_NAME = Throttle("sign-in-name", settings.SIGN_IN_ATTEMPTS, settings.SIGN_IN_WINDOW)
SIGN_INS_BY_ADDRESS = Throttle("sign-in-address", settings.SIGN_IN_ATTEMPTS * 4, settings.SIGN_IN_WINDOW)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("workspaces:list")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    form = AuthenticationForm(request, data=request.POST or None)
    status = 200
    if request.method == "POST":
        name = str(request.POST.get("username", "")).strip().casefold()[:150]
        address = str(request.META.get("REMOTE_ADDR", ""))
        if SIGN_INS_BY_NAME.blocked(name) or SIGN_INS_BY_ADDRESS.blocked(address):
            form = AuthenticationForm(request)
            form.errors["__all__"] = form.error_class([_("Too many failed sign-ins: wait 15 minutes and try again.")])
            status = 429
        elif form.is_valid():
            SIGN_INS_BY_NAME.reset(name)
            login(request, form.get_user())
            return HttpResponseRedirect(_next(request))
        else:
            SIGN_INS_BY_NAME.hit(name)
            SIGN_INS_BY_ADDRESS.hit(address)
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next(request)}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:sign-in")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:sign-in')}?next=/")
    return redirect("workspaces:list")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the application answers and its database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
