package report

import (
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// SARIFLevel maps a severity to a SARIF result level: error for critical
// and high, warning for medium, note for low and info.
func SARIFLevel(s rules.Severity) string {
	switch s {
	case rules.Critical, rules.High:
		return "error"
	case rules.Medium:
		return "warning"
	default:
		return "note"
	}
}

const srcRoot = "%SRCROOT%"

// BuildSARIF builds a SARIF 2.1.0 log with one run. Every rule of the
// registry is described (GitHub code scanning lists them); suppressed
// findings are included with their suppressions, as the format intends.
func BuildSARIF(in Input) *sarif.Report {
	rep := sarif.NewReport()
	run := sarif.NewRunWithInformationURI("mtlslint", "https://github.com/mtlslint/mtlslint")
	run.Tool.Driver.Version = str(in.Version)
	run.Tool.Driver.SemanticVersion = nil
	run.ColumnKind = str("utf16CodeUnits")
	if in.Root != "" {
		u := url.URL{Scheme: "file", Path: filepath.ToSlash(in.Root) + "/"}
		run.OriginalUriBaseIds = map[string]sarif.ArtifactLocation{srcRoot: {URI: str(u.String()), Index: -1}}
	}
	index := map[string]int{}
	for i, r := range in.Rules {
		index[r.Code] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule(r))
	}
	for n, d := range in.Findings {
		res := sarif.NewResult()
		res.RuleID = str(d.Code)
		if i, ok := index[d.Code]; ok {
			res.RuleIndex = i
		}
		res.Level = SARIFLevel(d.Severity)
		res.Message = sarif.NewTextMessage(d.Message)
		if md := markdown(d); md != "" {
			res.Message.Markdown = str(md)
		}
		res.Locations = append(res.Locations, location(in, d.Range, ""))
		for i, r := range d.Related {
			l := location(in, r.Range, r.Message)
			l.ID = i + 1
			res.RelatedLocations = append(res.RelatedLocations, l)
		}
		if d.Fingerprint != "" {
			res.PartialFingerprints = map[string]string{"mtlslintFingerprint/v2": d.Fingerprint}
			if d.LegacyFingerprint != "" {
				// For one release: code scanning matches alerts of earlier
				// runs by the version they were opened with.
				res.PartialFingerprints["mtlslintFingerprint/v1"] = d.LegacyFingerprint
			}
		}
		if d.Suppression != nil {
			s := sarif.NewSuppression()
			// SARIF knows two kinds: in the source, or outside it (the
			// configuration's per-file-ignores, the baseline).
			kind := "external"
			if d.Suppression.Kind == "inSource" {
				kind = "inSource"
			}
			s.Kind = str(kind)
			if d.Suppression.Justification != "" {
				s.Justification = str(d.Suppression.Justification)
			}
			res.Suppressions = append(res.Suppressions, s)
		}
		for _, f := range d.Fixes {
			res.Fixes = append(res.Fixes, sarifFix(in, f))
		}
		res.Properties = sarif.NewPropertyBag()
		res.Properties.Add("severity", d.Severity.String())
		if p := in.proof(n); p != nil {
			res.Properties.Add("proof", p)
		}
		run.Results = append(run.Results, res)
	}
	rep.AddRun(run)
	return rep
}

// SARIF writes the SARIF log, without what the library fills in and means
// nothing: empty arrays and the -1 that stands for "no index" (a reader
// takes an absent property for the same). The log is about half the size
// and still valid.
func SARIF(w io.Writer, in Input) error {
	var b bytes.Buffer
	if err := BuildSARIF(in).Write(&b); err != nil {
		return err
	}
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	// Encoded compact, then indented by indentJSON: the bytes of an
	// encoder with SetIndent("", "  "), without re-reading them through
	// the decoder's state machine.
	b.Reset()
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pruneSARIF(doc)); err != nil {
		return err
	}
	compact := bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
	_, err := w.Write(append(indentJSON(make([]byte, 0, 2*len(compact)), compact), '\n'))
	return err
}

// sarifSentinels are the properties whose -1 means "none" in SARIF 2.1.0
// (their default): artifact and rule indexes, location ids, offsets, rank.
var sarifSentinels = map[string]bool{"index": true, "ruleIndex": true, "id": true, "byteOffset": true, "charOffset": true, "rank": true}

