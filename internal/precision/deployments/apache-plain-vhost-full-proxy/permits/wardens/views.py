from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .decorators import officer_certificate_required


@csrf_exempt
@require_POST
def scan(request):
    # Depot scanners only report which plates they saw; no permit data goes back.
    return JsonResponse({"queued": True}, status=202)


@officer_certificate_required
def permit_detail(request, plate):
    return JsonResponse({"plate": plate, "holder": "...", "zone": "..."})


@csrf_exempt
@require_POST
@officer_certificate_required
def revoke_permit(request, plate):
    return JsonResponse({"plate": plate, "revoked_by": request.officer_dn})
