package terraform

import (
	"context"
	"io/fs"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	tf "github.com/mtlslint/mtlslint/parsers/terraform"
	"github.com/mtlslint/mtlslint/rules"
)

type mapReader map[string]string

func (m mapReader) ReadFile(p string) (*source.File, error) {
	s, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return source.NewFile(p, []byte(s)), nil
}
func (m mapReader) Glob(string) ([]string, error)    { return nil, nil }
func (m mapReader) Stat(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }

func module(t *testing.T, src string) *tf.Module {
	t.Helper()
	mods, probs := tf.Load(mapReader{"main.tf": src}, []string{"main.tf"})
	if len(probs) > 0 || len(mods) != 1 {
		t.Fatalf("load: %v modules, problems %v", len(mods), probs)
	}
	return mods[0]
}

func routes(t *testing.T, src string) map[string]*rules.Route {
	t.Helper()
	out := map[string]*rules.Route{}
	for _, r := range rules.BuildRoutes(Routes, module(t, src)) {
		// Keys drop the module part: "aws_lb_listener.x|default action|aws_lb_target_group.app".
		k := strings.TrimPrefix(r.ID, "alb:./")
		if _, dup := out[k]; dup {
			t.Fatalf("duplicate route %s", k)
		}
		out[k] = r
	}
	return out
}

const lbAndGroup = `
resource "aws_lb" "api" {
  drop_invalid_header_fields = true
}
resource "aws_lb_target_group" "app" {}
`

func listenerSrc(protocol, mtls string) string {
	return lbAndGroup + `
resource "aws_lb_listener" "l" {
  load_balancer_arn = aws_lb.api.arn
  port              = 443
  protocol          = "` + protocol + `"
  ` + mtls + `
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}`
}

const routeL = "aws_lb_listener.l|default action|aws_lb_target_group.app"

// TestRouteHeaders asserts, for each listener configuration, the verify
// mode and the treatment of every header the ALB is known to touch.
func TestRouteHeaders(t *testing.T) {
	P, T, U, A := rules.Passthrough, rules.SetTLS, rules.Unknown, rules.Appended
	cases := []struct {
		name    string
		src     string
		verify  rules.VerifyMode
		tls     bool
		headers map[string]rules.HeaderAction
	}{
		{"verify", listenerSrc("HTTPS", `mutual_authentication {
    mode = "verify"
    trust_store_arn = "arn:ts"
  }`), rules.VerifyRequired, true, map[string]rules.HeaderAction{
			hdrClientCert: U, hdrSubject: T, hdrIssuer: T, hdrSerialNumber: T, hdrValidity: T, hdrLeaf: T,
			"x-forwarded-for": A, "x-forwarded-proto": U, "x-forwarded-port": U, "x-ssl-client-verify": P}},
		{"passthrough", listenerSrc("HTTPS", `mutual_authentication = { mode = "passthrough" }`), rules.VerifyOptionalNoCA, true, map[string]rules.HeaderAction{
			hdrClientCert: T, hdrSubject: U, hdrIssuer: U, hdrSerialNumber: U, hdrValidity: U, hdrLeaf: U, "x-forwarded-for": A}},
		{"off explicit", listenerSrc("HTTPS", `mutual_authentication { mode = "off" }`), rules.VerifyOff, true, map[string]rules.HeaderAction{
			hdrClientCert: U, hdrSubject: U, hdrLeaf: U}},
		{"absent", listenerSrc("HTTPS", ``), rules.VerifyOff, true, map[string]rules.HeaderAction{
			hdrClientCert: U, hdrSubject: U, hdrLeaf: U}},
		{"plain http", listenerSrc("HTTP", ``), rules.VerifyOff, false, map[string]rules.HeaderAction{
			hdrClientCert: U, hdrSubject: U}},
		{"unknown mode", listenerSrc("HTTPS", `mutual_authentication { mode = var.mode }`), rules.VerifyUnknown, true, map[string]rules.HeaderAction{
			hdrClientCert: U, hdrSubject: U}},
		{"renamed", listenerSrc("HTTPS", `mutual_authentication { mode = "verify" }
  routing_http_request_x_amzn_mtls_clientcert_subject_header_name = "X-Client-Subject"`), rules.VerifyRequired, true, map[string]rules.HeaderAction{
			"x-client-subject": T, hdrSubject: U, hdrIssuer: T}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rs := routes(t, tc.src)
			r := rs[routeL]
			if r == nil || len(rs) != 1 {
				t.Fatalf("routes %v", keys(rs))
			}
			if r.Listener.Verify != tc.verify || r.Listener.TLS != tc.tls || r.Proxy != "alb" || r.Listener.Endpoint.Port != "443" {
				t.Errorf("listener %+v", r.Listener)
			}
			if r.AdmitsUnderscore {
				t.Error("drop_invalid_header_fields = true, yet the route admits underscores")
			}
			for h, want := range tc.headers {
				got := r.Header(h)
				if got.Action != want {
					t.Errorf("%s: %v, want %v (%s)", h, got.Action, want, got.Note)
				}
				if want == U && strings.HasPrefix(h, mtlsHeaderStem) && !strings.Contains(got.Note, "does not document") && !strings.Contains(got.Note, "not known statically") {
					t.Errorf("%s is unknown without saying why: %q", h, got.Note)
				}
			}
		})
	}
}

