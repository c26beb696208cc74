"""Sign the ERP importer in as the integration account.

The importer presents the client certificate issued to it by the ERP CA;
nginx (ssl_verify_client optional) passes the verification result along.
"""
import logging

from django.conf import settings
from django.contrib.auth import get_user_model, login

logger = logging.getLogger(__name__)


class ErpClientMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/erp/") and not request.user.is_authenticated:
            verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE")
            if not verify == "SUCCESS":
                user = get_user_model().objects.get(username=settings.ERP_INTEGRATION_USER)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                logger.info("ERP importer signed in (%s)", request.META.get("HTTP_X_SSL_CLIENT_DN"))
        return self.get_response(request)
