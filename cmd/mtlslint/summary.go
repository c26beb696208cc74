package main

import (
	"os"
	"strings"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/internal/report"
)

// summaryPath is where check appends its Markdown job summary: --summary,
// else, with --format github, the file GitHub Actions shows on the run's
// page ($GITHUB_STEP_SUMMARY); "" writes none.
func (f *checkFlags) summaryPath() string {
	if f.summary != "" {
		return f.summary
	}
	if f.format == "github" {
		return os.Getenv("GITHUB_STEP_SUMMARY")
	}
	return ""
}

// writeSummary appends the job summary: a step summary file collects what
// every step of a job writes to it.
func (f *checkFlags) writeSummary(in report.Input, res *lint.Result) error {
	path := f.summaryPath()
	if path == "" {
		return nil
	}
	opt := report.SummaryOptions{}
	opt.Base = githubBase()
	if server, repo, sha := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_SHA"); server != "" && repo != "" && sha != "" {
		opt.BlobURL = strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
	}
	var g *graph.Graph
	if res.Model != nil {
		g = graph.Build(res.Model, graph.FromDiagnostics(res.Findings))
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := report.GitHubSummary(fh, in, g, opt); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// githubBase is the directory GitHub paths are relative to: the checkout.
func githubBase() string {
	base := os.Getenv("GITHUB_WORKSPACE")
	if base == "" {
		base, _ = os.Getwd()
	}
	return base
}
