package parsers

import "github.com/mtlslint/mtlslint/parsers/terraform"

// All returns every front end, in detection order: a file belongs to the
// first format that detects it.
func All() []Format {
	return []Format{
		{Kind: KindTerraform, Candidate: terraform.Candidate, Detect: terraform.Detect, Load: LoadAs(terraform.Load)},
	}
}
