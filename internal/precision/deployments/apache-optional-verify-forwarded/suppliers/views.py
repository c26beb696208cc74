from django.http import FileResponse, HttpResponse
from django.shortcuts import render

from .models import PurchaseOrder


def home(request):
    return HttpResponse("Supplier portal. Install your supplier certificate to continue.")


def help_page(request):
    return HttpResponse("Contact purchasing@example.de for a certificate.")


def catalogue(request):
    return FileResponse(open("/srv/supplier-portal/data/price-catalogue.xlsx", "rb"), as_attachment=True)


def open_orders(request):
    orders = PurchaseOrder.objects.filter(supplier=request.supplier)
    return render(request, "suppliers/orders.html", {"orders": orders})
