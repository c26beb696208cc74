from django.http import HttpResponse
from django.urls import path

from accounts import views

urlpatterns = [
    path("healthz", lambda request: HttpResponse("ok")),
    path("v1/postings", views.postings),
]
