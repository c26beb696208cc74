from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404

from .certs import subject, verified
from .models import Employee


def directory(request):
    return JsonResponse({"people": list(Employee.objects.values("name", "department"))})


def salary(request, pk):
    if not verified(request):
        return HttpResponseForbidden("HR smartcard required")
    viewer = get_object_or_404(Employee, certificate_subject=subject(request))
    if not viewer.is_hr and viewer.pk != pk:
        return HttpResponseForbidden()
    employee = get_object_or_404(Employee, pk=pk)
    return JsonResponse({"name": employee.name, "salary_eur": employee.salary_eur})
