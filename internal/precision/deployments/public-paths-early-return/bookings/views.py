import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Booking


def healthz(request):
    return HttpResponse("ok")


def docs(request):
    return render(request, "bookings/docs.html")


def list_bookings(request):
    rows = Booking.objects.filter(agency_dn=request.agency_dn).values("pnr", "passenger", "flight")
    return JsonResponse({"bookings": list(rows)})


@csrf_exempt
@require_POST
def create_booking(request):
    data = json.loads(request.body)
    b = Booking.objects.create(agency_dn=request.agency_dn, passenger=data["passenger"], flight=data["flight"])
    return JsonResponse({"pnr": b.pnr}, status=201)
