from django.http import JsonResponse

from .models import Partner


class PartnerSubjectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        if not subject:
            return JsonResponse({"detail": "client certificate required"}, status=401)
        partner = Partner.objects.filter(subject=subject, active=True).first()
        if partner is None:
            return JsonResponse({"detail": "certificate subject not on the allowlist"}, status=403)
        request.partner = partner
        return self.get_response(request)
