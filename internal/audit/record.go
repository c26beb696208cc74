package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/report"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// SchemaVersion is the version of the JSON Lines record schema
// (docs/audit.md). It changes only when a field changes meaning or
// disappears; new fields may appear within a version.
const SchemaVersion = 1

// Record types: the "type" field of every record.
const (
	TypeFinding = "finding" // one finding of one repository
	TypeRepo    = "repo"    // one repository is complete: its summary
	TypeAudit   = "audit"   // one run of the audit is complete
)

// Repository statuses.
const (
	StatusOK      = "ok"      // analysed; findings (load problems included) are listed
	StatusError   = "error"   // the analysis failed; findings are unknown
	StatusTimeout = "timeout" // the time limit ran out; findings are unknown
	StatusMemory  = "memory"  // the analysis passed the memory ceiling and was killed
	StatusCrash   = "crash"   // the analysis died (a fatal error, killed by the kernel); --resume retries it once
	StatusFailed  = "failed"  // the analysis died again when retried
)

// Summary is the record that closes a repository: written after its
// findings, so a repository with a summary is complete.
type Summary struct {
	Type         string         `json:"type"` // "repo"
	Version      int            `json:"version"`
	Repo         string         `json:"repo"`
	Status       string         `json:"status"`
	Error        string         `json:"error,omitempty"`
	FilesChecked int            `json:"files_checked"`
	Findings     int            `json:"findings"` // unsuppressed
	Suppressed   int            `json:"suppressed"`
	BySeverity   map[string]int `json:"by_severity"`
	ByCode       map[string]int `json:"by_code"`
	DurationMS   int64          `json:"duration_ms"`
	// MaxRSS is the largest resident memory of the analysis, in bytes,
	// when it ran in a worker process of its own.
	MaxRSS int64 `json:"max_rss,omitempty"`
	// IgnoredUntracked counts the files and directories .gitignore
	// ignores that git does not track, which were skipped (tracked files
	// are analysed whatever .gitignore says).
	IgnoredUntracked int `json:"ignored_untracked,omitempty"`
	// Suppressions lists the inline suppressions in the repository that
	// silenced findings, with their reasons.
	Suppressions []SuppressionRecord `json:"suppressions,omitempty"`
	// Graph is the repository's deployment graph with the findings on it
	// (absent when no finding is on it). Above MaxGraphRoutes routes it
	// holds only the routes that carry a finding.
	Graph *graph.Graph `json:"graph,omitempty"`
}

// SuppressionRecord is one finding silenced in an audited repository:
// where, what, and the reason the comment gives ("" when it gives none).
type SuppressionRecord struct {
	Location      Location `json:"location"`
	Code          string   `json:"code"`
	Severity      string   `json:"severity"`
	Kind          string   `json:"kind"`
	Justification string   `json:"justification,omitempty"`
}

// MaxGraphRoutes caps the routes of a repository's graph in its summary;
// beyond it the graph keeps the routes with a finding, and says how many
// it left out.
const MaxGraphRoutes = 300

// Pos is a position in a finding record.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// Location is a file range in a finding record.
type Location struct {
	File    string `json:"file"`
	Start   Pos    `json:"start"`
	End     Pos    `json:"end"`
	Message string `json:"message,omitempty"`
}

// Finding is a finding record as read back: the fields of a diagnostic in
// `check --format json`, plus the repository and the text of the line the
// finding starts on. Fixes are kept as raw JSON.
type Finding struct {
	Type        string          `json:"type"` // "finding"
	Version     int             `json:"version"`
	Repo        string          `json:"repo"`
	Code        string          `json:"code"`
	Name        string          `json:"name"`
	Severity    string          `json:"severity"`
	CWE         []string        `json:"cwe"`
	Message     string          `json:"message"`
	Detail      string          `json:"detail,omitempty"`
	FixTitle    string          `json:"fix_title,omitempty"`
	Location    Location        `json:"location"`
	Related     []Location      `json:"related"`
	Fixes       json.RawMessage `json:"fixes,omitempty"`
	Key         string          `json:"key,omitempty"`
	Fingerprint string          `json:"fingerprint,omitempty"`
	HelpURI     string          `json:"help_uri,omitempty"`
	Suppression *struct {
		Kind          string `json:"kind"`
		Justification string `json:"justification,omitempty"`
	} `json:"suppression,omitempty"`
	LineText string `json:"line_text"`
	// Place is where the finding sits on the repository's graph.
	Place *graph.Place `json:"place,omitempty"`
}

// Tool names the program that wrote the records.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// AuditRecord closes one run of the audit (absent when the run was killed).
type AuditRecord struct {
	Type        string `json:"type"` // "audit"
	Version     int    `json:"version"`
	Tool        Tool   `json:"tool"`
	Shard       string `json:"shard,omitempty"`
	Repos       int    `json:"repos"`     // in this run's shard, before --resume
	Completed   int    `json:"completed"` // given a summary in this run
	Resumed     int    `json:"resumed"`   // skipped: complete in an earlier output
	Errors      int    `json:"errors"`
	Timeouts    int    `json:"timeouts"`
	Memory      int    `json:"memory,omitempty"`  // killed at the memory ceiling
	Crashes     int    `json:"crashes,omitempty"` // died, to be retried by --resume
	Failed      int    `json:"failed,omitempty"`  // died again when retried
	Findings    int    `json:"findings"`
	Interrupted bool   `json:"interrupted,omitempty"`
	DurationMS  int64  `json:"duration_ms"`
}

// MaxLineText caps the line_text of a finding, in bytes.
const MaxLineText = 400

