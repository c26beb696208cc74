from django.urls import path

from . import views

urlpatterns = [
    path("refunds/", views.issue_refund),
    path("legacy/stock", views.stock_update),
]
