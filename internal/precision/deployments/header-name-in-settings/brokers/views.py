import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import Claim, Policy


@csrf_exempt
@require_POST
def submit_claim(request):
    data = json.loads(request.body)
    claim = Claim.objects.create(
        policy_number=data["policy"], description=data.get("description", ""),
        submitted_by=request.broker_subject,
    )
    return JsonResponse({"id": claim.pk}, status=201)


@require_GET
def policy(request, number):
    p = Policy.objects.get(number=number, broker_subject=request.broker_subject)
    return JsonResponse({"number": p.number, "holder": p.holder, "status": p.status})
