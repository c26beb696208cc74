package k8s_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	kube "github.com/mtlslint/mtlslint/parsers/k8s"
)

// frontDoorCert matches the Gateway API and AWS Load Balancer Controller
// settings that validate client certificates: a Gateway's frontend
// validation (the v1.4+ field and the older listener field) and the ALB's
// mutual-authentication annotation.
var frontDoorCert = regexp.MustCompile(`frontendValidation:|\bfrontend:|alb\.ingress\.kubernetes\.io/mutual-authentication`)

// TestFrontDoorCorpus lints the Kubernetes corpus (shared/corpus/k8s;
// skipped when absent) with the Gateway API and AWS Load Balancer
// Controller front ends in place: no crash, every detected manifest parsed
// or reported with a position; the counts of files that validate client
// certificates that way and of those with a K or X finding are logged.
// (The corpus holds ingress-nginx manifests today; point MTLSLINT_CORPUS
// at a folder with a k8s subfolder of Gateway or ALB manifests to run it
// on those.)
func TestFrontDoorCorpus(t *testing.T) {
	linttest.Corpus(t, "k8s", kube.Detect, frontDoorCert, "K", "X")
}
