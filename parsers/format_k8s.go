package parsers

import "github.com/mtlslint/mtlslint/parsers/k8s"

// k8sFormat is the Kubernetes front end: YAML manifests detected by their
// top-level kind, loaded one tree per file into shared clusters.
func k8sFormat() Format {
	return Format{Kind: KindK8s, Candidate: k8s.Candidate, Detect: k8s.Detect, Load: LoadAs(k8s.Load)}
}
