package parsers

import (
	"github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// openapiFormat is the OpenAPI front end: YAML and JSON documents with a
// top-level openapi or swagger key, loaded with their local $refs.
func openapiFormat() Format {
	return Format{
		Kind:      KindOpenAPI,
		Candidate: openapi.Candidate,
		Detect:    openapi.Detect,
		Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
			specs, problems := openapi.Load(r, paths)
			trees := make([]Tree, len(specs))
			for i, s := range specs {
				trees[i] = s
			}
			return trees, problems
		},
	}
}
