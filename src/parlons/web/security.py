"""Headers every page carries beyond Django's own (CSP comes from django-csp, ``settings.base``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

__all__ = ["PrivatePagesMiddleware"]


class PrivatePagesMiddleware:
    """Pages seen by a signed-in user are never kept by a shared cache or the browser's back-forward cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
