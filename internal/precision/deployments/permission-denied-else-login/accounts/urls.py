from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.PasswordLoginView.as_view(), name="login"),
    path("login/smartcard/", views.smartcard_login, name="smartcard-login"),
]
