package python

import "testing"

// TestLastElement: a value that is only the last comma-separated element
// of a header (what a proxy that appends its own element puts last) is
// told apart from one that holds more of it.
func TestLastElement(t *testing.T) {
	for _, c := range []struct {
		expr string
		last bool
	}{
		{`xfcc.split(",")[-1]`, true},
		{`xfcc.rsplit(",", 1)[-1]`, true},
		{`xfcc.split(",")[-1].strip()`, true},
		{`xfcc.split(",", -1)[-1]`, true},
		{`uri_of(xfcc.split(",")[-1])`, true},
		{`xfcc.split(",")[0]`, false},
		{`xfcc.split(",", 1)[-1]`, false}, // everything after the first comma
		{`xfcc.split(";")[-1]`, false},
		{`xfcc`, false},
		{`xfcc.split(",")[-1] + request.META.get("HTTP_X_OTHER", "")`, true},
		{`xfcc.split(",")[-1] + xfcc`, false},
		{`xfcc.split(",")[-1].split(";")[0]`, true},
		{`xfcc.split(",")[-1].strip().split(";")[-1]`, true},
		{`xfcc.split(",")[0].split(";")[-1]`, false},
		{`xfcc.split(";")[0].split(",")[-1]`, false},
	} {
		t.Run(c.expr, func(t *testing.T) {
			src := imports + `
def uri_of(element):
    for pair in element.split(";"):
        key, _, val = pair.partition("=")
        if key.strip() == "URI":
            return val.strip()
    return None


def whoami(request):
    xfcc = request.META.get("HTTP_X_FORWARDED_CLIENT_CERT", "")
    request.caller = ` + c.expr + `
    return HttpResponse("ok")
`
			p, r := attrPath(t, src, "HTTP_X_FORWARDED_CLIENT_CERT")
			if last := containsRead(p.Lasts, r); last != c.last {
				t.Errorf("only the last element flows: %v, want %v", last, c.last)
			}
		})
	}
}

// TestStarredUnpackLast: unpacking a split with a starred target takes
// its first or last element, as [0] and [-1] do.
func TestStarredUnpackLast(t *testing.T) {
	for _, c := range []struct {
		stmt string
		last bool
	}{
		{`*_, got = xfcc.split(",")`, true},
		{`*_, got = xfcc.rsplit(",", 1)`, true},
		{`_, *_, got = xfcc.split(",")`, true},
		{`got, *_ = xfcc.split(",")`, false},
		{`*_, got = xfcc.split(",", 1)`, false}, // everything after the first comma
		{`*_, got = xfcc.split(";")`, false},
	} {
		t.Run(c.stmt, func(t *testing.T) {
			src := imports + `
def whoami(request):
    xfcc = request.META.get("HTTP_X_FORWARDED_CLIENT_CERT", "")
    ` + c.stmt + `
    request.caller = got
    return HttpResponse("ok")
`
			p, r := attrPath(t, src, "HTTP_X_FORWARDED_CLIENT_CERT")
			if last := containsRead(p.Lasts, r); last != c.last {
				t.Errorf("only the last element flows: %v, want %v", last, c.last)
			}
		})
	}
}

// TestDictMembership: `value in DICT` tests the dict's keys.
func TestDictMembership(t *testing.T) {
	src := imports + `
CALLERS = {"spiffe://a": {"x"}, "spiffe://b": set()}


def whoami(request):
    caller = request.META.get("HTTP_X_CALLER_ID")
    if caller not in CALLERS:
        return HttpResponseForbidden()
    return HttpResponse("ok")
`
	for _, tr := range loadFiles(t, map[string]string{"app/views.py": src}) {
		if tr.App == nil {
			continue
		}
		for _, r := range tr.App.ReadSites {
			tests := 0
			for _, d := range r.Decisions {
				for _, p := range d.Paths {
					for _, tst := range p.TestsOn(r) {
						tests++
						if tst.Op != TestEqual || len(tst.Values) != 2 {
							t.Errorf("test %s: want == one of the two keys", tst)
						}
					}
				}
			}
			if tests == 0 {
				t.Error("no test on the header")
			}
			return
		}
	}
	t.Fatal("no read of HTTP_X_CALLER_ID")
}

