from django.apps import AppConfig


class PricelistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pricelists"
    verbose_name = "Price lists"
