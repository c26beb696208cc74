from django.urls import include, path

from accounts.views import healthz

urlpatterns = [
    path("healthz", healthz),
    path("api/", include("accounts.urls")),
]
