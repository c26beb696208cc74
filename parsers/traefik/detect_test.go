package traefik_test

import (
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/parsertest"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// The detection Detect replaced: every expression over the whole file.
var (
	regexpTOMLTables   = regexp.MustCompile(`(?mi)^[ \t]*\[\[?[ \t]*(entryPoints|http\.(routers|middlewares|services)|tls\.options)\b`)
	regexpYAMLStatic   = regexp.MustCompile(`(?mi)^entryPoints[ \t]*:`)
	regexpYAMLHTTP     = regexp.MustCompile(`(?m)^http[ \t]*:`)
	regexpYAMLSections = regexp.MustCompile(`(?mi)^[ \t]+(routers|middlewares|services)[ \t]*:`)
	regexpYAMLTLS      = regexp.MustCompile(`(?m)^tls[ \t]*:[ \t]*\r?\n[ \t]+options[ \t]*:`)
	regexpManifest     = regexp.MustCompile(`(?m)^kind:[ \t]*\S`)
	regexpLabelOrFlag  = regexp.MustCompile(`(?i)["'\s-]traefik\.http\.|--entrypoints\.`)
)

func detectByRegexp(rel string, content []byte) bool {
	if !traefik.Candidate(rel) {
		return false
	}
	if traefik.IsCompose(rel) {
		return regexpLabelOrFlag.Match(content)
	}
	if strings.EqualFold(path.Ext(rel), ".toml") {
		return regexpTOMLTables.Match(content)
	}
	if regexpManifest.Match(content) {
		return false
	}
	return regexpYAMLStatic.Match(content) || (regexpYAMLHTTP.Match(content) && regexpYAMLSections.Match(content)) || regexpYAMLTLS.Match(content)
}

// TestDetectSameAsRegexp: Detect decides as the expressions over the whole
// file did, on every corpus and fixture file.
func TestDetectSameAsRegexp(t *testing.T) {
	parsertest.SameDetection(t, detectByRegexp, traefik.Detect)
}

func FuzzDetectSameAsRegexp(f *testing.F) {
	parsertest.FuzzSameDetection(f, detectByRegexp, traefik.Detect,
		"entryPoints:\n  web:\n    address: :80\n",
		"ENTRYPOINTS :\n",
		"entryPointſ:\n",
		"http:\n  routers:\n    r: {}\n",
		"http:\n\tSERVICES:\n",
		"http:\n  ſervices:\n",
		"tls:\r\n  options:\n",
		"tls:\n\n  options:\n",
		"kind: x\nentryPoints:\n",
		"  [[ http.routers.r ]]\n",
		"[entryPoints.web]\n",
		"services:\n  t:\n    labels:\n      - traefik.http.routers.r.rule=Host(`a`)\n",
		"command: --entryPoints.web.address=:80\n",
		"\"TRAEFIK.HTTP.x\n",
	)
}

// BenchmarkDetect compares Detect with the decision it replaced.
func BenchmarkDetect(b *testing.B) {
	b.Run("regexp", func(b *testing.B) { parsertest.BenchmarkDetection(b, detectByRegexp) })
	b.Run("lines", func(b *testing.B) { parsertest.BenchmarkDetection(b, traefik.Detect) })
}
