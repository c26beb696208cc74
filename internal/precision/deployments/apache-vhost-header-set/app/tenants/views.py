import csv

from django.http import HttpResponse, JsonResponse

from .models import Invoice


def invoices(request):
    rows = Invoice.objects.filter(tenant=request.tenant).values("number", "amount_cents", "issued")
    return JsonResponse({"invoices": list(rows)})


def monthly_report(request, year, month):
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    writer.writerow(["number", "amount_cents", "issued"])
    for inv in Invoice.objects.filter(tenant=request.tenant, issued__year=year, issued__month=month):
        writer.writerow([inv.number, inv.amount_cents, inv.issued.isoformat()])
    return response
