package k8s

import (
	"testing"

	"github.com/mtlslint/mtlslint/internal/rendertest"
)

// TestMain builds the renderer, so that kustomizations and charts in the
// tests are rendered by the renderer of this source.
func TestMain(m *testing.M) { rendertest.Main(m) }
