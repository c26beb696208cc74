import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def postings(request):
    if request.method != "POST":
        return JsonResponse({"error": "method not allowed"}, status=405)
    body = json.loads(request.body)
    if body.get("book") not in request.allowed_books:
        return JsonResponse({"error": "book not allowed for caller"}, status=403)
    return JsonResponse({"accepted": True, "caller": request.caller}, status=201)
