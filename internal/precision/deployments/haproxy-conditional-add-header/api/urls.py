from django.urls import include, path

urlpatterns = [path("v2/", include("clients.urls"))]
