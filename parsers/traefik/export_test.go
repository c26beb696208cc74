package traefik

// IsCompose is isCompose, for the detection tests.
var IsCompose = isCompose
