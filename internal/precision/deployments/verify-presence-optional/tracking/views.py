from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Scan, Shipment


def shipments(request):
    data = list(
        Shipment.objects.values("tracking_no", "recipient_name", "recipient_address", "status")[:500]
    )
    return JsonResponse({"results": data})


@csrf_exempt
@require_POST
def scan(request, tracking_no):
    shipment = Shipment.objects.get(tracking_no=tracking_no)
    Scan.objects.create(shipment=shipment, scanner=request.scanner, status=request.POST["status"])
    shipment.status = request.POST["status"]
    shipment.save(update_fields=["status"])
    return JsonResponse({"ok": True})
