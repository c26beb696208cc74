from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import ListView

from .models import Invoice


class InvoiceListView(LoginRequiredMixin, ListView):
    model = Invoice
    paginate_by = 50
    ordering = ["-issued_on"]
