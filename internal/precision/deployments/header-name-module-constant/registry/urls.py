from django.urls import include, path

urlpatterns = [
    path("", include("artifacts.urls")),
]
