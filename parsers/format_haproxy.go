package parsers

import (
	"github.com/mtlslint/mtlslint/parsers/haproxy"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// haproxyFormat is the HAProxy front end: *.cfg files detected by name
// (haproxy*.cfg) or content, loaded as file sets (haproxy.cfg + conf.d/).
func haproxyFormat() Format {
	return Format{
		Kind:      KindHAProxy,
		Candidate: haproxy.Candidate,
		Detect:    haproxy.Detect,
		Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
			configs, problems := haproxy.Load(r, paths)
			trees := make([]Tree, len(configs))
			for i, c := range configs {
				trees[i] = c
			}
			return trees, problems
		},
	}
}
