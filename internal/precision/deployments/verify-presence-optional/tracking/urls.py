from django.urls import path

from . import views

urlpatterns = [
    path("shipments/", views.shipments),
    path("shipments/<str:tracking_no>/scan", views.scan),
]
