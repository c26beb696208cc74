package python

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The table of app-code idioms: for each snippet, per read (named by its
// key, "#2" for the second read of the same key), what it decides. Each
// entry is "<sink> <accepted values>[ flows][ if <other tests>]": the
// sink the request reaches, the probe values of the header for which it
// does (<absent>, "", SUCCESS, NONE, FAILED:x, 0, 1, CN=a; "any" for all,
// "never" for none, "?" when a test cannot be evaluated), whether the
// value flows into the sink, and what else the path tests. A read that
// decides nothing (logged, echoed) has no entry.

type flowCase struct {
	name  string
	files map[string]string // path → source; a single "app/views.py" when src is set
	src   string
	want  map[string][]string
	// unanalysed lists reads kept without an analysis (key → reason part).
	unanalysed map[string]string
}

const imports = "from django.http import HttpResponseForbidden, JsonResponse, HttpResponse\nfrom django.core.exceptions import PermissionDenied\nfrom django.contrib.auth import login, authenticate\nfrom django.conf import settings\nimport logging\nlogger = logging.getLogger(__name__)\n"

var flowCases = []flowCase{
	{name: "strict check through a variable, logged and echoed", src: `
class PartnerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        if verify != "SUCCESS":
            logger.warning("rejected client: verify=%r", verify)
            return JsonResponse({"detail": "certificate required", "verify": verify}, status=403)
        return self.get_response(request)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next SUCCESS"}}},

	{name: "a view that only echoes the header", src: `
def whoami(request):
    return JsonResponse({"verify": request.META.get("HTTP_X_SSL_CLIENT_VERIFY")})
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": nil}},

	{name: "header name in a module constant of another module", files: map[string]string{
		"app/constants.py": "VERIFY = \"HTTP_X_SSL_CLIENT_VERIFY\"\nOK = \"SUCCESS\"\n",
		"app/middleware.py": imports + `
from .constants import VERIFY, OK

def cert_middleware(get_response):
    def middleware(request):
        if request.META.get(VERIFY) != OK:
            return HttpResponseForbidden()
        return get_response(request)
    return middleware
`}, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next SUCCESS"}}},

	{name: "header name from settings", src: `
class M:
    def __call__(self, request):
        if request.META.get(settings.CLIENT_VERIFY_HEADER) == "SUCCESS":
            return self.get_response(request)
        return HttpResponseForbidden()
`, want: map[string][]string{"settings.CLIENT_VERIFY_HEADER": {"next SUCCESS"}}},

	{name: "getattr(settings, name, default) and self attribute set in __init__", src: `
class M:
    def __init__(self, get_response):
        self.get_response = get_response
        self.verify_header = getattr(settings, "VERIFY_HEADER", "HTTP_X_SSL_CLIENT_VERIFY")

    def __call__(self, request):
        status = request.META.get(self.verify_header, "")
        if status != "SUCCESS":
            return JsonResponse({"error": "certificate required"}, status=401)
        return self.get_response(request)
`, want: map[string][]string{`getattr(settings, "VERIFY_HEADER", "HTTP_X_SSL_CLIENT_VERIFY")`: {"next SUCCESS"}}},

	{name: "header name from an f-string of constants and a class constant", src: `
PREFIX = "HTTP_X_SSL_CLIENT"
class M:
    VERIFY = f"{PREFIX}_VERIFY"
    def __call__(self, request):
        if request.META.get(self.VERIFY) in ("SUCCESS",):
            return self.get_response(request)
        return HttpResponseForbidden()
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next SUCCESS"}}},

	{name: "in a one-element tuple", src: `
ACCEPTED = ("SUCCESS",)
def view(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") in ACCEPTED:
        return JsonResponse({"ok": True})
    return JsonResponse({"error": "no"}, status=403)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "strict or missing DN", src: `
def payslip(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    if verify != "SUCCESS" or not subject:
        return HttpResponseForbidden()
    return HttpResponse(subject)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {`view SUCCESS if HTTP_X_SSL_CLIENT_DN truthy`},
		"HTTP_X_SSL_CLIENT_DN":     {`view SUCCESS|NONE|FAILED:x|0|1|CN=a if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "raise on failure, login in the else branch", src: `
def smartcard_login(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        raise PermissionDenied("no smartcard")
    else:
        user = authenticate(request, certificate_subject=request.META.get("HTTP_X_SSL_CLIENT_DN"))
        if user is None:
            raise PermissionDenied("unknown")
        login(request, user)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"login SUCCESS", "login SUCCESS if ![user is None]"},
		"HTTP_X_SSL_CLIENT_DN":     {`login any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`, `login any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS" && ![user is None]`}}},

	{name: "inverted check logs in everyone but a verified client", src: `
def mw(get_response):
    def middleware(request):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE")
        if not verify == "SUCCESS":
            login(request, None)
        return get_response(request)
    return middleware
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {`login <absent>|""|NONE|FAILED:x|0|1|CN=a`}}},

	{name: "only the literal FAILED refused", src: `
def price_list(request, slug):
    v = request.META.get("HTTP_X_SSL_CLIENT_VERIFY")
    if v == "FAILED":
        return HttpResponseForbidden()
    return HttpResponse("prices")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view any"}}},

	{name: "two reads of one header in two views, each judged", src: `
def strict(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return HttpResponseForbidden()
    return HttpResponse("a")

def weak(request):
    if not request.META.get("HTTP_X_SSL_CLIENT_VERIFY"):
        return HttpResponseForbidden()
    return HttpResponse("b")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}, "HTTP_X_SSL_CLIENT_VERIFY#2": {"view SUCCESS|NONE|FAILED:x|0|1|CN=a"}}},

	{name: "DN presence then lookup", src: `
class M:
    def __call__(self, request):
        subject = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        if not subject:
            return JsonResponse({"detail": "certificate required"}, status=401)
        partner = Partner.objects.filter(subject=subject).first()
        if partner is None:
            return JsonResponse({"detail": "unknown"}, status=403)
        request.partner = partner
        return self.get_response(request)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {
		"attr SUCCESS|NONE|FAILED:x|0|1|CN=a flows if ![partner is None]",
		"lookup SUCCESS|NONE|FAILED:x|0|1|CN=a flows",
		"next SUCCESS|NONE|FAILED:x|0|1|CN=a if ![partner is None]"}}},

	{name: "DRF authentication returning None when unverified", src: `
from rest_framework import authentication
class CertAuth(authentication.BaseAuthentication):
    def authenticate(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return None
        dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        client = Client.objects.filter(dn=dn).first()
        if client is None:
            return None
        return (client.user, client)
`, want: map[string][]string{
		// None: DRF goes on to the view with an anonymous user, for
		// whatever the client sent
		"HTTP_X_SSL_CLIENT_VERIFY": {`anonymous <absent>|""|NONE|FAILED:x|0|1|CN=a`, "anonymous SUCCESS if [client is None]", "authenticated SUCCESS if ![client is None]", "lookup SUCCESS"},
		"HTTP_X_SSL_CLIENT_DN":     {`authenticated any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS" && ![client is None]`, `lookup any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "DRF authentication raising when unverified", src: `
from rest_framework import authentication, exceptions
class CertAuth(authentication.BaseAuthentication):
    def authenticate(self, request):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "NONE")
        if verify != "SUCCESS":
            raise exceptions.AuthenticationFailed(f"client certificate not verified ({verify})")
        user = User.objects.get(username=request.META["HTTP_X_SSL_CLIENT_DN"])
        return (user, None)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"authenticated SUCCESS if HTTP_X_SSL_CLIENT_DN present", "lookup SUCCESS if HTTP_X_SSL_CLIENT_DN present"},
		"HTTP_X_SSL_CLIENT_DN":     {`authenticated ""|SUCCESS|NONE|FAILED:x|0|1|CN=a flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`, `lookup ""|SUCCESS|NONE|FAILED:x|0|1|CN=a flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "DRF permission class", src: `
from rest_framework.permissions import BasePermission
class HasVerifiedCert(BasePermission):
    def has_permission(self, request, view):
        return request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS"
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"permission SUCCESS"}}},

	{name: "permission class that admits any value", src: `
from rest_framework.permissions import BasePermission
class HasCert(BasePermission):
    def has_permission(self, request, view):
        return bool(request.headers.get("X-SSL-Client-Verify"))
`, want: map[string][]string{"X-SSL-Client-Verify": {"permission SUCCESS|NONE|FAILED:x|0|1|CN=a"}}},

	{name: "decorator require_client_cert", src: `
import functools
def require_client_cert(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        if verify != "SUCCESS":
            logger.warning("%s without a certificate: %s", request.path, verify)
            return HttpResponseForbidden()
        request.device_dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return view(request, *args, **kwargs)
    return wrapper

@require_client_cert
def results(request):
    return JsonResponse({"device": request.device_dn})
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"attr SUCCESS", "next SUCCESS"},
		"HTTP_X_SSL_CLIENT_DN":     {`attr any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "decorator that refuses only FAILED prefixes", src: `
def require_client_cert(view):
    def wrapper(request, *args, **kwargs):
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
        if verify.startswith("FAILED"):
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)
    return wrapper
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {`next <absent>|""|SUCCESS|NONE|0|1|CN=a`}}},

	{name: "class-based view dispatch mixin", src: `
class TabletRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("tablet certificate required")
        self.tablet = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return super().dispatch(request, *args, **kwargs)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"attr SUCCESS", "next SUCCESS"},
		"HTTP_X_SSL_CLIENT_DN":     {`attr any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "dispatch that tests truthiness", src: `
class TabletRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.META.get("HTTP_X_SSL_CLIENT_VERIFY"):
            return HttpResponseForbidden()
        return super().dispatch(request, *args, **kwargs)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next SUCCESS|NONE|FAILED:x|0|1|CN=a"}}},

	{name: "helper in another module", files: map[string]string{
		"people/certs.py": "def verified(request):\n    return request.META.get(\"HTTP_X_SSL_CLIENT_VERIFY\") == \"SUCCESS\"\n\ndef subject(request):\n    return request.META.get(\"HTTP_X_SSL_CLIENT_DN\", \"\")\n",
		"people/views.py": imports + `
from .certs import subject, verified

def salary(request, pk):
    if not verified(request):
        return HttpResponseForbidden("HR smartcard required")
    viewer = get_object_or_404(Employee, certificate_subject=subject(request))
    return JsonResponse({"salary": viewer.salary})
`}, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"lookup SUCCESS", "view SUCCESS"},
		"HTTP_X_SSL_CLIENT_DN":     {`lookup any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "helper module imported as a module", files: map[string]string{
		"core/certs.py": "def verified(request):\n    return request.headers.get(\"X-SSL-Client-Verify\", \"\").upper() == \"SUCCESS\"\n",
		"core/views.py": imports + `
from . import certs

def report(request):
    if certs.verified(request):
        return HttpResponse("report")
    return HttpResponseForbidden()
`}, want: map[string][]string{"X-SSL-Client-Verify": {"view SUCCESS"}}},

	{name: "request.headers subscript in try/except", src: `
def payout(request):
    try:
        verification = request.headers["X-SSL-Client-Verify"]
    except KeyError:
        return HttpResponseForbidden("no client certificate information")
    if verification != "SUCCESS":
        logger.warning("payout with %r", verification)
        return HttpResponseForbidden()
    return JsonResponse({"ok": True})
`, want: map[string][]string{"X-SSL-Client-Verify": {"view SUCCESS"}}},

	{name: "match statement with SUCCESS continuing", files: map[string]string{
		"subst/auth.py": imports + `
def authenticate_rtu(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    match verify:
        case "SUCCESS":
            pass
        case "NONE" | "":
            return None, JsonResponse({"error": "certificate required"}, status=401)
        case _:
            logger.warning("rejected: %s", verify)
            return None, JsonResponse({"error": "rejected"}, status=403)
    rtu = Rtu.objects.filter(subject=request.META.get("HTTP_X_SSL_CLIENT_DN", "")).first()
    if rtu is None:
        return None, JsonResponse({"error": "unknown RTU"}, status=403)
    return rtu, None
`,
		"subst/views.py": imports + `
from .auth import authenticate_rtu

def setpoint(request):
    rtu, refusal = authenticate_rtu(request)
    if refusal:
        return refusal
    rtu.save()
    return JsonResponse({"open": rtu.breaker_open})
`}, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"lookup SUCCESS", "view SUCCESS if ![rtu is None]"},
		"HTTP_X_SSL_CLIENT_DN":     {`lookup any flows if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "match statement refusing only literal values", src: `
def authenticate_rtu(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    match verify:
        case "NONE" | "":
            return HttpResponseForbidden()
        case "FAILED":
            return HttpResponseForbidden()
    return HttpResponse("breaker")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS|FAILED:x|0|1|CN=a"}}},

	{name: "match with a guard", src: `
def handle(request):
    match request.META.get("HTTP_X_SSL_CLIENT_VERIFY", ""):
        case "SUCCESS":
            return HttpResponse("ok")
        case failed if failed.startswith("FAILED:"):
            return HttpResponseForbidden(f"rejected: {failed!r}")
        case _:
            return HttpResponseForbidden()
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "walrus with a strict comparison", src: `
def next_job(request):
    if (verify := request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")) != "SUCCESS":
        return HttpResponseForbidden(f"printer certificate required ({verify})")
    return JsonResponse({"id": 1})
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "walrus presence", src: `
def next_job(request):
    if not (verify := request.META.get("HTTP_X_SSL_CLIENT_VERIFY")):
        return HttpResponseForbidden("printer certificate required")
    return JsonResponse({"id": 1})
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS|NONE|FAILED:x|0|1|CN=a"}}},

	{name: "walrus in an if header", src: `
def view(request):
    if dn := request.META.get("HTTP_X_SSL_CLIENT_DN"):
        request.user = User.objects.get(username=dn)
    return HttpResponse("x")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {
		"attr SUCCESS|NONE|FAILED:x|0|1|CN=a flows", "lookup SUCCESS|NONE|FAILED:x|0|1|CN=a flows"}}},

	{name: "nested functions", src: `
def download(request, ref):
    def caller_is_verified():
        return request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "") == "SUCCESS"

    def caller():
        return request.META.get("HTTP_X_SSL_CLIENT_DN", "")

    if not caller_is_verified():
        logger.warning("unverified download of %s", ref)
        return HttpResponseForbidden()
    logger.info("%s downloaded by %s", ref, caller())
    return HttpResponse("pdf")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "public paths return early", src: `
PUBLIC = ("/healthz", "/docs/")
class M:
    def __call__(self, request):
        if request.path.startswith(PUBLIC):
            return self.get_response(request)
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return JsonResponse({"error": "certificate required"}, status=401)
        request.agency = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
        return self.get_response(request)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {"attr SUCCESS if ![request.path.startswith(PUBLIC)]", "next SUCCESS"},
		"HTTP_X_SSL_CLIENT_DN":     {`attr any flows if ![request.path.startswith(PUBLIC)] && HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "prefix check", src: `
def view(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    if verify.startswith("SUCCESS"):
        return HttpResponse("ok")
    return HttpResponseForbidden()
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "first element of a comma list", src: `
def view(request):
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "").split(",")[0]
    request.user = User.objects.get(username=dn)
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {"attr any flows (a part)", "lookup any flows (a part)"}}},

	{name: "HAProxy used flag and verify result", src: `
class M:
    def __call__(self, request):
        used = request.META.get("HTTP_X_SSL_CLIENT_USED")
        verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY")
        if used != "1" or verify != "0":
            return HttpResponseForbidden()
        return self.get_response(request)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_USED":   {`next 1 if HTTP_X_SSL_CLIENT_VERIFY == "0"`},
		"HTTP_X_SSL_CLIENT_VERIFY": {`next 0 if HTTP_X_SSL_CLIENT_USED == "1"`}}},

	{name: "HAProxy verify result as an integer", src: `
class M:
    def __call__(self, request):
        if int(request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "1")) != 0:
            return HttpResponseForbidden()
        return self.get_response(request)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next 0"}}},

	{name: "case-insensitive comparison", src: `
def view(request):
    if request.headers.get("x-ssl-client-verify", "").lower() == "success":
        return HttpResponse("ok")
    return HttpResponseForbidden()
`, want: map[string][]string{"x-ssl-client-verify": {"view SUCCESS"}}},

	{name: "or default", src: `
def view(request):
    verify = request.META.get("HTTP_X_SSL_CLIENT_VERIFY") or "NONE"
    if verify in ("NONE", "FAILED"):
        return HttpResponseForbidden()
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS|FAILED:x|0|1|CN=a"}}},

	{name: "environ value or the header of the same name", src: `
def view(request):
    verify = request.META.get("SSL_CLIENT_VERIFY") or request.META.get("HTTP_X_SSL_CLIENT_VERIFY")
    if verify == "SUCCESS":
        return HttpResponse("ok")
    return HttpResponseForbidden()
`, want: map[string][]string{
		"SSL_CLIENT_VERIFY":        {`view SUCCESS`, `view <absent>|"" if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`},
		"HTTP_X_SSL_CLIENT_VERIFY": {`view SUCCESS if !SSL_CLIENT_VERIFY truthy`}}},

	{name: "key in META", src: `
def view(request):
    if "HTTP_X_SSL_CLIENT_VERIFY" not in request.META:
        return HttpResponseForbidden()
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {`view ""|SUCCESS|NONE|FAILED:x|0|1|CN=a`}}},

	{name: "is None", src: `
def view(request):
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
    if dn is None:
        return HttpResponseForbidden()
    request.session["dn"] = dn
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {`attr ""|SUCCESS|NONE|FAILED:x|0|1|CN=a flows`, `view ""|SUCCESS|NONE|FAILED:x|0|1|CN=a`}}},

	{name: "Flask before_request with abort and g", files: map[string]string{"rota/api.py": `
from flask import Blueprint, abort, g, jsonify, request
import logging
log = logging.getLogger(__name__)
bp = Blueprint("api", __name__)

@bp.before_request
def require_terminal():
    verify = request.headers.get("X-SSL-Client-Verify", "")
    subject = request.headers.get("X-SSL-Client-DN", "")
    if verify != "SUCCESS":
        log.info("unverified: %s", verify)
        abort(403)
    g.terminal = Terminal.query.filter_by(subject=subject).first()
    if g.terminal is None:
        abort(403)
`}, want: map[string][]string{
		"X-SSL-Client-Verify": {"attr SUCCESS", "lookup SUCCESS", "next SUCCESS if ![g.terminal is None]"},
		"X-SSL-Client-DN":     {`attr any flows if X-SSL-Client-Verify == "SUCCESS"`, `lookup any flows if X-SSL-Client-Verify == "SUCCESS"`}}},

	{name: "Flask decorator logging in with flask_login", files: map[string]string{"rota/auth.py": `
from functools import wraps
from flask import abort, request
from flask_login import login_user

def certificate_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.headers.get("X-SSL-Client-Verify") != "SUCCESS":
            abort(401)
        login_user(User.query.filter_by(dn=request.headers["X-SSL-Client-DN"]).one())
        return view(*args, **kwargs)
    return wrapper
`}, want: map[string][]string{
		"X-SSL-Client-Verify": {"login SUCCESS if X-SSL-Client-DN present", "lookup SUCCESS if X-SSL-Client-DN present"},
		"X-SSL-Client-DN":     {`login ""|SUCCESS|NONE|FAILED:x|0|1|CN=a flows if X-SSL-Client-Verify == "SUCCESS"`, `lookup ""|SUCCESS|NONE|FAILED:x|0|1|CN=a flows if X-SSL-Client-Verify == "SUCCESS"`}}},

	{name: "Flask before_app_request on request.environ under uWSGI", files: map[string]string{"rota/gate.py": `
from flask import Blueprint, abort, request
bp = Blueprint("gate", __name__)

@bp.before_app_request
def gate():
    if request.environ.get("HTTP_X_SSL_CLIENT_VERIFY") not in ("SUCCESS",):
        abort(403)
`}, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next SUCCESS"}}},

	{name: "process_request returning None lets the request through", src: `
from django.utils.deprecation import MiddlewareMixin
class CertMiddleware(MiddlewareMixin):
    def process_request(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            return None
        return HttpResponseForbidden()
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"next SUCCESS"}}},

	{name: "constant-time comparison", src: `
import hmac
def view(request):
    if not hmac.compare_digest(request.META.get("HTTP_X_SSL_CLIENT_VERIFY", ""), "SUCCESS"):
        return HttpResponseForbidden()
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "first CN by regular expression", src: `
import re
CN_RE = re.compile(r"CN=([^/,]+)")
class M:
    def __call__(self, request):
        request.member = None
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            match = CN_RE.search(request.META.get("HTTP_X_SSL_CLIENT_DN", ""))
            if match:
                request.member = Member.objects.filter(username=match.group(1)).first()
        return self.get_response(request)
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY": {`attr SUCCESS if HTTP_X_SSL_CLIENT_DN regex "CN=([^/,]+)"`, `lookup SUCCESS if HTTP_X_SSL_CLIENT_DN regex "CN=([^/,]+)"`},
		"HTTP_X_SSL_CLIENT_DN":     {`attr CN=a flows (a part) if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`, `lookup CN=a flows (a part) if HTTP_X_SSL_CLIENT_VERIFY == "SUCCESS"`}}},

	{name: "assert", src: `
def view(request):
    assert request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS"
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "a conditional expression", src: `
def view(request):
    ok = True if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS" else False
    if not ok:
        return HttpResponseForbidden()
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "a boolean stored on the request", src: `
class M:
    def __call__(self, request):
        request.cert_ok = request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS"
        return self.get_response(request)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"attr SUCCESS"}}},

	{name: "not in a one-element tuple refused", src: `
def view(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") not in ("SUCCESS",):
        return HttpResponseForbidden()
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "refusal by status constant", src: `
from rest_framework import status
from rest_framework.response import Response
def view(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return Response({"detail": "no"}, status=status.HTTP_403_FORBIDDEN)
    return Response({"ok": True})
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "header values in metrics and exception messages only", src: `
from rest_framework import authentication, exceptions
class A(authentication.BaseAuthentication):
    def authenticate(self, request):
        statsd.incr("cert." + request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "none"))
        raise exceptions.AuthenticationFailed("bad certificate: %s" % request.META.get("HTTP_X_SSL_CLIENT_DN"))
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": nil, "HTTP_X_SSL_CLIENT_DN": nil}},

	{name: "a helper returns the DN used as the identity", files: map[string]string{
		"acct/certs.py": "def dn_of(request):\n    return request.META.get(\"HTTP_X_SSL_CLIENT_DN\", \"\").strip()\n",
		"acct/views.py": imports + `
from .certs import dn_of

def me(request):
    user = User.objects.get(username=dn_of(request))
    login(request, user)
    return HttpResponse("hi")
`}, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {"login any flows", "lookup any flows"}}},

	{name: "a guarded branch elsewhere does not widen a strict one", src: `
def view(request):
    if request.method == "GET":
        return HttpResponse("public listing")
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return HttpResponseForbidden()
    return HttpResponse("write")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "a check a staff user skips: the certificate does not decide that path", src: `
def view(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS" or request.user.is_staff:
        return HttpResponse("ok")
    return HttpResponseForbidden()
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": {"view SUCCESS"}}},

	{name: "loop over candidate header names", src: `
NAMES = ("HTTP_X_SSL_CLIENT_DN", "HTTP_X_CLIENT_DN")
def view(request):
    for name in NAMES:
        dn = request.META.get(name)
        if dn:
            request.user = User.objects.get(username=dn)
            break
    return HttpResponse("x")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {"attr SUCCESS|NONE|FAILED:x|0|1|CN=a flows", "lookup SUCCESS|NONE|FAILED:x|0|1|CN=a flows"}}},

	{name: "an auth backend returning the user of a header", src: `
from django.contrib.auth.backends import ModelBackend
class CertBackend(ModelBackend):
    def authenticate(self, request, **kwargs):
        dn = request.META.get("HTTP_X_SSL_CLIENT_DN")
        if not dn:
            return None
        return User.objects.filter(username=dn).first()
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {"authenticated SUCCESS|NONE|FAILED:x|0|1|CN=a flows", "lookup SUCCESS|NONE|FAILED:x|0|1|CN=a flows"}}},

	{name: "RemoteUserMiddleware subclass", src: `
from django.contrib.auth.middleware import RemoteUserMiddleware
class ProxyRemoteUser(RemoteUserMiddleware):
    header = "HTTP_X_REMOTE_USER"
`, want: map[string][]string{"HTTP_X_REMOTE_USER": {"login SUCCESS|NONE|FAILED:x|0|1|CN=a flows"}}},

	{name: "a WSGI application reading the environ", src: `
def application(environ, start_response):
    if environ.get("SSL_CLIENT_VERIFY") != "SUCCESS":
        start_response("403 Forbidden", [])
        return [b"no"]
    return inner(environ, start_response)
`, want: map[string][]string{"SSL_CLIENT_VERIFY": {"next SUCCESS"}}},

	{name: "a statement the parser rejects keeps its read", src: `
def view(request, /):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return HttpResponseForbidden()
    return HttpResponse("ok")
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_VERIFY": nil}, unanalysed: map[string]string{"HTTP_X_SSL_CLIENT_VERIFY": "positional-only"}},

	{name: "an unknown key is kept", src: `
def view(request, name):
    if request.META.get(name) == "SUCCESS":
        return HttpResponse("ok")
    return HttpResponseForbidden()
`, want: map[string][]string{"": {"view SUCCESS"}}},

	{name: "a setting compared with", src: `
class M:
    def __call__(self, request):
        verify = request.META.get(settings.CLIENT_CERT_VERIFY_HEADER)
        if verify != settings.CLIENT_CERT_VERIFY_OK:
            return HttpResponseForbidden()
        return self.get_response(request)
`, want: map[string][]string{"settings.CLIENT_CERT_VERIFY_HEADER": {`next ""|SUCCESS|NONE|FAILED:x|0|1|CN=a?`}}},

	{name: "a middleware that logs in on SUCCESS and lets everyone through", files: map[string]string{
		"certauth/conf.py": "from django.conf import settings\n\nVERIFY_HEADER = getattr(settings, \"CERTAUTH_VERIFY_HEADER\", \"HTTP_X_SSL_CLIENT_VERIFY\")\nSUBJECT_HEADER = getattr(settings, \"CERTAUTH_SUBJECT_HEADER\", \"HTTP_X_SSL_CLIENT_DN\")\n",
		"certauth/middleware.py": `from django.contrib import auth
from . import conf

class ProxyCertificateMiddleware:
    def __call__(self, request):
        verified = request.META.get(conf.VERIFY_HEADER) == "SUCCESS"
        subject = request.META.get(conf.SUBJECT_HEADER, "") if verified else ""
        if not subject:
            if request.user.is_authenticated:
                auth.logout(request)
            return self.get_response(request)
        user = auth.authenticate(request, certificate_subject=subject)
        if user is not None:
            auth.login(request, user)
        return self.get_response(request)
`}, want: map[string][]string{
		`getattr(settings, "CERTAUTH_VERIFY_HEADER", "HTTP_X_SSL_CLIENT_VERIFY")`: {
			`login SUCCESS if getattr(settings, "CERTAUTH_SUBJECT_HEADER", "HTTP_X_SSL_CLIENT_DN") truthy`,
			`login SUCCESS if getattr(settings, "CERTAUTH_SUBJECT_HEADER", "HTTP_X_SSL_CLIENT_DN") truthy && [user is not None]`},
		`getattr(settings, "CERTAUTH_SUBJECT_HEADER", "HTTP_X_SSL_CLIENT_DN")`: {
			`login SUCCESS|NONE|FAILED:x|0|1|CN=a flows if getattr(settings, "CERTAUTH_VERIFY_HEADER", "HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS"`,
			`login SUCCESS|NONE|FAILED:x|0|1|CN=a flows if getattr(settings, "CERTAUTH_VERIFY_HEADER", "HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS" && [user is not None]`}}},

	{name: "a helper nothing calls returns a weak check", src: `
def accepts_anything_but_failed(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "FAILED":
        return True
    return False

def zero(request):
    return request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "0"

def dn(request):
    return request.META.get("HTTP_X_SSL_CLIENT_DN", "").strip()
`, want: map[string][]string{
		"HTTP_X_SSL_CLIENT_VERIFY":   {"return any"},
		"HTTP_X_SSL_CLIENT_VERIFY#2": {"return 0"},
		"HTTP_X_SSL_CLIENT_DN":       {"return any flows"}}},

	{name: "an identity or None stored on the request", src: `
def client_identity(request):
    return request.META.get("HTTP_X_SSL_CLIENT_DN") or None

class M:
    def __call__(self, request):
        request.client_identity = client_identity(request)
        return self.get_response(request)
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_DN": {"attr SUCCESS|NONE|FAILED:x|0|1|CN=a flows"}}},

	{name: "a Starlette middleware", src: `
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
class CertMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if request.headers.get("x-ssl-client-verify") != "SUCCESS":
            return JSONResponse({"detail": "certificate required"}, status_code=403)
        return await call_next(request)
`, want: map[string][]string{"x-ssl-client-verify": {"next SUCCESS"}}},

	{name: "a Starlette middleware reading request.scope headers", src: `
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
class CertMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        headers = dict(request.scope["headers"])
        if headers.get(b"x-ssl-client-verify") != b"SUCCESS":
            return JSONResponse({"detail": "certificate required"}, status_code=403)
        return await call_next(request)
`, want: map[string][]string{"x-ssl-client-verify": {"next SUCCESS"}}},

	{name: "an ASGI middleware reading scope.get(\"headers\"), presence only", src: `
from starlette.responses import PlainTextResponse
class CertMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if not headers.get(b"x-ssl-client-verify"):
            response = PlainTextResponse("certificate required", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
`, want: map[string][]string{"x-ssl-client-verify": {"next SUCCESS|NONE|FAILED:x|0|1|CN=a"}}},

	{name: "an ASGI middleware iterating scope[\"headers\"] as byte pairs", src: `
from starlette.responses import PlainTextResponse
class CertMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        verify = None
        for name, value in scope["headers"]:
            if name == b"x-ssl-client-verify":
                verify = value
        if verify == b"SUCCESS":
            await self.app(scope, receive, send)
            return
        await PlainTextResponse("certificate required", status_code=403)(scope, receive, send)
`, want: map[string][]string{"x-ssl-client-verify": {"next SUCCESS"}}},

	{name: "a Starlette middleware that only looks for the header line", src: `
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse
class CertMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        for name, value in request.scope["headers"]:
            if name == b"x-ssl-client-verify":
                return await call_next(request)
        return JSONResponse({"detail": "certificate required"}, status_code=403)
`, want: map[string][]string{"x-ssl-client-verify": {"next \"\"|SUCCESS|NONE|FAILED:x|0|1|CN=a"}}},

	{name: "an ASGI middleware through starlette Headers(scope=scope)", src: `
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
class CertMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = Headers(scope=scope)
        if headers.get("X-SSL-Client-Verify") == "SUCCESS":
            await self.app(scope, receive, send)
            return
        await PlainTextResponse("certificate required", status_code=403)(scope, receive, send)
`, want: map[string][]string{"X-SSL-Client-Verify": {"next SUCCESS"}}},

	{name: "a forwarded certificate verified against pinned roots", src: `
from urllib.parse import unquote
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, VerificationError
from flask import Flask, abort, request
app = Flask(__name__)

def vendor_certificate():
    pem = request.headers.get("X-Device-Certificate", "")
    if not pem:
        abort(401)
    leaf = x509.load_pem_x509_certificate(unquote(pem).encode())
    verifier = PolicyBuilder().store(ROOTS).build_client_verifier()
    try:
        verifier.verify(leaf, INTERMEDIATES)
    except VerificationError:
        abort(403)
    return leaf

@app.post("/enroll")
def enroll():
    leaf = vendor_certificate()
    return sign(leaf.serial_number), 201
`, want: map[string][]string{"X-Device-Certificate": {"return never flows"}}},

	{name: "a verification whose failure is ignored", src: `
from OpenSSL import crypto

def client_cert(request):
    pem = request.META.get("HTTP_X_SSL_CLIENT_CERT")
    cert = crypto.load_certificate(crypto.FILETYPE_PEM, pem)
    try:
        crypto.X509StoreContext(STORE, cert).verify_certificate()
    except crypto.X509StoreContextError:
        pass
    return cert
`, want: map[string][]string{"HTTP_X_SSL_CLIENT_CERT": {"return any flows"}}}, // the handler path absorbs the verified one

	{name: "FastAPI Header() parameters and a dependency chain", files: map[string]string{
		"app/security.py": `
from typing import Optional
from fastapi import Depends, Header, HTTPException

async def require_client_cert(
    x_ssl_client_verify: Optional[str] = Header(default=None),
    x_ssl_client_dn: Optional[str] = Header(default=None),
) -> str:
    if x_ssl_client_verify != "SUCCESS":
        raise HTTPException(403, "meter certificate required")
    return x_ssl_client_dn or ""

async def current_meter(subject: str = Depends(require_client_cert)):
    meter = await Meter.objects.get(subject=subject)
    return meter
`}, want: map[string][]string{
		// require_client_cert returns the DN or ""; current_meter looks
		// the meter up by either and returns it.
		"x-ssl-client-verify": {"lookup SUCCESS", "return SUCCESS", "return SUCCESS if x-ssl-client-dn truthy"},
		"x-ssl-client-dn": {"lookup any flows if x-ssl-client-verify == \"SUCCESS\"",
			"return SUCCESS|NONE|FAILED:x|0|1|CN=a flows if x-ssl-client-verify == \"SUCCESS\"", "return any flows if x-ssl-client-verify == \"SUCCESS\""}}},

	{name: "FastAPI Annotated Header with an alias, presence only", src: `
from typing import Annotated
from fastapi import FastAPI, Header, HTTPException
app = FastAPI()

@app.get("/me")
def me(dn: Annotated[str | None, Header(alias="X-Client-DN")] = None):
    if not dn:
        raise HTTPException(401)
    return {"dn": dn}
`, want: map[string][]string{"X-Client-DN": {"return SUCCESS|NONE|FAILED:x|0|1|CN=a flows"}}},

	{name: "FastAPI required Header(...): absent is refused with 422", src: `
from fastapi import FastAPI, Header, Depends
app = FastAPI()

def verified(x_client_verify: str = Header(...)):
    return x_client_verify == "SUCCESS"

@app.get("/data")
def data(ok: bool = Depends(verified)):
    if ok:
        return Response("secret")
    return Response("no", status_code=403)
`, want: map[string][]string{"x-client-verify": {"return SUCCESS", "view SUCCESS"}}},

	{name: "FastAPI Header with convert_underscores=False keeps the name", src: `
from fastapi import FastAPI, Header
app = FastAPI()

@app.get("/data")
def data(x_client_verify: str = Header(None, convert_underscores=False)):
    if x_client_verify == "SUCCESS":
        return Response("secret")
    return Response("no", status_code=403)
`, want: map[string][]string{"x_client_verify": {"view SUCCESS"}}},
}

// short renders a test without positions, by the key of its read.
func short(t *Test) string {
	if t.Read == nil {
		s := "[" + t.Text + "]"
		if t.Negated {
			s = "!" + s
		}
		return s
	}
	key := t.Read.Key()
	if len(t.Read.Keys) > 0 && t.Read.Keys[0].Setting != "" {
		key = t.Read.Keys[0].String()
	}
	s := key + " " + t.Op.String()
	if t.Op == TestUnknown {
		s = key + " unknown(" + t.Text + ")"
	}
	var vals []string
	for _, v := range t.Values {
		vals = append(vals, v.String())
	}
	if len(vals) > 0 {
		s += " " + strings.Join(vals, "|")
	}
	if t.Negated {
		s = "!" + s
	}
	return s
}

// decides summarises a read's decisions for the table.
func decides(r *Read) []string {
	var out []string
	for _, d := range r.Decisions {
		for _, p := range d.Paths {
			s := d.Sink.Kind.String() + " " + acceptance(p, r)
			if p.FlowsFrom(r) {
				s += " flows"
			}
			if containsRead(p.Parts, r) {
				s += " (a part)"
			}
			var others []string
			for _, t := range p.Tests {
				if t.Read != r {
					others = append(others, short(t))
				}
			}
			if len(others) > 0 {
				s += " if " + strings.Join(others, " && ")
			}
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return dedupeStrings(out)
}

func TestFlowTable(t *testing.T) {
	if len(flowCases) < 50 {
		t.Errorf("the table holds %d snippets; it should hold at least 50", len(flowCases))
	}
	for _, c := range flowCases {
		t.Run(c.name, func(t *testing.T) {
			files := c.files
			if files == nil {
				files = map[string]string{"app/views.py": imports + c.src}
			}
			got := map[string][]string{}
			unanalysed := map[string]string{}
			count := map[string]int{}
			var reads []*Read
			for _, tr := range loadFiles(t, files) {
				if tr.App != nil {
					reads = append(reads, tr.App.ReadSites...)
				}
			}
			sortReads(reads)
			for _, r := range reads {
				key := r.Key()
				if len(r.Keys) > 0 && r.Keys[0].Setting != "" {
					key = r.Keys[0].String()
				}
				count[key]++
				if count[key] > 1 {
					key = fmt.Sprintf("%s#%d", key, count[key])
				}
				got[key] = decides(r)
				if r.Unanalysed != "" {
					unanalysed[key] = r.Unanalysed
				}
			}
			for key, want := range c.want {
				have, ok := got[key]
				if !ok {
					t.Errorf("no read of %q; reads: %v", key, keys(got))
					continue
				}
				if len(want) == 0 && len(have) == 0 {
					continue
				}
				want = append([]string(nil), want...)
				sort.Strings(want)
				if !reflect.DeepEqual(want, have) {
					t.Errorf("%s:\n want %q\n have %q", key, want, have)
				}
			}
			for key, have := range got {
				if _, listed := c.want[key]; !listed && len(have) > 0 {
					t.Errorf("unexpected decisions of %s: %q", key, have)
				}
			}
			for key, part := range c.unanalysed {
				if !strings.Contains(unanalysed[key], part) {
					t.Errorf("%s: unanalysed %q, want it to mention %q", key, unanalysed[key], part)
				}
			}
			for key, why := range unanalysed {
				if _, ok := c.unanalysed[key]; !ok {
					t.Errorf("%s unexpectedly unanalysed: %s", key, why)
				}
			}
		})
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
