from django.urls import path

from people import views

urlpatterns = [
    path("people/<int:pk>/salary", views.salary),
    path("people/directory", views.directory),
]
