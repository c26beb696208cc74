from django.http import HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Entry


def my_entries(request):
    rows = Entry.objects.filter(employee=request.employee).values("day", "hours", "approved")
    return JsonResponse({"entries": list(rows)})


@csrf_exempt
@require_POST
def approve(request, pk):
    if not request.employee.is_manager:
        return HttpResponseForbidden()
    Entry.objects.filter(pk=pk).update(approved=True)
    return JsonResponse({"approved": pk})
