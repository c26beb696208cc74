from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .mixins import TabletCertificateRequiredMixin
from .models import Job


class JobListView(TabletCertificateRequiredMixin, View):
    def get(self, request):
        jobs = Job.objects.filter(done=False).values("pk", "customer_name", "address", "gate_code")
        return JsonResponse({"jobs": list(jobs)})


@method_decorator(csrf_exempt, name="dispatch")
class CompleteJobView(TabletCertificateRequiredMixin, View):
    def post(self, request, pk):
        Job.objects.filter(pk=pk).update(done=True, completed_by=self.tablet)
        return JsonResponse({"ok": True})
