"""Every URL of the workspace. Workspace pages live under ``/w/<ws>/`` and are reached only
through :func:`parlons.web.workspaces.access.require` (a test walks every pattern as an outsider)."""

from django.urls import include, path
from django.views.i18n import set_language

from .accounts import views as accounts
from .audits import views as audits
from .workspaces import views as workspaces

urlpatterns = [
    path("", accounts.home, name="home"),
    path("healthz", accounts.healthz, name="healthz"),
    path("", include("parlons.web.accounts.urls")),
    path("language/", set_language, name="set-language"),
    path("definitions/", audits.definition_list, name="definitions"),
    path("join/<str:token>/", workspaces.join, name="join"),
    path("w/", include("parlons.web.workspaces.urls")),
    path("w/", include("parlons.web.imports.urls")),
    path("w/", include("parlons.web.audits.urls")),
    path("w/", include("parlons.web.plans.urls")),
    path("", include("parlons.web.dialogue.urls")),
]
