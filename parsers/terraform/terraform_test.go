package terraform

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// mapReader serves files from memory.
type mapReader map[string]string

func (m mapReader) ReadFile(p string) (*source.File, error) {
	s, ok := m[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return source.NewFile(p, []byte(s)), nil
}

func (m mapReader) Glob(pattern string) ([]string, error) {
	var out []string
	for p := range m {
		if ok, _ := path.Match(pattern, p); ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func (m mapReader) Stat(string) (fs.FileInfo, error) { return nil, fs.ErrNotExist }

func load(t *testing.T, files map[string]string) ([]*Module, []source.Problem) {
	t.Helper()
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return Load(mapReader(files), paths)
}

func loadOne(t *testing.T, files map[string]string) *Module {
	t.Helper()
	mods, probs := load(t, files)
	if len(probs) > 0 {
		t.Fatalf("unexpected problems: %v", probs)
	}
	if len(mods) != 1 {
		t.Fatalf("got %d modules, want 1", len(mods))
	}
	return mods[0]
}

func str(t *testing.T, o *Object, name string) string {
	t.Helper()
	v, ok := o.Attr(name)
	if !ok {
		return "<absent>"
	}
	s, ok := v.Str()
	if !ok {
		return "<unknown>"
	}
	return s
}

func TestBlockAndAttributeSyntax(t *testing.T) {
	m := loadOne(t, map[string]string{"main.tf": `
resource "aws_lb_listener" "block" {
  mutual_authentication {
    mode = "passthrough"
  }
}

resource "aws_lb_listener" "attr" {
  mutual_authentication = {
    mode = "verify"
    ignore_client_certificate_expiry = true
  }
}
`})
	for _, tc := range []struct{ name, mode string }{{"block", "passthrough"}, {"attr", "verify"}} {
		r := m.Resource("aws_lb_listener", tc.name)
		if r == nil {
			t.Fatalf("resource %s missing", tc.name)
		}
		ma := r.Objects("mutual_authentication")
		if len(ma) != 1 {
			t.Fatalf("%s: %d mutual_authentication objects", tc.name, len(ma))
		}
		if got := str(t, ma[0], "mode"); got != tc.mode {
			t.Errorf("%s: mode %q, want %q", tc.name, got, tc.mode)
		}
		v, _ := ma[0].Attr("mode")
		if v.Range.Start.Line != map[string]int{"block": 4, "attr": 10}[tc.name] {
			t.Errorf("%s: mode at line %d", tc.name, v.Range.Start.Line)
		}
	}
	ma := m.Resource("aws_lb_listener", "attr").Objects("mutual_authentication")[0]
	if ma.Header.Start.Line != 9 || ma.Header.Start.Col != 3 {
		t.Errorf("attribute-syntax header at %v, want 9:3", ma.Header.Start)
	}
	if b, ok := mustAttr(t, ma, "ignore_client_certificate_expiry").Bool(); !ok || !b {
		t.Errorf("ignore_client_certificate_expiry = %v, %v", b, ok)
	}
}

func mustAttr(t *testing.T, o *Object, name string) Value {
	t.Helper()
	v, ok := o.Attr(name)
	if !ok {
		t.Fatalf("attribute %s missing", name)
	}
	return v
}

func TestVariablesAndLocals(t *testing.T) {
	m := loadOne(t, map[string]string{"main.tf": `
variable "mode" {
  default = "passthrough"
}
variable "nodefault" {}
variable "cfg" {
  default = { mode = "off" }
}
locals {
  mode2  = var.mode
  chain  = local.mode2
  upper  = upper(local.chain)
  mixed  = { mode = "verify", arn = aws_lb_trust_store.ts.arn }
  nope   = var.nodefault
}
resource "x" "a" {
  m1 = var.mode
  m2 = local.chain
  m3 = local.upper
  m4 = local.mixed.mode
  m5 = local.mixed.arn
  m6 = var.nodefault
  m7 = aws_lb.front.arn
  m8 = "${var.mode}-x"
  m9 = var.cfg.mode
  m10 = local.nope
}
`})
	r := m.Resource("x", "a")
	want := map[string]string{"m1": "passthrough", "m2": "passthrough", "m3": "PASSTHROUGH", "m4": "verify",
		"m5": "<unknown>", "m6": "<unknown>", "m7": "<unknown>", "m8": "passthrough-x", "m9": "off", "m10": "<unknown>"}
	for k, w := range want {
		if got := str(t, r.Object, k); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if v := mustAttr(t, r.Object, "m2"); fmt.Sprint(v.Vars) != "[mode]" {
		t.Errorf("m2 rests on %v, want [mode]", v.Vars)
	}
	if refs := mustAttr(t, r.Object, "m7").Refs(); len(refs) != 1 || refs[0] != (Ref{"aws_lb", "front"}) {
		t.Errorf("m7 refs %v", refs)
	}
}

func TestVariableFiles(t *testing.T) {
	m := loadOne(t, map[string]string{
		"main.tf": `
variable "a" { default = "off" }
variable "b" { default = "off" }
variable "c" { default = "off" }
variable "d" { default = "off" }
resource "x" "y" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
}`,
		"terraform.tfvars":    `a = "verify"`,
		"x.auto.tfvars":       `b = "passthrough"`,
		"prod.tfvars":         "c = \"verify\"\nd = \"off\"",
		"other/readme.tfvars": `a = "x"`,
	})
	r := m.Resource("x", "y")
	for k, w := range map[string]string{"a": "verify", "b": "passthrough", "c": "<unknown>", "d": "off"} {
		if got := str(t, r.Object, k); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if !strings.Contains(m.Variables["c"].Unknown, "prod.tfvars") {
		t.Errorf("c unknown because %q", m.Variables["c"].Unknown)
	}
}

func TestDynamicBlocks(t *testing.T) {
	m := loadOne(t, map[string]string{"main.tf": `
variable "mtls" {
  default = [{ mode = "passthrough" }]
}
resource "aws_lb_listener" "known" {
  dynamic "mutual_authentication" {
    for_each = var.mtls
    content {
      mode = mutual_authentication.value.mode
    }
  }
}
resource "aws_lb_listener" "iterator" {
  dynamic "mutual_authentication" {
    for_each = [{ m = "verify" }]
    iterator = ma
    content {
      mode = ma.value.m
    }
  }
}
resource "aws_lb_listener" "unknown" {
  for_each = var.listeners
  dynamic "mutual_authentication" {
    for_each = each.value.mutual_authentication != null ? [each.value.mutual_authentication] : []
    content {
      mode = mutual_authentication.value.mode
    }
  }
}
resource "aws_lb_listener" "empty" {
  dynamic "mutual_authentication" {
    for_each = []
    content {
      mode = "verify"
    }
  }
}
`})
	check := func(name string, n int, mode string, maybe bool) {
		t.Helper()
		ma := m.Resource("aws_lb_listener", name).Objects("mutual_authentication")
		if len(ma) != n {
			t.Fatalf("%s: %d objects, want %d", name, len(ma), n)
		}
		if n == 0 {
			return
		}
		if got := str(t, ma[0], "mode"); got != mode {
			t.Errorf("%s: mode %q, want %q", name, got, mode)
		}
		if ma[0].Maybe != maybe {
			t.Errorf("%s: Maybe = %v", name, ma[0].Maybe)
		}
		if ma[0].Header.Start.Line != m.Resource("aws_lb_listener", name).Header.Start.Line+1 && name != "unknown" {
			t.Errorf("%s: anchored at line %d", name, ma[0].Header.Start.Line)
		}
	}
	check("known", 1, "passthrough", false)
	check("iterator", 1, "verify", false)
	check("unknown", 1, "<unknown>", true)
	check("empty", 0, "", false)
	if !m.Resource("aws_lb_listener", "unknown").Repeated {
		t.Error("for_each resource not marked Repeated")
	}
}

func TestModuleCallEntries(t *testing.T) {
	mods, probs := load(t, map[string]string{
		"examples/main.tf": `
module "alb" {
  source = "../"
  listeners = {
    ex-https = {
      port     = 443
      protocol = "HTTPS"
      mutual_authentication = {
        mode = "passthrough"
      }
      forward = { target_group_key = "app" }
    }
    "quoted" = { port = 80 }
  }
}`,
		"main.tf":      `variable "listeners" { default = {} }` + "\n" + `variable "name" { default = "x" }`,
		"variables.tf": ``,
	})
	if len(probs) > 0 {
		t.Fatal(probs)
	}
	if len(mods) != 2 || mods[0].Dir != "." || mods[1].Dir != "examples" {
		t.Fatalf("modules %v", mods)
	}
	if mods[0].Root().Path != "main.tf" {
		t.Errorf("root %s", mods[0].Root().Path)
	}
	if mods[0].Variables["listeners"].Known || mods[0].Variables["name"].Known == false {
		t.Errorf("listeners known=%v (set by the caller), name known=%v", mods[0].Variables["listeners"].Known, mods[0].Variables["name"].Known)
	}
	call := mods[1].Calls[0]
	if call.Source != "../" {
		t.Errorf("source %q", call.Source)
	}
	ls := call.Objects("listeners")
	if len(ls) != 1 {
		t.Fatalf("%d listeners objects", len(ls))
	}
	es := ls[0].Entries()
	if len(es) != 2 || es[0].Key != "ex-https" || es[1].Key != "quoted" {
		t.Fatalf("entries %+v", es)
	}
	ma := es[0].Objects("mutual_authentication")
	if len(ma) != 1 || str(t, ma[0], "mode") != "passthrough" {
		t.Fatalf("mutual_authentication %v", ma)
	}
	if es[0].Header.Start.Line != 5 {
		t.Errorf("entry anchored at %v", es[0].Header.Start)
	}
	fw := es[0].Objects("forward")
	if len(fw) != 1 || str(t, fw[0], "target_group_key") != "app" {
		t.Errorf("forward %v", fw)
	}
}

func TestSyntaxErrorsArePositioned(t *testing.T) {
	mods, probs := load(t, map[string]string{
		"bad.tf":  "resource \"aws_lb\" \"x\" {\n  name = \n}\n",
		"good.tf": "resource \"aws_lb\" \"y\" {}\n",
	})
	if len(probs) == 0 {
		t.Fatal("no problem for a broken file")
	}
	for _, p := range probs {
		if p.Kind != source.ProblemSyntax || p.Range.File != "bad.tf" || p.Range.Start.Line < 2 {
			t.Errorf("problem %+v", p)
		}
	}
	if len(mods) != 1 || mods[0].Resource("aws_lb", "y") == nil {
		t.Errorf("the good file of the module was not loaded")
	}
}

func TestWalk(t *testing.T) {
	m := loadOne(t, map[string]string{"main.tf": `
resource "azapi_resource" "agw" {
  body = {
    properties = {
      sslProfiles = [{
        properties = { clientAuthConfiguration = { verifyClientAuthMode = "Passthrough" } }
      }]
    }
  }
}`})
	var found []string
	m.Resources[0].Walk(func(name string, v Value) {
		if s, ok := v.Str(); ok {
			found = append(found, fmt.Sprintf("%s=%s@%d", name, s, v.Range.Start.Line))
		}
	})
	if fmt.Sprint(found) != "[verifyClientAuthMode=Passthrough@6]" {
		t.Errorf("walk found %v", found)
	}
}

func TestCandidate(t *testing.T) {
	for p, want := range map[string]bool{"main.tf": true, "a/b.tf": true, "x.tfvars": true, "a.tf.json": false,
		".terraform/modules/x/main.tf": false, "a/.terraform/m.tf": false, "main.tfstate": false} {
		if Candidate(p) != want {
			t.Errorf("Candidate(%q) = %v", p, !want)
		}
	}
}

func TestNumbersAsText(t *testing.T) {
	m := loadOne(t, map[string]string{"main.tf": `
resource "x" "y" {
  a = 443
  b = 1.5
  c = 1e9999999
  d = -12
}`})
	r := m.Resource("x", "y")
	for k, w := range map[string]string{"a": "443", "b": "1.5", "d": "-12"} {
		if got := str(t, r.Object, k); got != w {
			t.Errorf("%s = %q, want %q", k, got, w)
		}
	}
	if got := str(t, r.Object, "c"); len(got) > 40 {
		t.Errorf("1e9999999 written out in %d characters", len(got))
	}
}

// WalkNamed finds what Walk finds for the names asked, through objects
// written out, evaluated from locals and variables, and nested in blocks.
func TestWalkNamedAsWalk(t *testing.T) {
	m := loadOne(t, map[string]string{"main.tf": `
variable "profile" {
  default = { mode = "Passthrough", name = "p" }
}
locals {
  auth = { mode = "Strict", other = "x" }
}
resource "x" "y" {
  name = "n"
  mode = "top"
  body = { properties = { auth = local.auth } }
  list = [var.profile, { mode = "listed" }]
  from = "${local.auth.mode}-t"
  nested {
    mode = "block"
    deeper { mode = "deep" }
  }
}`})
	names := []string{"mode"}
	collect := func(walk func(func(string, Value))) []string {
		var out []string
		walk(func(name string, v Value) {
			s, _ := v.Str()
			out = append(out, fmt.Sprintf("%s=%s@%d", name, s, v.Range.Start.Line))
		})
		sort.Strings(out)
		return out
	}
	r := m.Resource("x", "y")
	want := collect(func(fn func(string, Value)) {
		r.Walk(func(name string, v Value) {
			if slices.Contains(names, name) {
				fn(name, v)
			}
		})
	})
	got := collect(func(fn func(string, Value)) { r.WalkNamed(names, fn) })
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("WalkNamed found %v, Walk %v", got, want)
	}
	if len(want) != 6 {
		t.Errorf("Walk found %d settings called mode, want 6: %v", len(want), want)
	}
}
