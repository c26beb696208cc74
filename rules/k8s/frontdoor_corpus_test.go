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

// TestFrontDoorCorpus lints the corpus of Gateway API and AWS Load Balancer
// Controller manifests (shared/corpus/k8s, which holds both among its manifests; skipped when
// absent): no
// crash, every detected manifest parsed or reported with a position; the
// counts of files that validate client certificates and of those with a K
// or X finding are logged.
func TestFrontDoorCorpus(t *testing.T) {
	linttest.Corpus(t, "k8s", kube.Detect, frontDoorCert, "K", "X")
}
