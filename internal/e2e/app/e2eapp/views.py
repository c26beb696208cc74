# Reports, as JSON, what the app saw and what it decided. The test harness
# reads this; it never changes what the app trusts.
import json

from django.http import HttpResponse

MARKER = "mtlslint-e2e"


def _forwarded(meta):
    # Every X-... request header, as WSGI presents it (joined duplicates
    # included), so a report shows exactly what reached the app.
    return {k: v for k, v in sorted(meta.items()) if k.startswith("HTTP_X_")}


def _json(status, body):
    body["app"] = MARKER
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def report(request, *args, **kwargs):
    identity = getattr(request, "client_identity", None)
    return _json(
        200,
        {
            "authenticated": identity is not None,
            "identity": identity,
            "secure": request.is_secure(),
            "scheme": request.scheme,
            "remote_addr": request.META.get("REMOTE_ADDR", ""),
            "headers": _forwarded(request.META),
        },
    )


def error(status):
    def handler(request, exception=None):
        return _json(status, {"error": "%s: %s" % (status, exception)})

    return handler