// lineText returns line for a record: capped at MaxLineText bytes on a
// character boundary. JSON encoding escapes control characters and
// replaces invalid UTF-8.
func lineText(line []byte) string {
	if len(line) <= MaxLineText {
		return string(line)
	}
	cut := MaxLineText
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return string(line[:cut]) + "…"
}

// appendFinding appends the JSON Lines record of one finding. The
// diagnostic's fields are those of `check --format json`
// (report.JSONDiagnostic), so tools that read one read the other.
func appendFinding(buf []byte, repo string, d rules.Finding, helpURI, line string, place *graph.Place) ([]byte, error) {
	diag, err := marshal(report.JSONDiagnostic(d))
	if err != nil {
		return buf, err
	}
	if len(diag) < 2 || diag[0] != '{' || diag[len(diag)-1] != '}' {
		return buf, fmt.Errorf("unexpected JSON form of a diagnostic: %.40s", diag)
	}
	head, err := marshal(struct {
		Type    string `json:"type"`
		Version int    `json:"version"`
		Repo    string `json:"repo"`
	}{TypeFinding, SchemaVersion, repo})
	if err != nil {
		return buf, err
	}
	tail, err := marshal(struct {
		HelpURI  string       `json:"help_uri,omitempty"`
		LineText string       `json:"line_text"`
		Place    *graph.Place `json:"place,omitempty"`
	}{helpURI, line, place})
	if err != nil {
		return buf, err
	}
	// {head…, diag…, tail…}: one flat object.
	buf = append(buf, head[:len(head)-1]...)
	if len(diag) > 2 {
		buf = append(buf, ',')
		buf = append(buf, diag[1:len(diag)-1]...)
	}
	buf = append(buf, ',')
	buf = append(buf, tail[1:]...)
	return append(buf, '\n'), nil
}

// marshal is json.Marshal without HTML escaping: the records are data for
// programs, and "->" reads better than "-\u003e". (The reports escape for
// HTML themselves.)
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func appendJSONLine(buf []byte, v any) ([]byte, error) {
	b, err := marshal(v)
	if err != nil {
		return buf, err
	}
	buf = append(buf, b...)
	return append(buf, '\n'), nil
}

// Records is what a JSON Lines file holds, grouped by repository.
type Records struct {
	// Repos maps a repository ID to its last complete result.
	Repos map[string]*RepoResult
	// Audits lists the audit records in the order read.
	Audits []AuditRecord
	// Incomplete counts repositories with findings but no summary (a run
	// killed while writing them); their findings are dropped.
	Incomplete int
	// Malformed counts lines that are not a record (a truncated last line).
	Malformed int
}

// RepoResult is one repository's summary and findings.
type RepoResult struct {
	Summary  Summary
	Findings []Finding
}

// ReadRecords reads JSON Lines records. A repository's records are
// contiguous (Run writes each repository at once): its findings count only
// when its summary follows them directly; findings followed by anything
// else were cut short by a killed run and are dropped. A later complete
// result of the same repository (from a resumed run or another file)
// replaces an earlier one. Lines that are not records (a line cut short)
// are counted and skipped. With summariesOnly, findings are not kept (what
// --resume needs).
func ReadRecords(r io.Reader, into *Records, summariesOnly bool) error {
	if into.Repos == nil {
		into.Repos = map[string]*RepoResult{}
	}
	rd := &recordReader{into: into, summariesOnly: summariesOnly}
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			rd.line(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	rd.drop()
	return nil
}

type recordReader struct {
	into          *Records
	summariesOnly bool
	// The block being read: findings of one repository awaiting its
	// summary.
	repo    string
	pending []Finding
	open    bool
}

// drop abandons the block being read.
func (rd *recordReader) drop() {
	if rd.open {
		rd.into.Incomplete++
	}
	rd.repo, rd.pending, rd.open = "", nil, false
}

func (rd *recordReader) line(line []byte) {
	into := rd.into
	var head struct {
		Type string `json:"type"`
		Repo string `json:"repo"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		into.Malformed++
		rd.drop()
		return
	}
	switch head.Type {
	case TypeFinding:
		if rd.open && rd.repo != head.Repo {
			rd.drop()
		}
		rd.repo, rd.open = head.Repo, true
		if rd.summariesOnly {
			return
		}
		var f Finding
		if err := json.Unmarshal(line, &f); err != nil {
			into.Malformed++
			rd.drop()
			return
		}
		rd.pending = append(rd.pending, f)
	case TypeRepo:
		var s Summary
		if err := json.Unmarshal(line, &s); err != nil || s.Repo == "" {
			into.Malformed++
			rd.drop()
			return
		}
		var findings []Finding
		if rd.open && rd.repo == s.Repo {
			findings = rd.pending
			rd.repo, rd.pending, rd.open = "", nil, false
		} else {
			rd.drop()
		}
		into.Repos[s.Repo] = &RepoResult{Summary: s, Findings: findings}
	case TypeAudit:
		rd.drop()
		var a AuditRecord
		if err := json.Unmarshal(line, &a); err != nil {
			into.Malformed++
			return
		}
		into.Audits = append(into.Audits, a)
	default:
		rd.drop()
		into.Malformed++
	}
}

// location is a range as a record writes it.
func location(r source.Range, msg string) Location {
	return Location{File: r.File, Message: msg,
		Start: Pos{Line: r.Start.Line, Column: r.Start.Col, Offset: r.Start.Offset},
		End:   Pos{Line: r.End.Line, Column: r.End.Col, Offset: r.End.Offset}}
}
