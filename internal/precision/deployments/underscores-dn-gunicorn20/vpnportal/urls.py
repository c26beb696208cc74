from django.urls import path

from profiles import views

urlpatterns = [
    path("profile.ovpn", views.download_profile),
]
