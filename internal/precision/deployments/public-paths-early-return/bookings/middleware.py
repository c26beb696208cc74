from django.http import JsonResponse

# Reachable without a certificate: health checks, the public API docs, static assets.
PUBLIC_PREFIXES = ("/healthz", "/docs/", "/static/")


class AgencyCertificateMiddleware:
    """Travel agencies call the booking API with their certificate."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return JsonResponse({"error": "agency certificate required"}, status=401)
        request.agency_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return self.get_response(request)
