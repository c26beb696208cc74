import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .auth import authenticate_rtu
from .models import Measurement


@csrf_exempt
@require_POST
def telemetry(request):
    rtu, refusal = authenticate_rtu(request)
    if refusal:
        return refusal
    Measurement.objects.create(rtu=rtu, payload=json.loads(request.body))
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def setpoint(request):
    rtu, refusal = authenticate_rtu(request)
    if refusal:
        return refusal
    rtu.breaker_open = bool(json.loads(request.body)["breaker_open"])
    rtu.save(update_fields=["breaker_open"])
    return JsonResponse({"breaker_open": rtu.breaker_open})
