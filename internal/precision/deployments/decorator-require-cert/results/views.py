from django.http import JsonResponse
from django.shortcuts import get_object_or_404

from .decorators import require_client_cert
from .models import LabResult


def healthz(request):
    return JsonResponse({"status": "ok"})


@require_client_cert
def result_detail(request, accession):
    result = get_object_or_404(LabResult, accession=accession)
    return JsonResponse({"accession": result.accession, "patient": result.patient_ref, "values": result.values})


@require_client_cert
def pending(request):
    rows = LabResult.objects.filter(released=False).values("accession", "patient_ref")[:200]
    return JsonResponse({"pending": list(rows)})
