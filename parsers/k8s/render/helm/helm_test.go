package helm

import (
	"context"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
)

// A values file that does not parse is reported on the line that has the
// error: Helm's YAML library names its parser's lines 0-based.
func TestValuesSyntaxErrorLine(t *testing.T) {
	for _, tc := range []struct {
		values string
		line   int
	}{
		{"replicas: 1\ningress:\n  - host: a\n  tls: true\n", 4}, // parser: the sequence tls breaks
		{"replicas: 1\nimage: @x\n", 2},                          // scanner
	} {
		files := map[string]string{
			"c/Chart.yaml":       "apiVersion: v2\nname: c\nversion: 0.1.0\n",
			"c/templates/a.yaml": "kind: ConfigMap\n",
			"c/values-bad.yaml":  tc.values,
			"c/values.yaml":      "replicas: 1\n",
		}
		_, probs := Render(context.Background(), files, render.Environment{Name: "c", Chart: "c", Values: []string{"c/values-bad.yaml"}})
		if len(probs) != 1 || probs[0].File != "c/values-bad.yaml" || probs[0].Line != tc.line {
			t.Errorf("%q: problems %+v, want one on c/values-bad.yaml:%d", tc.values, probs, tc.line)
		}
	}
}
