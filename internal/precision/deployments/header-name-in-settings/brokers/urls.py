from django.urls import path

from . import views

urlpatterns = [
    path("claims/", views.submit_claim),
    path("policies/<str:number>/", views.policy),
]
