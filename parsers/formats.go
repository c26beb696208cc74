package parsers

import "github.com/mtlslint/mtlslint/parsers/k8s"

// All returns every front end, in detection order: a file belongs to the
// first format that detects it.
func All() []Format {
	return []Format{
		{Kind: KindK8s, Candidate: k8s.Candidate, Detect: k8s.Detect, Load: LoadAs(k8s.Load)},
	}
}
