from django.urls import path

from . import views

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("orders/", views.open_orders, name="open-orders"),
]