// TestChainedSplit: a split of an element of a split keeps which element
// of the header it splits, so a check on it is judged on that element of
// a joined value ("<client's>,<proxy's>"), not on the whole value.
func TestChainedSplit(t *testing.T) {
	const joined = "By=client;URI=spiffe://evil,By=proxy;URI=spiffe://ok"
	for _, c := range []struct {
		expr string
		want Truth
	}{
		{`xfcc.split(",")[-1].split(";")[-1] == "URI=spiffe://ok"`, True},
		{`xfcc.split(",")[0].split(";")[-1] == "URI=spiffe://ok"`, False},
		{`xfcc.split(",")[0].split(";")[-1] == "URI=spiffe://evil"`, True},
		{`xfcc.split(",")[-1].split(";")[0] == "By=proxy"`, True},
	} {
		t.Run(c.expr, func(t *testing.T) {
			src := imports + `
def whoami(request):
    xfcc = request.META.get("HTTP_X_FORWARDED_CLIENT_CERT", "")
    if ` + c.expr + `:
        request.caller = "ok"
    return HttpResponse("ok")
`
			var tests []*Test
			for _, tr := range loadFiles(t, map[string]string{"app/views.py": src}) {
				if tr.App == nil {
					continue
				}
				for _, r := range tr.App.ReadSites {
					for _, d := range r.Decisions {
						for _, p := range d.Paths {
							if d.Sink.Kind == SinkAttr {
								tests = append(tests, p.Tests...)
							}
						}
					}
				}
			}
			if len(tests) != 1 || tests[0].Op != TestEqual {
				t.Fatalf("want one equality test on the way to request.caller, got %v", tests)
			}
			if got := tests[0].Eval(joined, true); got != c.want {
				t.Errorf("%s on %q: %v, want %v", tests[0].Xform, joined, got, c.want)
			}
		})
	}
}

// TestLoopElementIsPart: the loop variable over a header's split is an
// element of it, a part; a lookup by it is not a lookup of the whole value.
func TestLoopElementIsPart(t *testing.T) {
	for _, c := range []struct {
		loop string
		part bool
	}{
		{`dn.split(",")`, true},
		{`dn.split(",")[-1].split(";")`, true},
		{`(dn, other)`, false},
	} {
		t.Run(c.loop, func(t *testing.T) {
			src := imports + `
def whoami(request):
    dn = request.META.get("HTTP_X_SSL_CLIENT_DN", "")
    other = request.META.get("HTTP_X_OTHER", "")
    for name in ` + c.loop + `:
        request.caller = name
    return HttpResponse("ok")
`
			p, r := attrPath(t, src, "HTTP_X_SSL_CLIENT_DN")
			if part := containsRead(p.Parts, r); part != c.part {
				t.Errorf("only a part flows: %v, want %v", part, c.part)
			}
		})
	}
}

// attrPath returns the last path on which the header read under key flows
// into request.caller, and the read; the test stops when there is none.
func attrPath(t *testing.T, src, key string) (*Path, *Read) {
	t.Helper()
	var path *Path
	var read *Read
	for _, tr := range loadFiles(t, map[string]string{"app/views.py": src}) {
		if tr.App == nil {
			continue
		}
		for _, r := range tr.App.ReadSites {
			if r.Key() != key {
				continue
			}
			for _, d := range r.Decisions {
				for _, p := range d.Paths {
					if d.Sink.Kind == SinkAttr && p.FlowsFrom(r) {
						path, read = p, r
					}
				}
			}
		}
	}
	if path == nil {
		t.Fatal("the header does not flow into request.caller")
	}
	return path, read
}
