from django.http import FileResponse, HttpResponse, HttpResponseForbidden
from django.shortcuts import render

from .models import PurchaseOrder


def home(request):
    return HttpResponse("Supplier portal. Install your supplier certificate to continue.")


def help_page(request):
    return HttpResponse("Contact purchasing@example.de for a certificate.")


def catalogue(request):
    # The price catalogue is the same for every supplier: a certificate is enough.
    return FileResponse(open("/srv/supplier-portal/data/price-catalogue.xlsx", "rb"), as_attachment=True)


def open_orders(request):
    if request.supplier is None:
        return HttpResponseForbidden("Unknown supplier certificate.")
    orders = PurchaseOrder.objects.filter(supplier=request.supplier)
    return render(request, "suppliers/orders.html", {"orders": orders})
