import logging

from django.http import FileResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render

from .models import PriceList

logger = logging.getLogger(__name__)


def index(request):
    return render(request, "pricelists/index.html", {"lists": PriceList.objects.filter(public=True)})


def reseller_pricelist(request, slug):
    # Reseller price lists carry our purchase prices: resellers only.
    client_verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY")
    if client_verify == "FAILED":
        logger.warning("rejected reseller certificate for %s", slug)
        return HttpResponseForbidden("Your reseller certificate could not be verified.")
    pricelist = get_object_or_404(PriceList, slug=slug, public=False)
    return FileResponse(pricelist.xlsx.open("rb"), as_attachment=True, filename=f"{slug}.xlsx")
