package bench

import (
	"context"
	"fmt"
	"os/exec"
	"testing"

	"github.com/mtlslint/mtlslint/internal/gen"
	"github.com/mtlslint/mtlslint/internal/lint"
)

// committedMonorepo is a generated monorepo of about files files, committed
// to a git repository of its own.
func committedMonorepo(tb testing.TB, files int) string {
	return generate(tb, fmt.Sprintf("committed-monorepo-%d", files), func(dir string) error {
		if _, err := gen.Monorepo(dir, files, gen.Options{Seed: 1, NoGit: true}); err != nil {
			return err
		}
		for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "generated"}} {
			if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
				return fmt.Errorf("git %v: %v\n%s", args, err, out)
			}
		}
		return nil
	})
}

// BenchmarkBaselineRev compares linting a monorepo's work tree with linting
// its HEAD from git's objects (lint.BaselineAt, what check --baseline-rev
// adds to a run): the listing, one cat-file --batch, and the same pipeline.
func BenchmarkBaselineRev(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git is not installed")
	}
	root := committedMonorepo(b, 1000)
	files, bytes := size(b, root)
	opts := lint.Options{Root: root, NoConfig: true}
	b.Run("worktree", func(b *testing.B) {
		b.SetBytes(bytes)
		for b.Loop() {
			if _, err := lint.Run(context.Background(), opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
	})
	b.Run("revision", func(b *testing.B) {
		b.SetBytes(bytes)
		accepted := 0
		for b.Loop() {
			base, err := lint.BaselineAt(context.Background(), opts, "HEAD")
			if err != nil {
				b.Fatal(err)
			}
			accepted = len(base.Findings)
		}
		b.ReportMetric(float64(files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
		b.ReportMetric(float64(accepted), "findings")
	})
}
