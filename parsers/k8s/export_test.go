package k8s

// For the detection tests.
var (
	IsKustomization = isKustomization
	IsChart         = isChart
)
