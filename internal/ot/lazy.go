package ot

import (
	"fmt"
	"math"
)

// SolveSparse returns an optimal assignment like Solve (same certificate, Duals), usually
// faster for large m when optimal pairs are among each row's cheapest entries, e.g.
// Euclidean costs between samples spread over a region. Below m = 1000 (minSparse), for
// m ≤ 4k, and on rows that look like points near a curve or with many duplicates
// (lowDimensional), it calls Solve. Otherwise it runs three phases that all keep reduced
// costs c_ij − u_i − v_j ≥ 0 and matched pairs tight between them:
//
//  1. optimistic (optimisticPhase): shortest augmenting paths over each row's k cheapest
//     pairs and each column's cheapest pair only, then one pass over all m² entries that
//     lowers u_i of every violated row to min_j (c_ij − v_j) and unmatches it (or, when most
//     matched rows are violated, a restart from column reduction);
//  2. lazy: Dijkstra searches with a binary heap over a candidate list per row — the kᵢ
//     columns with the smallest c_ij − v_j (kᵢ starts at k) — and the bound
//     Bᵢ = min over the row's other columns of c_ij − v_j when the list was built. Column
//     duals only decrease, so Bᵢ stays a lower bound there; scanning row i at distance dᵢ
//     pushes an expansion event with key dᵢ + Bᵢ − uᵢ, and if it is popped before a free
//     column the row is scanned in full and its list rebuilt with 2kᵢ columns after the
//     search. Every lazy search is thereby an exact shortest-path search on the full matrix;
//  3. dense: once lazy searches cost more than dense ones would (heap entries are about 25
//     dense column scans), the remaining rows use Solve's search.
//
// Ties in distance go to free columns first. k < 1 means 1. Errors and panics are those of
// Solve. docs/derivations/ot-assignment.md gives the proofs and measurements.
func (s *Solver) SolveSparse(perm []int, cost []float64, m, k int) (float64, error) {
	if m < 0 || len(cost) != m*m || len(perm) != m {
		panic(fmt.Sprintf("ot: SolveSparse: need len(cost) = m² and len(perm) = m, have m = %d, len(cost) = %d, len(perm) = %d", m, len(cost), len(perm)))
	}
	if k < 1 {
		k = 1
	}
	if m < minSparse || m <= 4*k || lowDimensional(s, cost, m) {
		return s.Solve(perm, cost, m)
	}
	return s.solveLazy(perm, cost, m, k)
}

// minSparse is the size below which SolveSparse calls Solve: at m = 500 the dense search
// was faster than the lazy phases on every benchmark case.
const minSparse = 1000

// lowDimensional reports whether the rows of cost look like points near a curve or with
// many duplicates, the data on which the lazy phases cost about 25% more than the dense
// search (docs/derivations/ot-assignment.md §2). For a set of intrinsic dimension d the
// distance to the 32nd nearest column is about 4^{1/d} times the distance to the 8th: 4
// on a curve, 2 on a surface. On every 32nd row it compares the two order statistics and
// calls the data low-dimensional when most checked rows have a ratio above 2.8 (d below
// about 1.3) or a zero 2nd distance (duplicates: two columns at the row's point, ties that
// the lazy phases handle badly; with the SIMD row scans the dense search was 1.1–2.6×
// faster than them on the 20×20 and 5×5 grids at m = 2000). Cost: 3m entries per checked
// row.
func lowDimensional(s *Solver, cost []float64, m int) bool {
	checked, low := 0, 0
	for i := 0; i < m; i += 32 {
		row := cost[i*m : (i+1)*m]
		d2, d8, d32 := s.kthSmallest(row, 2), s.kthSmallest(row, 8), s.kthSmallest(row, 32)
		checked++
		if !(d2 > 0) || d32 > 2.8*d8 {
			low++
		}
	}
	return 2*low > checked
}

// solveLazy is SolveSparse without the dense shortcut for small m (tests call it directly).
func (s *Solver) solveLazy(perm []int, cost []float64, m, k int) (float64, error) {
	s.resize(m)
	s.resizeLazy(m)
	if idx := s.columnReduction(cost, m); idx >= 0 {
		return math.NaN(), fmt.Errorf("ot: SolveSparse: cost[%d] = %v", idx, cost[idx])
	}
	for j := 0; j < m; j++ {
		s.done[j] = false
		s.spc[j] = math.Inf(1)
	}
	s.touched = s.touched[:0]
	s.k0 = k
	if !s.optimisticPhase(cost, m, k) {
		s.columnReduction(cost, m) // abandoned: start the exact phases from column reduction
	}
	for i := range s.kRow {
		s.kRow[i] = 0 // lists rebuilt from the current duals when a lazy search first scans a row
	}
	// Searches grow longer as the matching fills up. A lazy search costs about costPush per
	// heap entry plus its candidate and expansion scans, a dense one (augment) one unit per
	// column still open in the search for each scanned row; once the recent lazy searches
	// (exponential average) cost more than dense ones would have, the remaining rows use
	// augment. Both keep the same invariants, so the switch is exact.
	dense := false
	var avgLazy, avgDense float64
	for i := 0; i < m; i++ {
		if s.col4row[i] >= 0 {
			continue
		}
		if dense {
			if err := s.augment(cost, m, i); err != nil {
				return math.NaN(), err
			}
			continue
		}
		s.lazyCost = 0
		if err := s.augmentLazy(cost, m, i); err != nil {
			return math.NaN(), err
		}
		r := float64(len(s.rowsSeen))
		avgLazy += (s.lazyCost - avgLazy) / 8
		avgDense += (r*float64(m) - avgDense) / 8
		dense = avgLazy > avgDense
	}
	var total float64
	for i := 0; i < m; i++ {
		perm[i] = s.col4row[i]
		total += cost[i*m+perm[i]]
	}
	return total, nil
}

