from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def whoami(request):
    """Support aid: show what the proxy told us about the caller's certificate."""
    return JsonResponse(
        {
            "verify": request.META.get("HTTP_X_SSL_CLIENT_VERIFY"),
            "subject": request.META.get("HTTP_X_SSL_CLIENT_DN"),
            "serial": request.META.get("HTTP_X_SSL_CLIENT_SERIAL"),
            "device": request.device.hostname,
        }
    )


@csrf_exempt
@require_POST
def checkin(request):
    device = request.device
    device.last_seen = timezone.now()
    device.firmware = request.POST.get("firmware", device.firmware)[:40]
    device.save(update_fields=["last_seen", "firmware"])
    return JsonResponse({"ok": True})
