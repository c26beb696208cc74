from django.urls import path

from bookings import views

urlpatterns = [
    path("healthz", views.healthz),
    path("docs/", views.docs),
    path("api/bookings/", views.list_bookings),
    path("api/bookings/new", views.create_booking),
]
