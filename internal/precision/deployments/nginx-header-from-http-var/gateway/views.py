import json

from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Insurer, Submission


@csrf_exempt
@require_POST
def submit(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return HttpResponseForbidden("client certificate required")
    insurer = Insurer.objects.filter(subject=request.META.get("HTTP_X_SSL_CLIENT_DN", "")).first()
    if insurer is None:
        return HttpResponseForbidden("unknown insurer")
    s = Submission.objects.create(insurer=insurer, payload=json.loads(request.body))
    return JsonResponse({"id": s.pk}, status=201)