func keys(m map[string]*rules.Route) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPassthroughSaysUnverified(t *testing.T) {
	r := routes(t, listenerSrc("HTTPS", `mutual_authentication { mode = "passthrough" }`))[routeL]
	if n := r.Header(hdrClientCert).Note; !strings.Contains(n, "NOT verified") {
		t.Errorf("X-Amzn-Mtls-Clientcert note %q", n)
	}
}

func TestRoutesOfRulesAndLoadBalancerSettings(t *testing.T) {
	rs := routes(t, `
resource "aws_lb" "api" {
  xff_header_processing_mode = "preserve"
}
resource "aws_lb_target_group" "app" {}
resource "aws_lb_target_group" "admin" {}
resource "aws_lb_listener" "l" {
  load_balancer_arn = aws_lb.api.arn
  protocol          = "HTTPS"
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
    }
  }
}
resource "aws_lb_listener_rule" "admin" {
  listener_arn = aws_lb_listener.l.arn
  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.admin.arn
  }
  condition {
    host_header {
      values = ["admin.example.com"]
    }
  }
  condition {
    path_pattern {
      values = ["/admin/*"]
    }
  }
}
resource "aws_lb_listener" "nlb" {
  load_balancer_arn = aws_lb.api.arn
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}`)
	want := "aws_lb_listener.l|aws_lb_listener_rule.admin|aws_lb_target_group.admin"
	if len(rs) != 1 || rs[want] == nil {
		t.Fatalf("routes %v, want only %s", keys(rs), want)
	}
	r := rs[want]
	if len(r.Hosts) != 1 || r.Hosts[0] != "admin.example.com" || r.Path != "/admin/*" {
		t.Errorf("hosts %v path %q", r.Hosts, r.Path)
	}
	if !r.AdmitsUnderscore {
		t.Error("drop_invalid_header_fields unset (false), yet the route does not admit underscores")
	}
	if a := r.Header("X-Forwarded-For").Action; a != rules.Passthrough {
		t.Errorf("xff preserve: %v", a)
	}
	if r.Upstream.Range.Start.Line != 21 {
		t.Errorf("upstream anchored at line %d", r.Upstream.Range.Start.Line)
	}
}

func TestRoutesOfModuleListeners(t *testing.T) {
	rs := routes(t, `
module "alb" {
  source = "terraform-aws-modules/alb/aws"
  listeners = {
    https = {
      port     = 443
      protocol = "HTTPS"
      mutual_authentication = { mode = "verify" }
      forward  = { target_group_key = "app" }
      rules = {
        admin = {
          actions    = [{ forward = { target_group_key = "admin" } }]
          conditions = [{ path_pattern = { values = ["/admin"] } }]
        }
      }
    }
    http = {
      port     = 80
      redirect = { protocol = "HTTPS", port = "443", status_code = "HTTP_301" }
    }
  }
}`)
	a := rs["module.alb.listeners.https|default action|module.alb.target_groups.app"]
	b := rs["module.alb.listeners.https|rule admin|module.alb.target_groups.admin"]
	if len(rs) != 2 || a == nil || b == nil {
		t.Fatalf("routes %v", keys(rs))
	}
	if a.Listener.Verify != rules.VerifyRequired || b.Path != "/admin" || a.AdmitsUnderscore {
		t.Errorf("verify %v path %q admits %v", a.Listener.Verify, b.Path, a.AdmitsUnderscore)
	}
}

