import logging

from django.http import JsonResponse

from .models import Rtu

log = logging.getLogger(__name__)


def authenticate_rtu(request):
    """Return the RTU that sent the request, or a response that refuses it."""
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    match verify:
        case "NONE" | "":
            return None, JsonResponse({"error": "client certificate required"}, status=401)
        case "FAILED":
            log.warning("RTU certificate rejected")
            return None, JsonResponse({"error": "client certificate rejected"}, status=403)
    rtu = Rtu.objects.filter(certificate_subject=request.META.get("HTTP_X_SSL_CLIENT_DN", "")).first()
    if rtu is None:
        return None, JsonResponse({"error": "unknown RTU"}, status=403)
    return rtu, None
