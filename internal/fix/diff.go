package fix

import (
	"bytes"
	"fmt"
	"strings"
)

// Unified returns a unified diff of a and b with three lines of context,
// headed "--- a/path" and "+++ b/path" (apply it with `patch -p1` or
// `git apply` from the scanned root). Equal inputs give "".
func Unified(path string, a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", path, path)
	const context = 3
	// Group the operations into hunks separated by more than 2*context
	// equal lines.
	i := 0
	for i < len(ops) {
		for i < len(ops) && ops[i].kind == ' ' {
			i++
		}
		if i == len(ops) {
			break
		}
		start := i - context
		if start < 0 {
			start = 0
		}
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				break
			}
			end = run
		}
		stop := end + context
		if stop > len(ops) {
			stop = len(ops)
		}
		writeHunk(&out, ops[start:stop])
		i = stop
	}
	return out.String()
}

type op struct {
	kind         byte // ' ', '-', '+'
	text         string
	aLine, bLine int // 1-based line in a (for ' ' and '-') and b (for ' ' and '+')
}

func writeHunk(w *strings.Builder, ops []op) {
	aStart, bStart, aN, bN := 0, 0, 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			if aN == 0 {
				aStart = o.aLine
			}
			aN++
		}
		if o.kind != '-' {
			if bN == 0 {
				bStart = o.bLine
			}
			bN++
		}
	}
	if aN == 0 {
		aStart = ops[0].aLine - 1 // an insertion: the line before it
	}
	if bN == 0 {
		bStart = ops[0].bLine - 1
	}
	fmt.Fprintf(w, "@@ -%s +%s @@\n", span(aStart, aN), span(bStart, bN))
	for _, o := range ops {
		w.WriteByte(o.kind)
		w.WriteString(o.text)
		if !strings.HasSuffix(o.text, "\n") {
			w.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func span(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// splitLines splits after every "\n", keeping it.
func splitLines(b []byte) []string {
	var out []string
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, string(b))
			break
		}
		out = append(out, string(b[:i+1]))
		b = b[i+1:]
	}
	return out
}

// diffLines computes a shortest edit script with Myers' algorithm.
func diffLines(x, y []string) []op {
	n, m := len(x), len(y)
	max := n + m
	v := make([]int, 2*max+2)
	var trace [][]int
	found := false
	for d := 0; d <= max && !found; d++ {
		snapshot := make([]int, len(v))
		copy(snapshot, v)
		trace = append(trace, snapshot)
		for k := -d; k <= d; k += 2 {
			var i int
			if k == -d || (k != d && v[max+k-1] < v[max+k+1]) {
				i = v[max+k+1] // down: insertion
			} else {
				i = v[max+k-1] + 1 // right: deletion
			}
			j := i - k
			for i < n && j < m && x[i] == y[j] {
				i++
				j++
			}
			v[max+k] = i
			if i >= n && j >= m {
				found = true
				break
			}
		}
	}
	// Walk the trace back from (n, m).
	var rev []op
	i, j := n, m
	for d := len(trace) - 1; d > 0; d-- {
		vd := trace[d]
		k := i - j
		var prevK int
		if k == -d || (k != d && vd[max+k-1] < vd[max+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevI := vd[max+prevK]
		prevJ := prevI - prevK
		for i > prevI && j > prevJ {
			rev = append(rev, op{' ', x[i-1], i, j})
			i--
			j--
		}
		if i == prevI {
			rev = append(rev, op{'+', y[j-1], i, j})
			j--
		} else {
			rev = append(rev, op{'-', x[i-1], i, j})
			i--
		}
	}
	for i > 0 && j > 0 {
		rev = append(rev, op{' ', x[i-1], i, j})
		i--
		j--
	}
	ops := make([]op, len(rev))
	for k, o := range rev {
		ops[len(rev)-1-k] = o
	}
	// Line numbers: recompute forwards for clarity.
	a, b := 1, 1
	for k := range ops {
		switch ops[k].kind {
		case ' ':
			ops[k].aLine, ops[k].bLine = a, b
			a++
			b++
		case '-':
			ops[k].aLine, ops[k].bLine = a, b
			a++
		case '+':
			ops[k].aLine, ops[k].bLine = a, b
			b++
		}
	}
	return ops
}