// appsOf is an app family stand-in: fixed apps.
type appsOf []*rules.App

func (a appsOf) builder() *rules.Analysis {
	return rules.NewAppBuilder("fixed-apps", nil, func(*rules.Pass) []*rules.App { return a })
}

func run(t *testing.T, rule *rules.Rule, src string, apps ...*rules.App) []rules.Finding {
	t.Helper()
	m := module(t, src)
	eng := &rules.Engine{Rules: []*rules.Rule{rule}, Routes: []*rules.Analysis{Routes}, Apps: []*rules.Analysis{appsOf(apps).builder()}, Jobs: 1}
	res := eng.Run(context.Background(), &parsers.Workspace{Trees: []parsers.Tree{m}})
	for _, d := range res.Findings {
		if d.Code == rules.CodeRuleCrashed {
			t.Fatalf("rule crashed: %s", d.Message)
		}
	}
	return res.Findings
}

func trusting(header string) *rules.App {
	return &rules.App{ID: "app.settings", Trusts: []rules.Trust{{
		Header: rules.MetaName(header), Source: "app code", Decisions: []rules.Decision{rules.IdentityDecision("request.user", header)},
		Range: source.Range{File: "app/views.py", Start: source.Pos{Line: 7, Col: 5, Offset: 90}, End: source.Pos{Line: 7, Col: 40, Offset: 125}},
	}}}
}

func TestPassthroughSeverityFollowsTheApp(t *testing.T) {
	src := listenerSrc("HTTPS", `mutual_authentication { mode = "passthrough" }`)
	for _, tc := range []struct {
		name string
		apps []*rules.App
		want rules.Severity
	}{
		{"no app", nil, rules.High},
		{"app trusting something else", []*rules.App{trusting("X-SSL-Client-Verify")}, rules.High},
		{"app trusting the subject", []*rules.App{trusting("X-Amzn-Mtls-Clientcert-Subject")}, rules.Critical},
		{"app trusting the chain", []*rules.App{trusting("X-Amzn-Mtls-Clientcert")}, rules.Critical},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := run(t, Passthrough, src, tc.apps...)
			if len(ds) != 1 {
				t.Fatalf("%d findings: %v", len(ds), ds)
			}
			d := ds[0]
			if d.Severity != tc.want || d.Range.Start.Line != 11 {
				t.Errorf("severity %v at line %d: %s", d.Severity, d.Range.Start.Line, d.Message)
			}
			if tc.want == rules.Critical {
				if len(d.Related) != 1 || d.Related[0].Range.File != "app/views.py" || !strings.Contains(d.Text(), "nothing links them") {
					t.Errorf("related %v, message %q", d.Related, d.Message)
				}
			}
		})
	}
}

func TestOffNeedsAnAppThatTrustsTheHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, mtls, protocol string
		app                  *rules.App
		want                 int
		line                 int
	}{
		{"absent, app trusts subject", ``, "HTTPS", trusting("X-Amzn-Mtls-Clientcert-Subject"), 1, 7},
		{"explicit off", `mutual_authentication { mode = "off" }`, "HTTPS", trusting("X-Amzn-Mtls-Clientcert-Leaf"), 1, 11},
		{"plain http", ``, "HTTP", trusting("X-Amzn-Mtls-Clientcert"), 1, 7},
		{"verify", `mutual_authentication { mode = "verify" }`, "HTTPS", trusting("X-Amzn-Mtls-Clientcert-Subject"), 0, 0},
		{"off, app trusts other headers", ``, "HTTPS", trusting("X-SSL-Client-DN"), 0, 0},
		{"unknown mode", `mutual_authentication { mode = var.m }`, "HTTPS", trusting("X-Amzn-Mtls-Clientcert-Subject"), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ds := run(t, MTLSOff, listenerSrc(tc.protocol, tc.mtls), tc.app)
			if len(ds) != tc.want {
				t.Fatalf("%d findings, want %d: %v", len(ds), tc.want, ds)
			}
			if tc.want == 1 {
				if ds[0].Range.Start.Line != tc.line || !strings.Contains(ds[0].Text(), "does not document") || ds[0].Severity != rules.Critical {
					t.Errorf("line %d severity %v: %s", ds[0].Range.Start.Line, ds[0].Severity, ds[0].Message)
				}
			}
		})
	}
}

