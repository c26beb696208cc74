from django.http import HttpResponse, HttpResponseForbidden

from .models import VpnProfile


def download_profile(request):
    # nginx (optional, employee CA) only sends the subject for a verified certificate.
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
    if not dn:
        return HttpResponseForbidden("employee certificate required")
    profile = VpnProfile.objects.filter(subject=dn).first()
    if profile is None:
        return HttpResponseForbidden("no VPN profile for this certificate")
    return HttpResponse(profile.render(device_id=request.META.get("HTTP_X_DEVICE_ID", "")),
                        content_type="application/x-openvpn-profile")
