package e2e

import (
	"context"
	"errors"

	"github.com/mtlslint/mtlslint/rules"
)

// Finding is one static finding, as the suite compares it with the
// runtime verdicts.
type Finding struct {
	Code     string
	Severity rules.Severity
	File     string // relative to the scenario's site directory
	Line     int
	Message  string
}

// ErrNoDriver means the lint driver is not part of this build yet, so the
// static column of the report stays empty and nothing is cross-checked.
var ErrNoDriver = errors.New("the lint driver (internal/lint) is not wired into the suite yet")

// Lint runs mtlslint, with every rule, on a rendered scenario directory:
// the same files the real servers read.
func Lint(ctx context.Context, dir string) ([]Finding, error) {
	return nil, ErrNoDriver
}

// RegisteredCodes returns the code of every rule mtlslint has, or nil when
// the driver is not wired.
func RegisteredCodes() map[string]bool {
	return nil
}
