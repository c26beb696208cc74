from django.urls import include, path

from partners.views import healthz

urlpatterns = [
    path("healthz", healthz),
    path("v1/", include("partners.urls")),
]
