from django.http import HttpResponse, JsonResponse

from .models import Invoice


def healthz(request):
    return HttpResponse("ok")


def invoices(request):
    rows = Invoice.objects.all()
    if request.customer is not None:
        rows = rows.filter(customer=request.customer)
    return JsonResponse({"results": list(rows.values("customer__name", "number", "total_cents"))})
