import json
import logging

from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import BankPartner, Payout

log = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def create_payout(request):
    try:
        verification = request.headers["X-SSL-Client-Verify"]
    except KeyError:
        return HttpResponseForbidden("no client certificate information")
    if verification != "SUCCESS":
        log.warning("payout request with verification %r", verification)
        return HttpResponseForbidden("client certificate not verified")

    partner = BankPartner.objects.filter(subject=request.headers.get("x-ssl-client-dn", "")).first()
    if partner is None:
        return HttpResponseForbidden("unknown bank partner")

    data = json.loads(request.body)
    payout = Payout.objects.create(partner=partner, iban=data["iban"], amount_cents=int(data["amount_cents"]))
    return JsonResponse({"id": payout.pk}, status=201)
