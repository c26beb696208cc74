from django.urls import include, path

urlpatterns = [path("", include("dashboards.urls"))]
