package traefik_test

import (
	"regexp"
	"testing"

	"github.com/mtlslint/mtlslint/internal/linttest"
	"github.com/mtlslint/mtlslint/parsers/traefik"
)

// clientCert matches the settings that configure client certificates or
// forward them.
var clientCert = regexp.MustCompile(`(?i)clientAuth|ClientCA|passTLSClientCert`)

// TestCorpus lints the Traefik corpus: no crash, every detected file
// parsed or reported with a position; the counts are logged.
func TestCorpus(t *testing.T) {
	linttest.Corpus(t, "traefik", traefik.Detect, clientCert, "R", "X")
}
