import io

import pandas as pd
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def healthz(request):
    return HttpResponse("ok")


def index(request):
    return render(request, "dashboards/index.html")


def revenue_export(request):
    df = pd.read_sql("SELECT month, region, revenue_eur, margin_eur FROM revenue_by_month", connection)
    buf = io.BytesIO()
    df.to_excel(buf, index=False)
    return HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
