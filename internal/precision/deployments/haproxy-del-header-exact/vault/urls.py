from django.urls import include, path

urlpatterns = [path("", include("secrets_ui.urls"))]
