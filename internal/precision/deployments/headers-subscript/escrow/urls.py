from django.urls import path

from payouts import views

urlpatterns = [
    path("payouts/", views.create_payout),
]
