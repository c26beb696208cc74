package parsers

import "github.com/mtlslint/mtlslint/parsers/source"

// TreesOf adapts a front end's Load, which returns its own tree type, to
// the signature Format.Load needs. Front ends cannot import this package
// (it imports them), so they return concrete trees and the registration in
// All wraps their Load with TreesOf.
func TreesOf[T Tree](load func(source.Reader, []string) ([]T, []source.Problem)) func(source.Reader, []string) ([]Tree, []source.Problem) {
	return func(r source.Reader, paths []string) ([]Tree, []source.Problem) {
		ts, probs := load(r, paths)
		out := make([]Tree, len(ts))
		for i, t := range ts {
			out[i] = t
		}
		return out, probs
	}
}