func pruneSARIF(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch ev := e.(type) {
			case []any:
				if len(ev) == 0 {
					delete(x, k)
					continue
				}
			case json.Number:
				if sarifSentinels[k] && ev.String() == "-1" {
					delete(x, k)
					continue
				}
			}
			x[k] = pruneSARIF(e)
		}
	case []any:
		for i := range x {
			x[i] = pruneSARIF(x[i])
		}
	}
	return v
}

func str(s string) *string { return &s }
func num(n int) *int       { return &n }

func sarifRule(r *rules.Rule) *sarif.ReportingDescriptor {
	d := sarif.NewRule(r.Code)
	d.Name = str(r.Name)
	d.ShortDescription = &sarif.MultiformatMessageString{Text: str(r.Summary)}
	if r.Doc.What != "" {
		d.FullDescription = &sarif.MultiformatMessageString{Text: str(strings.TrimSpace(r.Doc.What))}
	}
	d.Help = &sarif.MultiformatMessageString{Text: str(r.Text()), Markdown: str(r.Markdown())}
	d.HelpURI = str(r.HelpURI())
	d.DefaultConfiguration = sarif.NewReportingConfiguration()
	d.DefaultConfiguration.Level = SARIFLevel(r.Severity)
	d.Properties = sarif.NewPropertyBag()
	tags := []string{"security"}
	for _, cwe := range r.CWE {
		n := strings.TrimPrefix(strings.ToUpper(cwe), "CWE-")
		tags = append(tags, "external/cwe/cwe-"+n)
	}
	d.Properties.Tags = tags
	d.Properties.Add("security-severity", r.Severity.SecurityScore())
	d.Properties.Add("precision", "high")
	return d
}

func region(in Input, r source.Range) *sarif.Region {
	reg := sarif.NewRegion()
	if f := in.file(r.File); f != nil {
		s := f.ToSARIF(r)
		reg.StartLine, reg.StartColumn, reg.EndLine, reg.EndColumn = num(s.StartLine), num(s.StartColumn), num(s.EndLine), num(s.EndColumn)
		return reg
	}
	// Without the file, lines are still right; columns are bytes.
	line := r.Start.Line
	if line < 1 {
		line = 1
	}
	reg.StartLine = num(line)
	if r.Start.Col >= 1 {
		reg.StartColumn = num(r.Start.Col)
	}
	if r.End.Line >= line {
		reg.EndLine = num(r.End.Line)
		if r.End.Col >= 1 {
			reg.EndColumn = num(r.End.Col)
		}
	}
	return reg
}

func artifact(p string) *sarif.ArtifactLocation {
	a := sarif.NewArtifactLocation()
	a.URI = str((&url.URL{Path: p}).EscapedPath())
	a.URIBaseID = str(srcRoot)
	return a
}

func location(in Input, r source.Range, msg string) *sarif.Location {
	pl := sarif.NewPhysicalLocation()
	pl.ArtifactLocation = artifact(r.File)
	pl.Region = region(in, r)
	l := sarif.NewLocationWithPhysicalLocation(pl)
	if msg != "" {
		l.Message = sarif.NewTextMessage(msg)
	}
	return l
}

func sarifFix(in Input, f rules.Fix) *sarif.Fix {
	fx := sarif.NewFix()
	desc := f.Description
	if !f.Safe {
		desc += " (unsafe: review before applying)"
	}
	fx.Description = sarif.NewTextMessage(desc)
	byFile := map[string]*sarif.ArtifactChange{}
	var order []string
	for _, e := range f.Edits {
		ch, ok := byFile[e.Range.File]
		if !ok {
			ch = sarif.NewArtifactChange()
			ch.ArtifactLocation = artifact(e.Range.File)
			byFile[e.Range.File] = ch
			order = append(order, e.Range.File)
		}
		rep := sarif.NewReplacement()
		rep.DeletedRegion = region(in, e.Range)
		ac := sarif.NewArtifactContent()
		ac.Text = str(e.NewText)
		rep.InsertedContent = ac
		ch.Replacements = append(ch.Replacements, rep)
	}
	for _, p := range order {
		fx.ArtifactChanges = append(fx.ArtifactChanges, byFile[p])
	}
	return fx
}

// markdown is a result's message with its detail and fix title, for
// viewers that show more than the one-line message; "" when there is
// nothing beyond the message.
func markdown(d rules.Finding) string {
	if d.Detail == "" && d.FixTitle == "" {
		return ""
	}
	md := d.Message
	if d.Detail != "" {
		md += "\n\n" + d.Detail
	}
	if d.FixTitle != "" {
		md += "\n\n**Fix:** " + d.FixTitle
	}
	return md
}
