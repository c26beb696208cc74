import json

from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .certinfo import INFO_HEADER, parse_cert_info
from .models import Analyser, Result


@csrf_exempt
@require_POST
def upload_results(request):
    info = request.headers.get(INFO_HEADER)
    if not info:
        return HttpResponseForbidden("analyser certificate required")
    subject, _serial = parse_cert_info(info)
    analyser = Analyser.objects.filter(common_name=subject.get("CN")).first()
    if analyser is None:
        return HttpResponseForbidden("unknown analyser")
    data = json.loads(request.body)
    Result.objects.create(analyser=analyser, sample_id=data["sample"], payload=data)
    return JsonResponse({"stored": True}, status=201)
