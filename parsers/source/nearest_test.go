package source

import (
	"math/rand/v2"
	"testing"
)

// plainNearest is Nearest without the length bound, the early stop and the
// shared rows.
func plainNearest(word string, candidates []string, limit int) string {
	best, bestDist := "", limit
	for _, c := range candidates {
		rows := make([]int, 2*(len(c)+1))
		if d := editDistance(word, c, rows, len(word)+len(c)); d < bestDist || d == bestDist && best != "" && c < best {
			best, bestDist = c, d
		}
	}
	return best
}

// TestNearest: known answers (ties go to the candidate that sorts first),
// and the same answer as the plain computation on random words.
func TestNearest(t *testing.T) {
	kws := []string{"frontend", "backend", "listen", "defaults", "global", "bind", "mode", "b"}
	for _, c := range []struct {
		word  string
		limit int
		want  string
	}{
		{"backnd", 3, "backend"},
		{"mdoe", 3, "mode"},
		{"bode", 2, "mode"},
		{"fron", 5, "b"}, // b, bind and frontend are all 4 away
		{"xyz", 3, ""},
		{"verylongkeywordnothere", 5, ""},
	} {
		if got := Nearest(c.word, kws, c.limit); got != c.want {
			t.Errorf("Nearest(%q, %d) = %q, want %q", c.word, c.limit, got, c.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		w := make([]byte, r.IntN(10))
		for i := range w {
			w[i] = "abdefilmnorst"[r.IntN(13)]
		}
		limit := r.IntN(6)
		if got, want := Nearest(string(w), kws, limit), plainNearest(string(w), kws, limit); got != want {
			t.Fatalf("Nearest(%q, %d) = %q, plain computation %q", w, limit, got, want)
		}
	}
}
