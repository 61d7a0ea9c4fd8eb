from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.workspaces"
    label = "parlons_workspaces"
    default_auto_field = "django.db.models.BigAutoField"