// resizeLazy sizes the SolveSparse state for m rows and columns.
func (s *Solver) resizeLazy(m int) {
	if cap(s.adj) < m {
		s.adj = make([][]int32, m)
		s.adjCost = make([][]float64, m)
		s.bound = make([]float64, m)
		s.kRow = make([]int, m)
		s.done = make([]bool, m)
		s.expanded = make([]bool, m)
		s.wbuf = make([]float64, m)
	}
	s.adj, s.adjCost, s.bound, s.kRow = s.adj[:m], s.adjCost[:m], s.bound[:m], s.kRow[:m]
	s.done, s.expanded = s.done[:m], s.expanded[:m]
	for i := range s.expanded {
		s.expanded[i] = false
	}
}

// refreshRow rebuilds the candidate list of row i: the kRow[i] columns with the smallest
// w_j = c_ij − v_j and the bound bound[i] = the smallest w_j among the other columns (+Inf if
// none). With setU it also sets u_i = min_j w_j (at the start, where u = 0 ≤ min_j w_j).
// Feasibility u_i ≤ w_j for all j gives u_i ≤ bound[i].
func (s *Solver) refreshRow(cost []float64, m, i int, setU bool) {
	k := s.kRow[i]
	row := cost[i*m : (i+1)*m]
	adj, ac := s.adj[i][:0], s.adjCost[i][:0]
	if k >= m {
		u := math.Inf(1)
		for j, c := range row {
			adj = append(adj, int32(j))
			ac = append(ac, c)
			u = math.Min(u, c-s.v[j])
		}
		s.adj[i], s.adjCost[i] = adj, ac
		s.bound[i] = math.Inf(1)
		if setU && !math.IsInf(u, 1) {
			s.u[i] = u
		}
		return
	}
	// T = the k-th smallest w_j (selection on a copy); candidates are all j with w_j ≤ T (k or
	// more with ties), and the bound is the smallest w_j above T.
	w := s.wbuf[:m]
	for j, c := range row {
		w[j] = c - s.v[j]
	}
	t := s.kthSmallest(w, k)
	b, u := math.Inf(1), math.Inf(1)
	for j, wj := range w {
		if wj <= t {
			adj = append(adj, int32(j))
			ac = append(ac, row[j])
			u = math.Min(u, wj)
		} else if wj < b {
			b = wj
		}
	}
	s.bound[i] = b
	s.adj[i], s.adjCost[i] = adj, ac
	if setU && !math.IsInf(u, 1) {
		s.u[i] = u
	}
}

// kthSmallest returns the k-th smallest value of a (k is clamped to [1, len(a)]); a is not
// modified. The
// k-th smallest of every 8th entry is an upper bound T₀ on it (a subset's order statistics
// are not smaller), so it is also the k-th smallest of the entries ≤ T₀, usually about 8k of
// them; selecting there costs one comparison per entry plus two small selections.
func (s *Solver) kthSmallest(a []float64, k int) float64 {
	n := len(a)
	k = max(1, min(k, n))
	if k >= n/8 || n < 64 {
		sel := append(s.sbuf[:0], a...)
		s.sbuf = sel
		return quickselect(sel, k-1)
	}
	sel := s.sbuf[:0]
	for j := 0; j < n; j += 8 {
		sel = append(sel, a[j])
	}
	t0 := quickselect(sel, k-1)
	sel = sel[:0]
	for _, x := range a {
		if x <= t0 {
			sel = append(sel, x)
		}
	}
	s.sbuf = sel
	return quickselect(sel, k-1)
}

// quickselect reorders a so that a[n] is the value of rank n (0-based) in sorted order, and
// returns it (Hoare partitioning, median-of-three pivots; deterministic).
func quickselect(a []float64, n int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return a[n]
		}
	}
	return a[n]
}

// Heap entry priorities at equal distance: free columns first (they end the search), then
// assigned columns, then row-expansion events.
const (
	priFree = iota
	priAssigned
	priEvent
)

