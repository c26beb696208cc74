package envoy_test

import (
	"bytes"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/envoy"
	"github.com/mtlslint/mtlslint/parsers/parsertest"
)

// The detection Detect replaced: every expression over the whole file.
var (
	regexpYAMLBootstrap = regexp.MustCompile(`(?m)^["']?static_resources["']?[ \t]*:`)
	regexpJSONBootstrap = regexp.MustCompile(`"static_resources"\s*:`)
	regexpListenerList  = regexp.MustCompile(`(?m)^-?[ \t]*["']?(filter_chains|filterChains)["']?[ \t]*:`)
	regexpResourceTypes = regexp.MustCompile(`type\.googleapis\.com/envoy\.(config\.listener\.v3\.Listener|config\.cluster\.v3\.Cluster|api\.v2\.Listener|api\.v2\.Cluster)\b`)
	regexpManifestKind  = regexp.MustCompile(`(?m)^kind:[ \t]*\S`)
)

func detectByRegexp(rel string, content []byte) bool {
	if !envoy.Candidate(rel) {
		return false
	}
	if regexpYAMLBootstrap.Match(content) || (strings.EqualFold(path.Ext(rel), ".json") && regexpJSONBootstrap.Match(content)) {
		return true
	}
	if regexpManifestKind.Match(content) {
		return false
	}
	if bytes.Contains(content, []byte("resources")) && regexpResourceTypes.Match(content) {
		return true
	}
	return bytes.Contains(content, []byte("envoy.filters.network.http_connection_manager")) && regexpListenerList.Match(content) && bytes.HasPrefix(bytes.TrimSpace(content), []byte("-"))
}

// TestDetectSameAsRegexp: Detect decides as the expressions over the whole
// file did, on every corpus and fixture file.
func TestDetectSameAsRegexp(t *testing.T) {
	parsertest.SameDetection(t, detectByRegexp, envoy.Detect)
}

func FuzzDetectSameAsRegexp(f *testing.F) {
	parsertest.FuzzSameDetection(f, detectByRegexp, envoy.Detect,
		bootstrap,
		"'static_resources' :\n",
		"\"static_resources\"\n:\n",
		"kind: ConfigMap\ndata:\n  static_resources: {}\n",
		"resources:\n- '@type': type.googleapis.com/envoy.config.listener.v3.Listener\n",
		"- name: l\n  filterChains:\n  - filters:\n    - name: envoy.filters.network.http_connection_manager\n",
		"-\tfilter_chains\t:\r\n envoy.filters.network.http_connection_manager",
		"kind:\n\nresources",
	)
}

// BenchmarkDetect compares Detect with the decision it replaced.
func BenchmarkDetect(b *testing.B) {
	b.Run("regexp", func(b *testing.B) { parsertest.BenchmarkDetection(b, detectByRegexp) })
	b.Run("lines", func(b *testing.B) { parsertest.BenchmarkDetection(b, envoy.Detect) })
}
