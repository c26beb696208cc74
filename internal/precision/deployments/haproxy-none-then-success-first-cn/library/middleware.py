import re

from .models import Member

CN_RE = re.compile(r"CN=([^/,]+)")


class MemberCertificateMiddleware:
    """Members are identified by the CN of their certificate (= their username)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.member = None
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            match = CN_RE.search(request.META.get("HTTP_X_SSL_CLIENT_DN", ""))
            if match:
                request.member = Member.objects.filter(username=match.group(1)).first()
        return self.get_response(request)
