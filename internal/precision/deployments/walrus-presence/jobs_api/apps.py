from django.apps import AppConfig


class JobsApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs_api"
    verbose_name = "Jobs api"
