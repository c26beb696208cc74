import json
import time

from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from invoices.models import Invoice


def invoice_list(request):
    invoices = Invoice.objects.filter(partner=request.partner).order_by("-issued_on")[:100]
    return JsonResponse({"results": [i.as_dict() for i in invoices]})


def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice, pk=pk, partner=request.partner)
    return JsonResponse(invoice.as_dict())


def events(request):
    partner = request.partner

    def stream():
        last = 0
        for _ in range(120):
            for invoice in Invoice.objects.filter(partner=partner, pk__gt=last).order_by("pk"):
                last = invoice.pk
                yield "data: %s\n\n" % json.dumps(invoice.as_dict())
            time.sleep(5)

    return StreamingHttpResponse(stream(), content_type="text/event-stream")
