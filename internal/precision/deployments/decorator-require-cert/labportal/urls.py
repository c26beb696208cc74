from django.urls import path

from results import views

urlpatterns = [
    path("healthz", views.healthz),
    path("results/pending/", views.pending),
    path("results/<str:accession>/", views.result_detail),
]
