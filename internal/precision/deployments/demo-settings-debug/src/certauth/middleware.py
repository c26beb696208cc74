from django.contrib import auth

from . import conf


class ProxyCertificateMiddleware:
    """Authenticate every request by the verified client certificate, like
    RemoteUserMiddleware does for REMOTE_USER: log in on SUCCESS, log out otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        verified = request.META.get(conf.VERIFY_HEADER) == "SUCCESS"
        subject = request.META.get(conf.SUBJECT_HEADER, "") if verified else ""
        if not subject:
            if request.user.is_authenticated and request.session.get("certauth"):
                auth.logout(request)
            return self.get_response(request)
        user = auth.authenticate(request, certificate_subject=subject)
        if user is not None and user != request.user:
            auth.login(request, user)
            request.session["certauth"] = True
        return self.get_response(request)
