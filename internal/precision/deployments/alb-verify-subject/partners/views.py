from django.http import HttpResponse, JsonResponse

from .models import Shipment


def healthz(request):
    return HttpResponse("ok")


def shipments(request):
    rows = Shipment.objects.filter(partner=request.partner).values("reference", "status")
    return JsonResponse({"results": list(rows)})
