from django.apps import AppConfig


class HoursConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hours"
    verbose_name = "Hours"
