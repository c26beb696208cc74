import csv
import json

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Customer, Order


@permission_required("erp_bridge.view_customer", raise_exception=True)
def export_customers(request):
    response = HttpResponse(content_type="text/csv")
    writer = csv.writer(response)
    writer.writerow(["id", "name", "email", "iban"])
    for c in Customer.objects.order_by("pk").iterator():
        writer.writerow([c.pk, c.name, c.email, c.iban])
    return response


@csrf_exempt
@require_POST
@permission_required("erp_bridge.add_order", raise_exception=True)
def import_orders(request):
    rows = json.loads(request.body)
    Order.objects.bulk_create(Order(reference=r["ref"], customer_id=r["customer"]) for r in rows)
    return JsonResponse({"imported": len(rows)})
