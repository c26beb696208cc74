from django.urls import path

from core import views

urlpatterns = [path("results/", views.upload_results)]
