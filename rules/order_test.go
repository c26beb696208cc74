package rules

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// randomFindings draws findings from few files, offsets, codes and
// messages, so that many are equal by Less and stability matters; Detail
// tells equal ones apart.
func randomFindings(r *rand.Rand, n int) []Finding {
	diags := make([]Finding, n)
	for i := range diags {
		d := &diags[i]
		d.Range.File = fmt.Sprintf("f%d.conf", r.IntN(3))
		d.Range.Start.Offset = r.IntN(5)
		d.Range.End.Offset = d.Range.Start.Offset + r.IntN(2)
		d.Code = fmt.Sprintf("N%03d", r.IntN(3))
		d.Message = fmt.Sprintf("m%d", r.IntN(2))
		d.Detail = fmt.Sprint(i)
	}
	return diags
}

// SortFindings orders as a stable sort by Less does.
func TestSortFindingsIsStableByLess(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 64, 500} {
		for range 20 {
			got := randomFindings(r, n)
			want := append([]Finding(nil), got...)
			sort.SliceStable(want, func(i, j int) bool { return want[i].Less(&want[j]) })
			SortFindings(got)
			for i := range got {
				if got[i].Detail != want[i].Detail {
					t.Fatalf("n=%d: position %d holds finding %s, want %s", n, i, got[i].Detail, want[i].Detail)
				}
			}
		}
	}
}

func BenchmarkSortFindings(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	base := randomFindings(r, 1500)
	for i := range base {
		base[i].Range.File = fmt.Sprintf("dir/f%03d.conf", r.IntN(300))
		base[i].Range.Start = source.Pos{Offset: r.IntN(10000)}
	}
	diags := make([]Finding, len(base))
	b.ReportAllocs()
	for b.Loop() {
		copy(diags, base)
		SortFindings(diags)
	}
}

// settle lists the findings it replaces in the order of the findings,
// whatever the order of its maps: the same run gives the same list.
func TestSettleReplacesInFindingOrder(t *testing.T) {
	byCode := map[string]*Rule{"X004": {Code: "X004", Supersedes: []string{"G001"}}, "G001": {Code: "G001"}}
	var diags []Finding
	var want []string
	for i := range 8 {
		key := RouteHeaderKey(fmt.Sprintf("route-%d", i), "X-SSL-Client-Verify")
		file := fmt.Sprintf("f%d.conf", i)
		for _, code := range []string{"G001", "X004"} {
			d := Finding{Code: code}
			d.Range.File, d.Key = file, key
			diags = append(diags, d)
		}
		want = append(want, file)
	}
	for range 20 {
		in := append([]Finding(nil), diags...)
		_, replaced := settle(in, byCode, nil, nil)
		var got []string
		for _, r := range replaced {
			got = append(got, r.Finding.Range.File)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("replaced %v, want %v", got, want)
		}
	}
}

// FindingsSorted holds after SortFindings and fails on a list out of order.
func TestFindingsSorted(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	diags := randomFindings(r, 50)
	SortFindings(diags)
	if !FindingsSorted(diags) {
		t.Fatal("FindingsSorted is false after SortFindings")
	}
	for i := 1; i < len(diags); i++ {
		if diags[i-1].Compare(&diags[i]) < 0 {
			diags[i-1], diags[i] = diags[i], diags[i-1]
			if FindingsSorted(diags) {
				t.Fatalf("FindingsSorted is true with findings %d and %d swapped", i-1, i)
			}
			return
		}
	}
	t.Fatal("the sample has no two findings in strict order")
}
