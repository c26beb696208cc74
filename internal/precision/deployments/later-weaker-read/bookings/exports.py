import csv

from django.http import HttpResponse, HttpResponseForbidden

from .models import Booking


def manifest_csv(request, flight):
    """Passenger manifest for the ground handlers' import job."""
    if not request.META.get("HTTP_X_SSL_CLIENT_VERIFY"):
        return HttpResponseForbidden("certificate required")
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    writer.writerow(["pnr", "passenger", "passport_no"])
    for b in Booking.objects.filter(flight=flight):
        writer.writerow([b.pnr, b.passenger, b.passport_no])
    return response
