import json

from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def healthz(request):
    return HttpResponse("ok")


@csrf_exempt
@require_POST
def issue_refund(request):
    if not request.staff.refunds_allowed:
        return HttpResponseForbidden()
    data = json.loads(request.body)
    # payment provider call elided
    return JsonResponse({"refunded": data["order"], "by": request.staff.name})


@csrf_exempt
@require_POST
def stock_update(request):
    return JsonResponse({"ok": True, "by": request.staff.name})
