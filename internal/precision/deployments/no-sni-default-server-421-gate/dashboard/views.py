import csv

from django.http import HttpResponse
from django.shortcuts import render

from .models import Deal


def pipeline(request):
    return render(request, "dashboard/pipeline.html", {"deals": Deal.objects.order_by("-value_eur")[:100]})


def pipeline_csv(request):
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    writer.writerow(["customer", "stage", "value_eur", "owner"])
    for d in Deal.objects.order_by("-value_eur"):
        writer.writerow([d.customer, d.stage, d.value_eur, d.owner])
    return response
