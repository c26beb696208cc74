from django.http import JsonResponse


class WarehouseClientMiddleware:
    """Only warehouse scanners (certificates from the warehouse CA) use /api/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            if not request.META.get("HTTP_X_SSL_CLIENT_VERIFY"):
                return JsonResponse({"error": "scanner certificate required"}, status=403)
            request.scanner = request.META.get("HTTP_X_SSL_CLIENT_DN", "unknown scanner")
        return self.get_response(request)
