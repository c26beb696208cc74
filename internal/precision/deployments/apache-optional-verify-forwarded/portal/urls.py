from django.urls import include, path

from suppliers import views

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("suppliers/", include("suppliers.urls")),
]
