from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .storage import store_artifact


def index(request):
    return render(request, "artifacts/index.html")


@csrf_exempt
@require_http_methods(["PUT"])
def upload(request, project, version):
    key = store_artifact(project, version, request.body, uploaded_by=request.agent)
    return JsonResponse({"key": key}, status=201)


def healthz(request):
    return HttpResponse("ok")
