from .models import Member


class MemberCertificateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.member = None
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
            request.member = Member.objects.filter(certificate_dn=dn).first()
        return self.get_response(request)
