package envoy_test

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// FuzzParse: the parser never panics, and every problem has a position.
func FuzzParse(f *testing.F) {
	f.Add([]byte(bootstrap))
	f.Add([]byte(`{"static_resources": {"listeners": [{"filter_chains": [{"filters": [{"typed_config": {"forward_client_cert_details": 3}}]}]}]}}`))
	f.Add([]byte("resources:\n- resource: {\"@type\": x.Listener, filter_chains: [{filters: [{typed_config: *a}]}]}\n"))
	// Deeper than the YAML limit: the rest of the file is still read.
	f.Add([]byte("static_resources:\n  listeners: []\n  x: " + strings.Repeat("[", 250) + strings.Repeat("]", 250) + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, probs := envoy.Parse(source.NewFile("envoy.yaml", b))
		for _, p := range probs {
			if !p.Range.Start.IsValid() {
				t.Fatalf("problem without a position: %+v", p)
			}
		}
	})
}
