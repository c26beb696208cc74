from django.urls import path

from claims.api import views

urlpatterns = [
    path("api/claims/", views.claims),
    path("exports/claims.csv", views.export_claims),
]
