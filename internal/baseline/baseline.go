// Package baseline records the findings a repository accepts for now
// (`mtlslint baseline`) and marks them on later runs (`check --baseline`),
// so that only new findings are reported. Findings are matched by
// fingerprint (rules/suppress.Fingerprint): rule, file, Key and the
// normalised statement with its enclosing blocks, never the line number.
package baseline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
)

// FileName is the default name of the baseline file.
const FileName = ".mtlslint-baseline.json"

// Version is the version of the file format. Version 2 holds fingerprints
// of version 2 (rules/suppress.FingerprintVersion); a version 1 file,
// written by earlier releases, holds fingerprints of version 1, which
// Apply still matches for one release.
const Version = 2

// oldestVersion is the oldest file version Read accepts.
const oldestVersion = 1

// Baseline is the content of a baseline file.
type Baseline struct {
	Version  int     `json:"version"`
	Tool     string  `json:"tool"`
	Findings []Entry `json:"findings"`
	// Path is where it was read from (for messages).
	Path string `json:"-"`
}

// Entry is one accepted finding, or several identical ones.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	Code        string `json:"code"`
	File        string `json:"file"`
	// Line and Message describe the first occurrence for a reader; they
	// play no part in matching.
	Line    int    `json:"line"`
	Message string `json:"message"`
	// Count is how many findings share the fingerprint (1 when omitted):
	// a further identical finding is new.
	Count int `json:"count,omitempty"`
}

// New records the unsuppressed findings that have a fingerprint.
func New(diags []rules.Finding) *Baseline {
	b := &Baseline{Version: Version, Tool: "mtlslint", Findings: []Entry{}}
	index := map[string]int{}
	for _, d := range diags {
		if d.Suppression != nil || d.Fingerprint == "" {
			continue
		}
		if i, ok := index[d.Fingerprint]; ok {
			b.Findings[i].Count++
			continue
		}
		index[d.Fingerprint] = len(b.Findings)
		b.Findings = append(b.Findings, Entry{
			Fingerprint: d.Fingerprint, Code: d.Code, File: d.Range.File,
			Line: d.Range.Start.Line, Message: d.Message, Count: 1,
		})
	}
	sort.SliceStable(b.Findings, func(i, j int) bool {
		x, y := b.Findings[i], b.Findings[j]
		if x.File != y.File {
			return x.File < y.File
		}
		if x.Line != y.Line {
			return x.Line < y.Line
		}
		if x.Code != y.Code {
			return x.Code < y.Code
		}
		return x.Fingerprint < y.Fingerprint
	})
	for i := range b.Findings {
		if b.Findings[i].Count == 1 {
			b.Findings[i].Count = 0 // omitted: the common case
		}
	}
	return b
}

// Write writes the baseline as indented JSON.
func (b *Baseline) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(b)
}

// WriteFile writes the baseline to path.
func (b *Baseline) WriteFile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := b.Write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// MaxFileSize caps a baseline file: an entry is about a hundred bytes.
const MaxFileSize = 64 << 20

// Read reads a baseline file. It must be a regular file inside root, not
// leading out of it through a symbolic link, of at most MaxFileSize bytes:
// the baseline usually comes with the repository being checked, so it is
// as untrusted as the repository.
func Read(path, root string) (*Baseline, error) {
	data, err := parsers.ReadSettingsFile(path, root, MaxFileSize)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("baseline %s not found (create it with `mtlslint baseline`)", path)
		}
		return nil, fmt.Errorf("baseline: %w", err)
	}
	var b Baseline
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("baseline %s: %v", path, err)
	}
	if b.Version < oldestVersion || b.Version > Version {
		return nil, fmt.Errorf("baseline %s has version %d; this mtlslint reads versions %d to %d (recreate it with `mtlslint baseline`)", path, b.Version, oldestVersion, Version)
	}
	b.Path = path
	return &b, nil
}

// Apply marks the findings the baseline accepts as suppressed (kind
// "baseline"), each entry accepting as many findings as its count, in the
// findings' order. It returns how many entries matched no finding (fixed
// since, or changed so that the fingerprint moved).
func (b *Baseline) Apply(diags []rules.Finding) (stale int) {
	budget := map[string]int{}
	for _, e := range b.Findings {
		n := e.Count
		if n < 1 {
			n = 1
		}
		budget[e.Fingerprint] += n
	}
	name := filepath.Base(b.Path)
	if name == "." || name == "" {
		name = FileName
	}
	for i := range diags {
		d := &diags[i]
		// A finding matches an entry by its fingerprint, or, in a file
		// earlier releases wrote, by the fingerprint they computed.
		fp := d.Fingerprint
		if budget[fp] == 0 && d.LegacyFingerprint != "" {
			fp = d.LegacyFingerprint
		}
		if d.Suppression != nil || budget[fp] == 0 {
			continue
		}
		budget[fp]--
		d.Suppression = &rules.Suppression{Kind: "baseline", Justification: "accepted in the baseline " + name}
	}
	for _, e := range b.Findings {
		if budget[e.Fingerprint] > 0 {
			stale++
			budget[e.Fingerprint] = 0
		}
	}
	return stale
}
