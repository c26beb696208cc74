import logging

from django.http import FileResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404

from .models import Record

audit = logging.getLogger("archive.audit")


def download(request, ref):
    def caller_is_verified():
        return request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "") == "SUCCESS"

    def caller():
        return request.META.get("HTTP_X_SSL_CLIENT_DN", "")

    if not caller_is_verified():
        audit.warning("unverified download attempt for %s", ref)
        return HttpResponseForbidden("agency certificate required")

    record = get_object_or_404(Record, reference=ref)
    audit.info("%s downloaded by %s", ref, caller())
    return FileResponse(record.pdf.open("rb"), content_type="application/pdf")
