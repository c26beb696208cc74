from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard),
    path("services/<str:name>/restart", views.restart_service),
]
