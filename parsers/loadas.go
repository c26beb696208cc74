package parsers

import "github.com/mtlslint/mtlslint/parsers/source"

// LoadAs adapts a front end's loader that returns its own tree type to
// Format.Load, so that front ends need not import this package.
func LoadAs[T Tree](load func(source.Reader, []string) ([]T, []source.Problem)) func(source.Reader, []string) ([]Tree, []source.Problem) {
	return func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
		ts, probs := load(r, paths)
		out := make([]Tree, len(ts))
		for i, t := range ts {
			out[i] = t
		}
		return out, probs
	}
}
