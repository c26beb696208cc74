from django.db import transaction
from django.http import HttpResponseForbidden, JsonResponse

from .models import PrintJob


def next_job(request):
    """Printers poll for their next job."""
    if not (verify := request.META.get("HTTP_X_SSL_CLIENT_VERIFY")):
        return HttpResponseForbidden("printer certificate required")
    with transaction.atomic():
        job = PrintJob.objects.select_for_update(skip_locked=True).filter(printed=False).first()
        if job is None:
            return JsonResponse({}, status=204)
        job.printed = True
        job.save(update_fields=["printed"])
    return JsonResponse({"id": job.pk, "owner": job.owner, "document_url": job.document_url})
