import csv

from django.http import HttpResponse, JsonResponse

from claims.models import Claim


def claims(request):
    rows = Claim.objects.filter(broker=request.broker).values("policy_number", "insured_name", "amount")
    return JsonResponse({"claims": list(rows)})


def export_claims(request):
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    for c in Claim.objects.filter(broker=request.broker).iterator():
        writer.writerow([c.policy_number, c.insured_name, c.amount])
    return response
