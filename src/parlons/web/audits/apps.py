from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.audits"
    label = "parlons_audits"
    default_auto_field = "django.db.models.BigAutoField"
