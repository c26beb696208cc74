package graph

import (
	"sort"
	"unicode/utf8"
)

// The SVG's layout: a layered drawing in the manner of Sugiyama et al.,
// with the layers fixed by the node kinds (the columns, left to right).
// Edges that skip a column get a dummy box in each column they cross, so
// that they are ordered and spaced like nodes and never run through a
// box. The order within each column comes from barycentre sweeps (each
// box moves to the mean position of its neighbours in the column before,
// then after), keeping the order with the fewest crossings, then from
// swapping neighbours while that removes crossings. Vertical positions
// pull each box towards its neighbours' centres while keeping the order
// and the spacing (an isotonic regression per column). Every step is
// deterministic: ties keep the previous order, which starts from the
// nodes' IDs.

// Sizes, in pixels. The font is monospaced, so that a line's width is its
// length times charWidth.
const (
	fontSize    = 12.0
	charWidth   = 7.3 // DejaVu Sans Mono and Menlo advance 0.6 em
	lineHeight  = 15.0
	padX        = 8.0
	padY        = 6.0
	boxGap      = 12.0 // between boxes of a column
	dummyHeight = 4.0
	minBoxWidth = 90.0
	maxChars    = 42 // a label line is cut here; the tooltip has it all
	labelChars  = 48 // an edge label line is cut here
	columnGap   = 40.0
	margin      = 16.0
	headerSpace = 34.0
)

type box struct {
	node  *Node // nil for a dummy
	col   int
	lines []string // label lines as drawn
	marks []string // finding lines as drawn
	w, h  float64
	x, y  float64 // top left
	pos   int     // index in its column
	preds []*box
	succs []*box
}

func (b *box) cy() float64 { return b.y + b.h/2 }

// route is one edge of the graph as drawn: its boxes from source to
// target, dummies between.
type route struct {
	edge  *Edge
	index int
	boxes []*box
	// The edge runs straight for this long after its source and before
	// its target, under its label.
	straightOut, straightIn float64
}

type layout struct {
	cols   [][]*box
	kinds  []Kind // the kind of each column
	routes []route
	// drawn maps an edge's index in the graph to its route.
	drawn map[int]route
	// boxes are the nodes' boxes in the graph's order; byID finds them
	// (the first of a repeated ID).
	boxes  []*box
	byID   map[string]*box
	width  float64
	height float64
	colX   []float64
	colW   []float64
	// labelEnd: edge labels written at the target end (edges into a
	// route's box, one each) or at the source end (others).
	atTarget []bool
}

func textLen(s string) float64 { return float64(utf8.RuneCountInString(s)) * charWidth }

func layoutOf(g *Graph, p *paint) *layout {
	l := &layout{byID: map[string]*box{}}
	colOf := map[Kind]int{}
	for _, n := range g.Nodes {
		if _, ok := colOf[n.Kind]; !ok {
			colOf[n.Kind] = -1
		}
	}
	for k := Kind(0); k < numKinds; k++ {
		if _, ok := colOf[k]; ok {
			colOf[k] = len(l.kinds)
			l.kinds = append(l.kinds, k)
		}
	}
	l.cols = make([][]*box, len(l.kinds))
	for _, n := range g.Nodes {
		b := &box{node: n, col: colOf[n.Kind]}
		for _, s := range n.Label {
			b.lines = append(b.lines, truncate(s, maxChars))
		}
		for _, s := range p.markLines(n.ID) {
			b.marks = append(b.marks, truncate(s, maxChars))
		}
		w := minBoxWidth
		for _, s := range append(append([]string{}, b.lines...), b.marks...) {
			w = max(w, textLen(s)+2*padX)
		}
		b.w = w
		b.h = float64(len(b.lines)+len(b.marks))*lineHeight + 2*padY
		l.cols[b.col] = append(l.cols[b.col], b)
		l.boxes = append(l.boxes, b)
		if l.byID[n.ID] == nil {
			l.byID[n.ID] = b
		}
	}
	for i, e := range g.Edges {
		from, to := l.byID[e.From], l.byID[e.To]
		if from == nil || to == nil {
			continue
		}
		r := route{edge: e, index: i, boxes: []*box{from}}
		for c := from.col + 1; c < to.col; c++ {
			d := &box{col: c, w: 0, h: dummyHeight}
			l.cols[c] = append(l.cols[c], d)
			r.boxes = append(r.boxes, d)
		}
		r.boxes = append(r.boxes, to)
		for j := 1; j < len(r.boxes); j++ {
			r.boxes[j-1].succs = append(r.boxes[j-1].succs, r.boxes[j])
			r.boxes[j].preds = append(r.boxes[j].preds, r.boxes[j-1])
		}
		l.routes = append(l.routes, r)
		l.atTarget = append(l.atTarget, to.node.Kind == KindRoute)
	}
	l.order()
	l.place()
	l.drawn = make(map[int]route, len(l.routes))
	for _, r := range l.routes {
		l.drawn[r.index] = r
	}
	return l
}

