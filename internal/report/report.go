// Package report writes diagnostics in the output formats: text for
// terminals, JSON (a documented, versioned schema), SARIF 2.1.0 for code
// scanning, GitHub Actions workflow commands and JUnit XML.
package report

import (
	"path/filepath"
	"sort"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Input is what every format writes from.
type Input struct {
	Findings []rules.Finding
	// File returns a file by its root-relative path (for source lines and
	// UTF-16 columns), or nil.
	File func(path string) *source.File
	// Rules is the registry (SARIF rule metadata).
	Rules []*rules.Rule
	// Root is the absolute directory paths are relative to.
	Root string
	// Version of mtlslint.
	Version string
	// FilesChecked is the number of files analysed.
	FilesChecked int
	// Display, when set, is the path from the current directory to Root;
	// formats read by people (text, GitHub annotations) print locations
	// below it so that they open from where the command ran.
	Display string
	// Here, when set, is the current directory relative to Root (the root
	// was found above it): locations are printed relative to it.
	Here string
}

// DisplayPath is where a root-relative path is shown to people.
func (in Input) DisplayPath(p string) string {
	if p == "" {
		return p
	}
	if in.Here != "" {
		if r, err := filepath.Rel(filepath.FromSlash(in.Here), filepath.FromSlash(p)); err == nil {
			return filepath.ToSlash(r)
		}
	}
	if in.Display == "" {
		return p
	}
	return in.Display + "/" + p
}

func (in Input) file(path string) *source.File {
	if in.File == nil {
		return nil
	}
	return in.File(path)
}

// Summary counts findings.
type Summary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	ByCode     map[string]int `json:"by_code"`
	Files      int            `json:"files_with_findings"`
	Checked    int            `json:"files_checked"`
	Suppressed int            `json:"suppressed"`
}

// Summarize counts the unsuppressed findings.
func Summarize(in Input) Summary {
	s := Summary{BySeverity: map[string]int{}, ByCode: map[string]int{}, Checked: in.FilesChecked}
	files := map[string]bool{}
	for _, d := range in.Findings {
		if d.Suppression != nil {
			s.Suppressed++
			continue
		}
		s.Total++
		s.BySeverity[d.Severity.String()]++
		s.ByCode[d.Code]++
		files[d.Range.File] = true
	}
	s.Files = len(files)
	return s
}

// codes returns the map's keys sorted.
func codes(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
