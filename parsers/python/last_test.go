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
			var flowed, last bool
			for _, tr := range loadFiles(t, map[string]string{"app/views.py": src}) {
				if tr.App == nil {
					continue
				}
				for _, r := range tr.App.ReadSites {
					if r.Key() != "HTTP_X_FORWARDED_CLIENT_CERT" {
						continue
					}
					for _, d := range r.Decisions {
						for _, p := range d.Paths {
							if d.Sink.Kind == SinkAttr && p.FlowsFrom(r) {
								flowed = true
								last = containsRead(p.Lasts, r)
							}
						}
					}
				}
			}
			if !flowed {
				t.Fatal("the header does not flow into request.caller")
			}
			if last != c.last {
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