// order sets the order of the boxes in each column.
func (l *layout) order() {
	// Start: the first column by ID (the nodes come sorted), then each
	// box in the order its first predecessor is met.
	l.renumber()
	for c := 1; c < len(l.cols); c++ {
		l.sortCol(c, func(b *box) float64 {
			if len(b.preds) == 0 {
				return 1e9 + float64(b.pos)
			}
			m := 1e9
			for _, p := range b.preds {
				m = min(m, float64(p.pos))
			}
			return m
		})
	}
	best := l.crossings()
	saved := l.save()
	for it := 0; it < 24 && best > 0; it++ {
		for c := 1; c < len(l.cols); c++ {
			l.sortCol(c, func(b *box) float64 { return bary(b.preds, b) })
		}
		for c := len(l.cols) - 2; c >= 0; c-- {
			l.sortCol(c, func(b *box) float64 { return bary(b.succs, b) })
		}
		if n := l.crossings(); n < best {
			best, saved = n, l.save()
		}
	}
	l.restore(saved)
	l.transpose()
}

// bary is the mean position of a box's neighbours; a box without any
// keeps its own.
func bary(ns []*box, b *box) float64 {
	if len(ns) == 0 {
		return float64(b.pos)
	}
	s := 0.0
	for _, n := range ns {
		s += float64(n.pos)
	}
	return s / float64(len(ns))
}

func (l *layout) sortCol(c int, key func(*box) float64) {
	col := l.cols[c]
	keys := make(map[*box]float64, len(col))
	for _, b := range col {
		keys[b] = key(b)
	}
	sort.SliceStable(col, func(i, j int) bool { return keys[col[i]] < keys[col[j]] })
	for i, b := range col {
		b.pos = i
	}
}

func (l *layout) renumber() {
	for _, col := range l.cols {
		for i, b := range col {
			b.pos = i
		}
	}
}

func (l *layout) save() [][]*box {
	out := make([][]*box, len(l.cols))
	for i, c := range l.cols {
		out[i] = append([]*box(nil), c...)
	}
	return out
}

func (l *layout) restore(s [][]*box) {
	l.cols = s
	l.renumber()
}

// crossings counts the pairs of edge segments that cross.
func (l *layout) crossings() int {
	n := 0
	for c := 0; c+1 < len(l.cols); c++ {
		n += l.crossingsAt(c)
	}
	return n
}

// crossingsAt counts crossings between column c and c+1.
func (l *layout) crossingsAt(c int) int {
	type seg struct{ a, b int }
	var segs []seg
	for _, u := range l.cols[c] {
		for _, v := range u.succs {
			segs = append(segs, seg{u.pos, v.pos})
		}
	}
	n := 0
	for i := range segs {
		for j := i + 1; j < len(segs); j++ {
			s, t := segs[i], segs[j]
			if (s.a < t.a && s.b > t.b) || (s.a > t.a && s.b < t.b) {
				n++
			}
		}
	}
	return n
}

// transpose swaps neighbours in a column while that lowers the crossings
// on either side of it.
func (l *layout) transpose() {
	for round := 0; round < 16; round++ {
		improved := false
		for _, col := range l.cols {
			for i := 0; i+1 < len(col); i++ {
				u, v := col[i], col[i+1]
				if pairCrossings(v, u) < pairCrossings(u, v) {
					col[i], col[i+1] = v, u
					v.pos, u.pos = i, i+1
					improved = true
				}
			}
		}
		if !improved {
			return
		}
	}
}

// pairCrossings counts the crossings between the edges of u and those of
// v, with u placed just above v.
func pairCrossings(u, v *box) int {
	n := 0
	for _, side := range [2]func(*box) []*box{func(b *box) []*box { return b.preds }, func(b *box) []*box { return b.succs }} {
		for _, a := range side(u) {
			for _, b := range side(v) {
				if a.pos > b.pos {
					n++
				}
			}
		}
	}
	return n
}

