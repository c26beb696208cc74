from django.urls import path

from wardens import views

urlpatterns = [
    path("scan/", views.scan),
    path("officers/permits/<str:plate>/", views.permit_detail),
    path("officers/permits/<str:plate>/revoke/", views.revoke_permit),
]
