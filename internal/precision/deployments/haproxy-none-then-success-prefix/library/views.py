from django.http import FileResponse, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404

from .models import Document


def healthz(request):
    return HttpResponse("ok")


def _visible(member):
    return Document.objects.filter(board_only=False)


def document_list(request):
    if request.member is None:
        return HttpResponseForbidden("members only")
    return JsonResponse({"documents": list(_visible(request.member).values("id", "title"))})


def download(request, pk):
    if request.member is None:
        return HttpResponseForbidden("members only")
    doc = get_object_or_404(_visible(request.member), pk=pk)
    return FileResponse(doc.file.open("rb"), as_attachment=True)
