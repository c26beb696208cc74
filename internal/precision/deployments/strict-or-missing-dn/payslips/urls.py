from django.urls import path

from . import views

urlpatterns = [
    path("payslips/<int:year>/<int:month>/", views.download_payslip, name="payslip"),
]
