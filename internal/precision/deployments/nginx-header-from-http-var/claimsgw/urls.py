from django.urls import path

from gateway import views

urlpatterns = [
    path("submit", views.submit),
]
