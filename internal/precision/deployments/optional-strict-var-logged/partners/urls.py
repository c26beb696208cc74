from django.urls import path

from . import views

urlpatterns = [
    path("invoices/", views.invoice_list, name="partner-invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="partner-invoice"),
    path("events/", views.events, name="partner-events"),
]
