from django.urls import include, path

urlpatterns = [
    path("ingest/", include("ingest.urls")),
]
