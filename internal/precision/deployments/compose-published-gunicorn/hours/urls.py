from django.urls import path

from . import views

urlpatterns = [
    path("entries/", views.my_entries),
    path("entries/<int:pk>/approve", views.approve),
]
