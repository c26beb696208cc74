from django.apps import AppConfig


class ErpBridgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "erp_bridge"
    verbose_name = "ERP bridge"
