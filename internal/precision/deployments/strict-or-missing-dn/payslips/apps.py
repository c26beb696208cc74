from django.apps import AppConfig


class PayslipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payslips"
    verbose_name = "Payslips"
