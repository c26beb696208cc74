from django.urls import path

from tenants import views

urlpatterns = [
    path("api/invoices/", views.invoices),
    path("reports/<int:year>/<int:month>.csv", views.monthly_report),
]
