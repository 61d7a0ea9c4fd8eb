from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.accounts"
    label = "parlons_accounts"
    default_auto_field = "django.db.models.BigAutoField"
