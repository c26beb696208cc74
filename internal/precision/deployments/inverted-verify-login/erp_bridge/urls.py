from django.urls import path

from . import views

urlpatterns = [
    path("customers/export", views.export_customers),
    path("orders/import", views.import_orders),
]
