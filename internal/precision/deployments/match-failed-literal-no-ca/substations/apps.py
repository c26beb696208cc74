from django.apps import AppConfig


class SubstationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "substations"
    verbose_name = "Substations"
