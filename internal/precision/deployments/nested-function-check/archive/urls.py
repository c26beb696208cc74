from django.urls import path

from records import views

urlpatterns = [
    path("records/<str:ref>/pdf", views.download),
]
