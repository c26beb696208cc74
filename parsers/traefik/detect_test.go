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
	regexpTOMLTables   = regexp.MustCompile(`(?mi)^[ \t]*\[\[?[ \t]*(entryPoints|http\.(routers|middlewares|services)|tls\.(options|certificates|stores))\b`)
	regexpYAMLStatic   = regexp.MustCompile(`(?mi)^entryPoints[ \t]*:`)
	regexpYAMLHTTP     = regexp.MustCompile(`(?m)^http[ \t]*:`)
	regexpYAMLSections = regexp.MustCompile(`(?mi)^[ \t]+(routers|middlewares|services)[ \t]*:`)
	regexpYAMLTLS      = regexp.MustCompile(`(?m)^tls[ \t]*:`)
	regexpYAMLTLSKeys  = regexp.MustCompile(`(?mi)^[ \t]+(options|certificates|stores)[ \t]*:`)
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
	return regexpYAMLStatic.Match(content) || (regexpYAMLHTTP.Match(content) && regexpYAMLSections.Match(content)) || (regexpYAMLTLS.Match(content) && regexpYAMLTLSKeys.Match(content))
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
		"tls:\n  certificates:\n    - certFile: a\n  options:\n",
		"tls:\n  STORES:\n",
		"tls:\n  ſtores:\n",
		"[[tls.certificates]]\n",
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

// dynamicFile writes a Traefik dynamic configuration file as YAML or TOML
// from the fuzzer's choices: the top-level sections and the keys under
// tls in the order the bytes pick, comments and blank lines between them,
// and the indentation. It reports whether the file holds a section that
// Traefik's file provider reads as dynamic configuration (http routers,
// middlewares or services; tls options, certificates or stores).
func dynamicFile(choice []byte, toml bool) (content string, dynamic bool) {
	pick := func(i int) int {
		if i < len(choice) {
			return int(choice[i])
		}
		return 0
	}
	sections := [][2]string{ // name, one key under it
		{"log", "level"}, {"tls", "options"}, {"tls", "certificates"}, {"tls", "stores"},
		{"http", "routers"}, {"http", "middlewares"}, {"accessLog", "format"}, {"api", "dashboard"},
	}
	indent := strings.Repeat(" ", 1+pick(0)%4)
	var b strings.Builder
	for i := 1; i < len(choice) && i < 9; i++ {
		s := sections[pick(i)%len(sections)]
		if pick(i)&0x10 != 0 {
			b.WriteString("# a comment\n\n")
		}
		if s[0] == "tls" || s[0] == "http" {
			dynamic = dynamic || s[1] != ""
		}
		switch {
		case toml && s[1] == "certificates":
			b.WriteString("[[tls.certificates]]\n" + indent + "certFile = \"/c.crt\"\n")
		case toml:
			b.WriteString("[" + s[0] + "." + s[1] + "]\n" + indent + "x = 1\n")
		case s[1] == "certificates":
			b.WriteString(s[0] + ":\n" + indent + "certificates:\n" + indent + indent + "- certFile: /c.crt\n")
		default:
			b.WriteString(s[0] + ":\n" + indent + s[1] + ":\n" + indent + indent + "x: 1\n")
		}
	}
	return b.String(), dynamic
}

// FuzzDetectDynamicInAnyOrder: a file Traefik's file provider reads as
// dynamic configuration is detected whatever the order of its sections
// and of the keys under tls, and a file without such a section is not.
func FuzzDetectDynamicInAnyOrder(f *testing.F) {
	f.Add([]byte{2, 2, 1})    // tls: certificates, then options
	f.Add([]byte{0, 0, 3, 1}) // log, stores, options
	f.Add([]byte{1, 6, 0x17}) // accessLog, a comment, api
	f.Add([]byte{3, 4, 0x12}) // routers, then tls certificates
	f.Fuzz(func(t *testing.T, choice []byte) {
		for _, toml := range []bool{false, true} {
			content, dynamic := dynamicFile(choice, toml)
			name := "dynamic/tls.yml"
			if toml {
				name = "dynamic/tls.toml"
			}
			if got := traefik.Detect(name, []byte(content)); got != dynamic {
				t.Errorf("%s %q: detected %v, Traefik reads it as dynamic configuration: %v", name, content, got, dynamic)
			}
		}
	})
}
