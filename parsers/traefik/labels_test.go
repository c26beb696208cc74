package traefik_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// manyLabels is a compose file whose service carries n routers' labels,
// and the same router's entry point with its keys in other cases.
func manyLabels(n int) []byte {
	var b strings.Builder
	b.WriteString("services:\n  t:\n    labels:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - traefik.http.routers.r%d.rule=Host(`a`)\n", i)
	}
	b.WriteString("      - traefik.HTTP.Routers.r0.EntryPoints=web\n")
	// A key deeper than any walk goes: cut at the limit.
	b.WriteString("      - traefik.http." + strings.Repeat("a.", 5000) + "b=1\n")
	return []byte(b.String())
}

// TestManyLabels: every router of a service with thousands of labels is
// read, keys that differ in case name one router, and a label key of
// thousands of parts is cut at the nesting limit.
func TestManyLabels(t *testing.T) {
	const n = 3000
	files, probs := traefik.Load(memReader{"compose.yaml": manyLabels(n)}, []string{"compose.yaml"})
	if len(probs) != 0 || len(files) != 1 || len(files[0].Dynamic) != 1 {
		t.Fatalf("files %d, problems %v", len(files), probs)
	}
	d := files[0].Dynamic[0]
	if len(d.Routers) != n {
		t.Errorf("%d routers, want %d", len(d.Routers), n)
	}
	for _, r := range d.Routers {
		if r.Name == "r0" && (len(r.EntryPoints) != 1 || r.EntryPoints[0].Text() != "web" || r.Rule.Text() != "Host(`a`)") {
			t.Errorf("router r0: rule %q, entry points %v", r.Rule.Text(), r.EntryPoints)
		}
	}
}

// BenchmarkManyLabels: reading labels is linear in their number (40,000
// routers' labels took 93 s when each key was looked up among its
// siblings).
func BenchmarkManyLabels(b *testing.B) {
	src := manyLabels(20000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		traefik.Load(memReader{"compose.yaml": src}, []string{"compose.yaml"})
	}
}

// TestNestingLimit: a value nested deeper than the YAML limit is reported
// (E006) and cut, and the rest of the file is analysed; in TOML, whose
// library takes minutes on such nesting, the file is reported and not
// decoded.
func TestNestingLimit(t *testing.T) {
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	files, probs := traefik.Load(memReader{"traefik.yml": []byte("entryPoints:\n  web:\n    address: ':80'\nlog: " + deep + "\n")}, []string{"traefik.yml"})
	if len(files) != 1 || files[0].Static == nil || files[0].Static.EntryPoint("web") == nil {
		t.Fatalf("the file around the deep value was not analysed: %v", probs)
	}
	if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != 4 {
		t.Errorf("YAML: problems %v, want one E006 on line 4", probs)
	}
	_, probs = traefik.Load(memReader{"d.toml": []byte("[entryPoints.web]\naddress = ':80'\n[log]\nx = " + deep + "\n")}, []string{"d.toml"})
	if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.Start.Line != 4 {
		t.Errorf("TOML: problems %v, want one E006 on line 4", probs)
	}
}
