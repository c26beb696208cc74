from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz),
    path("", views.index),
    path("revenue.xlsx", views.revenue_export),
]
