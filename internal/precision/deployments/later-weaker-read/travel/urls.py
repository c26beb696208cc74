from django.urls import path

from bookings import views

urlpatterns = [
    path("healthz", views.healthz),
    path("docs/", views.docs),
    path("api/bookings/", views.list_bookings),
    path("api/bookings/new", views.create_booking),
]

from bookings import exports  # noqa: E402

# The ground handlers' import job predates the agency API; it lives under /docs/
# because that prefix was already open in the middleware.
urlpatterns += [path("docs/manifests/<str:flight>.csv", exports.manifest_csv)]
