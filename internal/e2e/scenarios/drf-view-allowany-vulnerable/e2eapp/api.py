# The protected API: only warehouses should get here. The report says the
# view ran (authenticated) and as whom DRF let it run.
import json

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView, exception_handler

from e2eapp import views


class StockLevels(APIView):
    """Stock levels of the warehouse that asks; the staff dashboard polls it too."""

    permission_classes = [AllowAny]

    def get(self, request, *args, **kwargs):
        response = views.report(request)
        body = json.loads(response.content)
        body["authenticated"] = True
        body["identity"] = request.auth if request.auth is not None else "anonymous"
        return views._json(200, body)


def refusal(exc, context):
    """DRF's refusals, in the report's shape: the app answered, no one is let in."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    return views._json(response.status_code, {"authenticated": False, "identity": None, "refused": str(exc)})
