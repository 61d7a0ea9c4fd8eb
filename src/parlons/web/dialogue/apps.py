from django.apps import AppConfig


class Config(AppConfig):
    name = "parlons.web.dialogue"
    label = "parlons_dialogue"
    default_auto_field = "django.db.models.BigAutoField"
