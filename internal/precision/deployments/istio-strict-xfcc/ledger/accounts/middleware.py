from django.http import JsonResponse

# Which ledger books each calling workload may post to.
CALLER_BOOKS = {
    "spiffe://cluster.local/ns/payments/sa/payment-worker": {"receivables", "fees"},
    "spiffe://cluster.local/ns/payroll/sa/payroll-runner": {"payroll"},
    "spiffe://cluster.local/ns/reporting/sa/report-builder": set(),
}


def caller_from_xfcc(value):
    """The sidecar appends its element last (APPEND_FORWARD): By=...;Hash=...;URI=spiffe://..."""
    last = value.split(",")[-1]
    for pair in last.split(";"):
        key, _, val = pair.partition("=")
        if key.strip() == "URI":
            return val.strip()
    return None


class MeshCallerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return self.get_response(request)
        caller = caller_from_xfcc(request.headers.get("X-Forwarded-Client-Cert", ""))
        if caller not in CALLER_BOOKS:
            return JsonResponse({"error": "unknown caller"}, status=403)
        request.caller = caller
        request.allowed_books = CALLER_BOOKS[caller]
        return self.get_response(request)
