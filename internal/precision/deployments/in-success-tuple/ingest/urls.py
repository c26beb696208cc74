from django.urls import path

from . import views

urlpatterns = [path("batch", views.ingest_batch)]
