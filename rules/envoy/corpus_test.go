package envoy_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/envoy"
)

// clientCert matches the settings that configure client certificates or
// what Envoy forwards of them.
var clientCert = regexp.MustCompile(`forward_client_cert_details|forwardClientCertDetails|require_client_certificate|requireClientCertificate|validation_context|validationContext|mode:\s*(MUTUAL|OPTIONAL_MUTUAL)`)

// TestCorpus lints the Envoy/Istio corpus: no crash, every detected file
// parsed or reported with a position; the counts are logged.
func TestCorpus(t *testing.T) {
	linttest.Corpus(t, "envoy", envoy.Detect, clientCert, "V", "X")
}
