package k8s

import (
	"bytes"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// crdKind matches a top-level "kind:" line and captures the kind.
var crdKind = source.LazyRegexp(`(?m)^kind:[ \t]*["']?([A-Za-z][A-Za-z0-9]*)["']?[ \t]*(#.*)?\r?$`)

// DetectKinds is Detect for custom resources that other front ends read
// from manifests (Istio's Gateway, Traefik's IngressRoute, …): a file is a
// manifest when it has an apiVersion and a top-level kind among kinds.
// Load keeps such objects as they are (Object.Node), for those front ends
// to decode.
func DetectKinds(rel string, content []byte, kinds map[string]bool) bool {
	if !Candidate(rel) || isKustomization(rel) || !bytes.Contains(content, []byte("apiVersion:")) {
		return false
	}
	for _, m := range yamlutil.FindLinesSubmatch(content, crdKind(), yamlutil.IsKindLine) {
		if kinds[string(m[1])] {
			return true
		}
	}
	return false
}
