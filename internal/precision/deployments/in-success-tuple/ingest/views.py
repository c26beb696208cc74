import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Reading


@csrf_exempt
@require_POST
def ingest_batch(request):
    rows = json.loads(request.body)
    Reading.objects.bulk_create(
        Reading(sensor=request.sensor_dn, metric=r["metric"], value=r["value"], ts=r["ts"])
        for r in rows
    )
    return JsonResponse({"stored": len(rows)})
