from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("reseller/<slug:slug>.xlsx", views.reseller_pricelist),
]
