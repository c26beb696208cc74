from django.urls import path

from . import views

urlpatterns = [path("secrets/<path:secret_path>", views.reveal)]
