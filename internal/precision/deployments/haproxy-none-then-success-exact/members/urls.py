from django.urls import include, path

from library.views import healthz

urlpatterns = [
    path("healthz", healthz),
    path("library/", include("library.urls")),
]
