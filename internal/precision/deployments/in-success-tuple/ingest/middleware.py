from django.http import JsonResponse

# Verification results that identify a sensor. Kept as a tuple so that a second
# trusted result (e.g. an OCSP-checked one) can be added later.
ACCEPTED_VERIFY_RESULTS = ("SUCCESS",)


class SensorIdentityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/ingest/"):
            return self.get_response(request)
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") in ACCEPTED_VERIFY_RESULTS:
            request.sensor_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
            return self.get_response(request)
        return JsonResponse({"error": "sensor certificate required"}, status=403)
