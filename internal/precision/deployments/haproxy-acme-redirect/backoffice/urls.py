from django.urls import include, path

from staff import views

urlpatterns = [
    path("healthz", views.healthz),
    path("api/", include("staff.urls")),
]