// augmentLazy is one exact shortest-augmenting-path search from the free row start over the
// candidate lists with lazy row expansion (see SolveSparse).
func (s *Solver) augmentLazy(cost []float64, m, start int) error {
	for _, j := range s.touched {
		s.spc[j] = math.Inf(1)
		s.done[j] = false
	}
	s.touched = s.touched[:0]
	s.rowsSeen = s.rowsSeen[:0]
	s.colsSeen = s.colsSeen[:0]
	s.expandedRows = s.expandedRows[:0]
	pq := &s.lheap
	pq.e = pq.e[:0]
	i, di := start, 0.0
	minVal := 0.0
	sink := -1
	for sink < 0 {
		s.rowsSeen = append(s.rowsSeen, i)
		s.rowDist = append(s.rowDist[:len(s.rowsSeen)-1], di)
		if s.kRow[i] == 0 {
			s.kRow[i] = s.k0
			s.refreshRow(cost, m, i, false) // once per row: not charged to the search
		}
		base := di - s.u[i]
		ac := s.adjCost[i]
		for p, jj := range s.adj[i] {
			s.relax(int(jj), base+ac[p]-s.v[jj], i)
		}
		s.lazyCost += float64(len(s.adj[i]))
		if b := s.bound[i]; !math.IsInf(b, 1) {
			pq.push(lentry{val: di + b - s.u[i], id: int32(-1 - (len(s.rowsSeen) - 1)), pri: priEvent})
		}
		// Pop the nearest unfinished column, expanding rows whose event comes first.
		j := -1
		for len(pq.e) > 0 {
			e := pq.pop()
			if e.id < 0 {
				pos := int(-1 - e.id)
				r := s.rowsSeen[pos]
				s.expanded[r] = true
				s.expandedRows = append(s.expandedRows, r)
				rrow := cost[r*m : (r+1)*m]
				rbase := s.rowDist[pos] - s.u[r]
				for c, cv := range rrow {
					if !s.done[c] {
						s.relax(c, rbase+cv-s.v[c], r)
					}
				}
				s.lazyCost += costExpand * float64(m)
				s.expansions++
				continue
			}
			if c := int(e.id); !s.done[c] && e.val == s.spc[c] {
				j = c
				break
			}
		}
		if j < 0 {
			return errInfeasible
		}
		minVal = s.spc[j]
		s.done[j] = true
		s.colsSeen = append(s.colsSeen, j)
		if s.row4col[j] < 0 {
			sink = j
		} else {
			i, di = s.row4col[j], minVal
		}
	}
	s.finishPath(start, sink, minVal)
	for _, r := range s.expandedRows {
		s.expanded[r] = false
		s.kRow[r] = min(kGrow*s.kRow[r], m)
		s.refreshRow(cost, m, r, false)
		s.lazyCost += costRefresh * float64(m)
	}
	return nil
}

// costPush is the cost of a heap entry (push, pop and the scattered reads around it) in
// units of one column of a dense row scan. Measured at m = 2000 on the cases of
// BenchmarkW1Cases: 15 keeps curves and grids lazy too long, 40 leaves the uniform cases
// too early; 25 was within 5% of the better of the two on every case.
const costPush = 25

// costExpand and costRefresh are the costs per column of scanning a row in full inside a
// lazy search (with heap pushes of the improved columns) and of rebuilding its list.
const (
	costExpand  = 1.5
	costRefresh = 1.5
)

// kGrow multiplies the candidate list length of a row each time a search scans it in full.
const kGrow = 2

// relax lowers the tentative distance of column j to d through row i, if that is shorter.
func (s *Solver) relax(j int, d float64, i int) {
	if d < s.spc[j] && !s.done[j] {
		if math.IsInf(s.spc[j], 1) {
			s.touched = append(s.touched, j)
		}
		s.spc[j] = d
		s.path[j] = i
		pri := int8(priAssigned)
		if s.row4col[j] < 0 {
			pri = priFree
		}
		s.lheap.push(lentry{val: d, id: int32(j), pri: pri})
		s.lazyCost += costPush
	}
}

// lentry is a heap entry: a column (id ≥ 0) at tentative distance val, or the expansion
// event of the row scanned at position −1 − id of the search, with key val.
type lentry struct {
	val float64
	id  int32
	pri int8
}

func (a lentry) less(b lentry) bool { return a.val < b.val || (a.val == b.val && a.pri < b.pri) }

// lheap is a binary min-heap of lentry, with lazy deletion of stale column entries.
type lheap struct{ e []lentry }

func (h *lheap) push(x lentry) {
	h.e = append(h.e, x)
	e := h.e
	c := len(e) - 1
	for c > 0 {
		p := (c - 1) / 2
		if !x.less(e[p]) {
			break
		}
		e[c] = e[p]
		c = p
	}
	e[c] = x
}

func (h *lheap) pop() lentry {
	e := h.e
	top := e[0]
	n := len(e) - 1
	x := e[n]
	h.e = e[:n]
	e = e[:n]
	p := 0
	for {
		c := 2*p + 1
		if c >= n {
			break
		}
		if c+1 < n && e[c+1].less(e[c]) {
			c++
		}
		if !e[c].less(x) {
			break
		}
		e[p] = e[c]
		p = c
	}
	if n > 0 {
		e[p] = x
	}
	return top
}
