package parsers

import (
	"github.com/mtlslint/mtlslint/parsers/gunicorn"
	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// pythonFormat reads Django settings modules, entry points and app code
// that reads request headers.
func pythonFormat() Format {
	return Format{
		Kind:      KindPython,
		Candidate: python.Candidate,
		Detect:    python.Detect,
		Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
			mods, problems := python.Load(r, paths)
			trees := make([]Tree, len(mods))
			for i, m := range mods {
				trees[i] = m
			}
			return trees, problems
		},
	}
}

// gunicornFormat reads gunicorn configuration files and app-server
// command lines (Dockerfile, Procfile, shell scripts).
func gunicornFormat() Format {
	return Format{
		Kind:      KindGunicorn,
		Candidate: gunicorn.Candidate,
		Detect:    gunicorn.Detect,
		Load: func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
			configs, problems := gunicorn.Load(r, paths)
			trees := make([]Tree, len(configs))
			for i, c := range configs {
				trees[i] = c
			}
			return trees, problems
		},
	}
}
