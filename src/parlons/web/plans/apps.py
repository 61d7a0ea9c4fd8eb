from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.plans"
    label = "parlons_plans"
    default_auto_field = "django.db.models.BigAutoField"
