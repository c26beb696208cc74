package parsers

import (
	"github.com/mtlslint/mtlslint/parsers/compose"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// composeFormat reads docker-compose files: services, published ports,
// commands and environment.
func composeFormat() Format {
	return Format{
		Kind:      KindCompose,
		Candidate: compose.Candidate,
		Detect:    compose.Detect,
		Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
			files, problems := compose.Load(r, paths)
			trees := make([]Tree, len(files))
			for i, f := range files {
				trees[i] = f
			}
			return trees, problems
		},
	}
}
