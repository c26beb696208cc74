package e2e

// Scenarios is the table of runtime scenarios: one entry per directory
// under scenarios/. Breaches lists the attacks that work on the real
// servers; every other applicable attack must fail.
var Scenarios = []*Scenario{
	{
		Name:  "verify-on-secure",
		Title: "ssl_verify_client on; identity headers set at server level and inherited",
		Fact:  "no cert / untrusted cert: nginx 400; valid: SUCCESS; spoofed headers overwritten",
	},
}
