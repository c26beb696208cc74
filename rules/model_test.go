package rules

import "testing"

func TestSetsWithCert(t *testing.T) {
	for _, c := range []struct {
		name string
		tr   HeaderTreatment
		want bool
	}{
		{"set from the certificate", HeaderTreatment{Action: SetTLS}, true},
		{"removed", HeaderTreatment{Action: Blanked}, true},
		{"set under ssl_c_used", HeaderTreatment{Action: Conditional, CertGuarded: true}, true},
		{"set under another condition", HeaderTreatment{Action: Conditional}, false},
		{"passed through", HeaderTreatment{Action: Passthrough}, false},
		{"appended to", HeaderTreatment{Action: Appended}, false},
	} {
		if got := c.tr.SetsWithCert(); got != c.want {
			t.Errorf("%s: SetsWithCert() = %v, want %v", c.name, got, c.want)
		}
	}
}
