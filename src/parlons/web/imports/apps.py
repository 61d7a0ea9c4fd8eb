from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.imports"
    label = "parlons_imports"
    default_auto_field = "django.db.models.BigAutoField"
