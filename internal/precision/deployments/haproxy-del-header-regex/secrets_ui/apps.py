from django.apps import AppConfig


class SecretsUiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "secrets_ui"
    verbose_name = "Secrets"
