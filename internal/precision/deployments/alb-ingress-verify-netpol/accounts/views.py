from django.http import HttpResponse, JsonResponse

from .models import Invoice


def healthz(request):
    return HttpResponse("ok")


def invoices(request):
    rows = Invoice.objects.filter(customer=request.customer).values("number", "total_cents")
    return JsonResponse({"results": list(rows)})
