// Package fix applies the fixes that findings carry: safe ones for
// `--fix`, unsafe ones too with `--unsafe-fixes`, and renders the result
// as a unified diff for `--diff`.
//
// A fix is applied whole or not at all. When two fixes overlap, the one
// whose finding comes first (file, position, code) wins and the other
// waits for the next pass: Run lints again on the fixed text and repeats
// until nothing more applies, so the outcome does not depend on map order
// or timing.
package fix

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/suppress"
)

// Chosen is the result of choosing fixes for one pass.
type Chosen struct {
	// Edits per file, sorted and non-overlapping.
	Edits map[string][]rules.Edit
	// Applied are the findings whose fix was chosen.
	Applied []rules.Finding
	// Deferred are findings whose fix overlaps one chosen before it.
	Deferred []rules.Finding
}

// Eligible returns the fix of d that the mode allows: the first safe one,
// or with unsafe the first of any kind. Suppressed findings get none.
func Eligible(d *rules.Finding, unsafe bool) *rules.Fix {
	if d.Suppression != nil {
		return nil
	}
	for i := range d.Fixes {
		f := &d.Fixes[i]
		if len(f.Edits) > 0 && (f.Safe || unsafe) {
			return f
		}
	}
	return nil
}

// Choose picks, in the findings' order, one fix per finding whose edits
// overlap neither each other nor a fix picked before.
func Choose(diags []rules.Finding, unsafe bool) Chosen {
	sorted := append([]rules.Finding{}, diags...)
	rules.SortFindings(sorted)
	c := Chosen{Edits: map[string][]rules.Edit{}}
	for _, d := range sorted {
		f := Eligible(&d, unsafe)
		if f == nil {
			continue
		}
		if !valid(f.Edits) || conflicts(c.Edits, f.Edits) {
			c.Deferred = append(c.Deferred, d)
			continue
		}
		for _, e := range f.Edits {
			c.Edits[e.Range.File] = append(c.Edits[e.Range.File], e)
		}
		c.Applied = append(c.Applied, d)
	}
	for p := range c.Edits {
		sortEdits(c.Edits[p])
	}
	return c
}

// valid rejects a fix with a malformed edit or edits that overlap each
// other.
func valid(edits []rules.Edit) bool {
	byFile := map[string][]rules.Edit{}
	for _, e := range edits {
		if e.Range.File == "" || e.Range.Start.Offset < 0 || e.Range.End.Offset < e.Range.Start.Offset {
			return false
		}
		if conflicts(byFile, []rules.Edit{e}) {
			return false
		}
		byFile[e.Range.File] = append(byFile[e.Range.File], e)
	}
	return true
}

// conflicts reports whether any edit overlaps an accepted one: their
// ranges intersect, or both insert at the same offset (whose text would
// come first is undefined).
func conflicts(accepted map[string][]rules.Edit, edits []rules.Edit) bool {
	for _, e := range edits {
		for _, a := range accepted[e.Range.File] {
			as, ae := a.Range.Start.Offset, a.Range.End.Offset
			es, ee := e.Range.Start.Offset, e.Range.End.Offset
			if as < ee && es < ae {
				return true
			}
			if as == ae && es == ee && as == es {
				return true
			}
			// An insertion strictly inside a replaced range.
			if (es == ee && as < es && es < ae) || (as == ae && es < as && as < ee) {
				return true
			}
		}
	}
	return false
}

func sortEdits(edits []rules.Edit) {
	sort.SliceStable(edits, func(i, j int) bool {
		a, b := edits[i].Range, edits[j].Range
		if a.Start.Offset != b.Start.Offset {
			return a.Start.Offset < b.Start.Offset
		}
		return a.End.Offset < b.End.Offset // an insertion before a replacement at the same place
	})
}

// Apply applies sorted, non-overlapping edits to content. The line breaks
// of the new text follow the file's own line ending: a fix inserts a CRLF
// line into a CRLF file.
func Apply(content []byte, edits []rules.Edit) ([]byte, error) {
	var out []byte
	last := 0
	eol := lineEnding(content)
	for _, e := range edits {
		s, t := e.Range.Start.Offset, e.Range.End.Offset
		if s < last || t > len(content) || t < s {
			return nil, fmt.Errorf("%s: edit at offsets %d-%d does not fit the file (%d bytes)", e.Range.File, s, t, len(content))
		}
		out = append(out, content[last:s]...)
		out = append(out, withLineEnding(e.NewText, eol)...)
		last = t
	}
	return append(out, content[last:]...), nil
}