// place sets the coordinates.
func (l *layout) place() {
	// Columns: as wide as their widest box, apart by the gap and by the
	// widest edge label written in the gap.
	l.colW = make([]float64, len(l.cols))
	for c, col := range l.cols {
		for _, b := range col {
			l.colW[c] = max(l.colW[c], b.w)
		}
	}
	gapLabels := make([][2]float64, len(l.cols)) // [0]: at the source side of gap c→c+1, [1]: at the target side
	for i, r := range l.routes {
		w := 0.0
		for _, s := range r.edge.Label {
			w = max(w, textLen(truncate(s, labelChars)))
		}
		if w == 0 {
			continue
		}
		if l.atTarget[i] {
			c := r.boxes[len(r.boxes)-1].col - 1
			gapLabels[c][1] = max(gapLabels[c][1], w)
			l.routes[i].straightIn = w + 10
		} else {
			c := r.boxes[0].col
			gapLabels[c][0] = max(gapLabels[c][0], w)
			l.routes[i].straightOut = w + 10
		}
	}
	l.colX = make([]float64, len(l.cols))
	x := margin
	for c := range l.cols {
		l.colX[c] = x
		x += l.colW[c]
		if c+1 < len(l.cols) {
			x += columnGap + gapLabels[c][0] + gapLabels[c][1]
		}
	}
	l.width = x + margin
	for c, col := range l.cols {
		for _, b := range col {
			if b.node == nil {
				b.w = l.colW[c]
			}
			b.x = l.colX[c]
		}
	}
	// Rows: stacked, then pulled towards the neighbours.
	for _, col := range l.cols {
		y := 0.0
		for _, b := range col {
			b.y = y
			y += b.h + boxGap
		}
	}
	for it := 0; it < 12; it++ {
		for c := 1; c < len(l.cols); c++ {
			l.align(c, func(b *box) []*box { return b.preds })
		}
		for c := len(l.cols) - 2; c >= 0; c-- {
			l.align(c, func(b *box) []*box { return b.succs })
		}
	}
	for c := range l.cols {
		l.align(c, func(b *box) []*box { return append(append([]*box{}, b.preds...), b.succs...) })
	}
	top, bottom := 0.0, 0.0
	first := true
	for _, col := range l.cols {
		for _, b := range col {
			if first || b.y < top {
				top = b.y
			}
			if first || b.y+b.h > bottom {
				bottom = b.y + b.h
			}
			first = false
		}
	}
	for _, col := range l.cols {
		for _, b := range col {
			b.y += margin + headerSpace - top
		}
	}
	l.height = bottom - top + margin + headerSpace
}

// align moves the boxes of column c towards the mean centre of their
// neighbours, keeping their order and spacing: the least-squares fit
// under those constraints (pool adjacent violators).
func (l *layout) align(c int, neighbours func(*box) []*box) {
	col := l.cols[c]
	if len(col) == 0 {
		return
	}
	// With offsets o_i (the space the boxes above need), z_i = top_i - o_i
	// must not decrease; fit z to the wanted tops.
	type block struct {
		sum, n float64
		start  int
	}
	offset := 0.0
	want := make([]float64, len(col))
	offs := make([]float64, len(col))
	for i, b := range col {
		ns := neighbours(b)
		centre := b.cy()
		if len(ns) > 0 {
			s := 0.0
			for _, n := range ns {
				s += n.cy()
			}
			centre = s / float64(len(ns))
		}
		offs[i] = offset
		want[i] = centre - b.h/2 - offset
		offset += b.h + boxGap
	}
	var blocks []block
	for i, v := range want {
		blocks = append(blocks, block{sum: v, n: 1, start: i})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/a.n <= b.sum/b.n {
				break
			}
			blocks = blocks[:len(blocks)-2]
			blocks = append(blocks, block{sum: a.sum + b.sum, n: a.n + b.n, start: a.start})
		}
	}
	for k, bl := range blocks {
		end := len(col)
		if k+1 < len(blocks) {
			end = blocks[k+1].start
		}
		z := bl.sum / bl.n
		for i := bl.start; i < end; i++ {
			col[i].y = z + offs[i]
		}
	}
}
