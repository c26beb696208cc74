package parsers

import "github.com/mtlslint/mtlslint/parsers/terraform"

// terraformFormat is the Terraform front end: .tf and .tfvars files, one
// tree per module directory.
func terraformFormat() Format {
	return Format{
		Kind:      KindTerraform,
		Candidate: terraform.Candidate,
		Detect:    terraform.Detect,
		Load:      LoadAs(terraform.Load),
	}
}