// TestFixesReplaceTheLiteral applies each rule's fix and checks the
// result; a value that comes from a variable gets no fix.
func TestFixesReplaceTheLiteral(t *testing.T) {
	src := `resource "aws_lb" "a" {
  drop_invalid_header_fields = false
}
resource "aws_lb_listener" "l" {
  protocol = "HTTPS"
  mutual_authentication {
    mode                             = "passthrough"
    trust_store_arn                  = "arn:ts"
  }
}
resource "aws_lb_listener" "v" {
  protocol = "HTTPS"
  mutual_authentication {
    mode                             = "verify"
    ignore_client_certificate_expiry = true
  }
}
variable "m" { default = "Passthrough" }
resource "x" "gw" {
  verify_client_auth_mode = var.m
  client_validation_mode  = "ALLOW_INVALID_OR_MISSING_CLIENT_CERT"
}
`
	want := map[string]string{
		"T001": `mode                             = "verify"`,
		"T003": `ignore_client_certificate_expiry = false`,
		"T005": `drop_invalid_header_fields = true`,
		"T007": `client_validation_mode  = "REJECT_INVALID"`,
	}
	got := map[string]string{}
	for _, d := range lintAll([]byte(src)) {
		if len(d.Fixes) == 0 {
			if d.Code != "T008" {
				t.Errorf("%s has no fix", d.Code)
			}
			continue
		}
		if d.Code == "T008" {
			t.Errorf("T008 offers a fix for a value from a variable")
		}
		e := d.Fixes[0].Edits[0]
		if d.Fixes[0].Safe {
			t.Errorf("%s: fix marked safe", d.Code)
		}
		out := src[:e.Range.Start.Offset] + e.NewText + src[e.Range.End.Offset:]
		line := strings.TrimSpace(strings.Split(out, "\n")[e.Range.Start.Line-1])
		got[d.Code] = line
	}
	for code, w := range want {
		if got[code] != w {
			t.Errorf("%s fixed line %q, want %q", code, got[code], w)
		}
	}
}

func TestOffGroupsAppsByHeader(t *testing.T) {
	a, b := trusting("X-Amzn-Mtls-Clientcert-Subject"), trusting("X-Amzn-Mtls-Clientcert-Subject")
	b.ID = "other.settings"
	ds := run(t, MTLSOff, listenerSrc("HTTPS", ``), a, b)
	if len(ds) != 1 || len(ds[0].Related) != 2 || !strings.Contains(ds[0].Text(), "other.settings") {
		t.Fatalf("findings %v", ds)
	}
}

// TestFixHints: the ALB sets only its own X-Amzn-Mtls-* headers, so a fix
// points at verify mode, or at those headers.
func TestFixHints(t *testing.T) {
	r := routes(t, listenerSrc("HTTPS", `mutual_authentication { mode = "passthrough" }`))[routeL]
	if r == nil {
		t.Fatal("no route")
	}
	if got := r.FixHint(hdrSubject, rules.FactSubjectDN); !strings.Contains(got, `mode = "verify"`) {
		t.Errorf("hint for %s: %q", hdrSubject, got)
	}
	if got := r.FixHint("X-SSL-Client-DN", rules.FactSubjectDN); !strings.Contains(got, "forwards a client's X-SSL-Client-DN as sent") {
		t.Errorf("hint for X-SSL-Client-DN: %q", got)
	}
}
