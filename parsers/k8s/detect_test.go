package k8s_test

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/k8s"
	"github.com/mtlslint/mtlslint/parsers/parsertest"
)

// The detection Detect and DetectKinds replaced: every expression over the
// whole file.
var (
	regexpKindLine = regexp.MustCompile(`(?m)^kind:[ \t]*["']?(Ingress|IngressClass|Gateway|GatewayClass|HTTPRoute|BackendTLSPolicy|Service|NetworkPolicy|ConfigMap|Deployment|StatefulSet|DaemonSet|ReplicaSet|ReplicationController|Pod|Job|CronJob|List|IngressList|ServiceList)["']?[ \t]*(#.*)?\r?$`)
	regexpPatchOp  = regexp.MustCompile(`(?m)^-[ \t]+op:[ \t]`)
	regexpCRDKind  = regexp.MustCompile(`(?m)^kind:[ \t]*["']?([A-Za-z][A-Za-z0-9]*)["']?[ \t]*(#.*)?\r?$`)
)

func detectByRegexp(rel string, content []byte) bool {
	if k8s.IsKustomization(rel) {
		return true
	}
	if k8s.IsChart(rel) {
		return bytes.Contains(content, []byte("name:"))
	}
	if !k8s.Candidate(rel) {
		return false
	}
	if bytes.Contains(content, []byte("kind:")) && bytes.Contains(content, []byte("apiVersion:")) && regexpKindLine.Match(content) {
		return true
	}
	if !bytes.Contains(content, []byte("op:")) || !regexpPatchOp.Match(content) {
		return false
	}
	for _, marker := range []string{k8s.NginxAnnotationPrefix, "nginx.ingress.kubernetes.io~1", "/spec/rules", "/spec/tls", "/spec/backend", "/spec/defaultBackend"} {
		if bytes.Contains(content, []byte(marker)) {
			return true
		}
	}
	return false
}

// crdKinds stand for the kinds other front ends read.
var crdKinds = map[string]bool{"Gateway": true, "IngressRoute": true, "Middleware": true, "VirtualService": true}

func detectKindsByRegexp(rel string, content []byte) bool {
	if !k8s.Candidate(rel) || k8s.IsKustomization(rel) || !bytes.Contains(content, []byte("apiVersion:")) {
		return false
	}
	for _, m := range regexpCRDKind.FindAllSubmatch(content, -1) {
		if crdKinds[string(m[1])] {
			return true
		}
	}
	return false
}

func detectKinds(rel string, content []byte) bool { return k8s.DetectKinds(rel, content, crdKinds) }

// TestDetectSameAsRegexp: Detect and DetectKinds decide as the expressions
// over the whole file did, on every corpus and fixture file.
func TestDetectSameAsRegexp(t *testing.T) {
	parsertest.SameDetection(t, detectByRegexp, k8s.Detect)
	parsertest.SameDetection(t, detectKindsByRegexp, detectKinds)
}

var detectSeeds = []string{
	"apiVersion: v1\nkind: Service\n",
	"apiVersion: v1\nkind: 'Ingress' # x\r\n",
	"apiVersion: v1\n kind: Service\n",
	"apiVersion: v1\nkind: Servic\n",
	"apiVersion: x\nkind: IngressRoute\nkind: Gateway\n",
	"- op: replace\n  path: /spec/rules/0\n",
	"-\top: add\n  path: /metadata/annotations/nginx.ingress.kubernetes.io~1x\n",
}

func FuzzDetectSameAsRegexp(f *testing.F) {
	parsertest.FuzzSameDetection(f, detectByRegexp, k8s.Detect, detectSeeds...)
}

func FuzzDetectKindsSameAsRegexp(f *testing.F) {
	parsertest.FuzzSameDetection(f, detectKindsByRegexp, detectKinds, detectSeeds...)
}

// BenchmarkDetect compares Detect with the decision it replaced.
func BenchmarkDetect(b *testing.B) {
	b.Run("regexp", func(b *testing.B) { parsertest.BenchmarkDetection(b, detectByRegexp) })
	b.Run("lines", func(b *testing.B) { parsertest.BenchmarkDetection(b, k8s.Detect) })
}

func BenchmarkDetectKinds(b *testing.B) {
	b.Run("regexp", func(b *testing.B) { parsertest.BenchmarkDetection(b, detectKindsByRegexp) })
	b.Run("lines", func(b *testing.B) { parsertest.BenchmarkDetection(b, detectKinds) })
}