// lineEnding is the line ending content uses most: "\r\n", "\r" or "\n"
// (the default, also for a file of one line).
func lineEnding(content []byte) string {
	crlf := bytes.Count(content, []byte("\r\n"))
	lf := bytes.Count(content, []byte("\n")) - crlf
	cr := bytes.Count(content, []byte("\r")) - crlf
	switch {
	case crlf > lf && crlf >= cr:
		return "\r\n"
	case cr > lf && cr > crlf:
		return "\r"
	}
	return "\n"
}

func withLineEnding(text, eol string) string {
	if !strings.ContainsAny(text, "\r\n") {
		return text
	}
	t := strings.ReplaceAll(text, "\r\n", "\n")
	t = strings.ReplaceAll(t, "\r", "\n")
	if eol != "\n" {
		t = strings.ReplaceAll(t, "\n", eol)
	}
	return t
}

// Outcome is what Run produced.
type Outcome struct {
	// Original and Fixed hold the contents of the files that changed,
	// by root-relative path.
	Original map[string][]byte
	Fixed    map[string][]byte
	// Applied counts the fixes applied over all passes.
	Applied int
	// Result is the lint result of the fixed text: the findings that
	// remain.
	Result *lint.Result
	// Passes is how many passes applied something.
	Passes int
	// Unresolved are findings still reported after their fix was
	// applied; their fixes are not applied again.
	Unresolved []rules.Finding
}

// Identity names a finding independently of its position, which fixes
// shift: code, file and what it is about (suppress.StableKey).
func Identity(d rules.Finding) string {
	return d.Code + " " + d.Range.File + " " + suppress.StableKey(&d)
}

// MaxPasses bounds the lint-fix cycles of Run.
const MaxPasses = 10

// Run lints, applies the eligible fixes in memory, and lints the fixed
// text again, until no fix applies or MaxPasses is reached. Nothing is
// written; the caller writes Outcome.Fixed or prints a diff.
func Run(ctx context.Context, opts lint.Options, unsafe bool) (*Outcome, error) {
	out := &Outcome{Original: map[string][]byte{}, Fixed: map[string][]byte{}}
	overlay := map[string][]byte{}
	for k, v := range opts.Overlay {
		overlay[k] = v
	}
	fixed := map[string]bool{}      // identities whose fix was applied
	unresolved := map[string]bool{} // ... and that came back
	for pass := 0; ; pass++ {
		o := opts
		o.Overlay = overlay
		res, err := lint.Run(ctx, o)
		if err != nil {
			return nil, err
		}
		out.Result = res
		if pass == MaxPasses {
			break
		}
		// A finding whose fix was applied but that is still reported has a
		// fix that does not work: applying it again would only repeat it.
		candidates := res.Findings[:0:0]
		for _, d := range res.Findings {
			id := Identity(d)
			if fixed[id] && Eligible(&d, unsafe) != nil {
				if !unresolved[id] {
					unresolved[id] = true
					out.Unresolved = append(out.Unresolved, d)
				}
				continue
			}
			candidates = append(candidates, d)
		}
		chosen := Choose(candidates, unsafe)
		if len(chosen.Applied) == 0 {
			break
		}
		paths := make([]string, 0, len(chosen.Edits))
		for p := range chosen.Edits {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			f := res.Workspace.File(p)
			if f == nil {
				return nil, fmt.Errorf("%s: cannot read the file to fix", p)
			}
			fixed, err := Apply(f.Content, chosen.Edits[p])
			if err != nil {
				return nil, err
			}
			if _, ok := out.Original[p]; !ok {
				out.Original[p] = f.Content
			}
			overlay[p] = fixed
			out.Fixed[p] = fixed
		}
		for _, d := range chosen.Applied {
			fixed[Identity(d)] = true
		}
		out.Applied += len(chosen.Applied)
		out.Passes++
	}
	for p, b := range out.Fixed {
		if string(b) == string(out.Original[p]) {
			delete(out.Fixed, p)
			delete(out.Original, p)
		}
	}
	return out, nil
}
