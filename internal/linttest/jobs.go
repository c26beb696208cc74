package linttest

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/report"
)

// SameWithJobs lints opts with one job and with two and fails when the
// runs differ in anything a user sees: the trees and problems of the
// workspace, in order, and every finding as the JSON output writes it.
func SameWithJobs(t testing.TB, opts lint.Options) {
	t.Helper()
	var outs [2]string
	for i, jobs := range []int{1, 2} {
		opts.Jobs = jobs
		res, err := lint.Run(context.Background(), opts)
		if err != nil {
			t.Fatalf("--jobs %d: %v", jobs, err)
		}
		outs[i] = Outcome(t, res)
	}
	if outs[0] != outs[1] {
		a, b := strings.Split(outs[0], "\n"), strings.Split(outs[1], "\n")
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("--jobs 1 and --jobs 2 differ at line %d:\n  1: %s\n  2: %s", i+1, a[i], b[i])
			}
		}
		t.Fatalf("--jobs 1 gives %d lines, --jobs 2 %d", len(a), len(b))
	}
}

// Outcome renders a run line by line: the files detected as each kind
// (in the order discovery recorded them), each tree (kind and files), each
// problem, each finding in JSON.
func Outcome(t testing.TB, res *lint.Result) string {
	t.Helper()
	var b strings.Builder
	kinds := make([]string, 0, len(res.Workspace.Discovered))
	for k := range res.Workspace.Discovered {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(&b, "discovered %s %s\n", k, strings.Join(res.Workspace.Discovered[k], " "))
	}
	for _, tr := range res.Workspace.Trees {
		fmt.Fprintf(&b, "tree %s", tr.Kind())
		for _, f := range tr.Files() {
			fmt.Fprintf(&b, " %s", f.Path)
		}
		b.WriteByte('\n')
	}
	for _, p := range res.Workspace.Problems {
		fmt.Fprintf(&b, "problem %v %v %q\n", p.Kind, p.Range, p.Message)
	}
	for _, f := range res.Findings {
		j, err := json.Marshal(report.JSONDiagnostic(f))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}
