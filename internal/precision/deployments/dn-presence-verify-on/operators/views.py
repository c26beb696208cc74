import subprocess

from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.http import require_POST

ALLOWED_SERVICES = {"billing-worker", "mailer", "search-indexer"}


def dashboard(request):
    return JsonResponse({"operator": request.operator.name})


@require_POST
def restart_service(request, name):
    if not request.operator.can_restart or name not in ALLOWED_SERVICES:
        return HttpResponseForbidden()
    subprocess.run(["sudo", "systemctl", "restart", name], check=True, timeout=30)
    return JsonResponse({"restarted": name})
