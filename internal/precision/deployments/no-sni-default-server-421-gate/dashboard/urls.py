from django.urls import path

from . import views

urlpatterns = [path("", views.pipeline), path("pipeline.csv", views.pipeline_csv)]
