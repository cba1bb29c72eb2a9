package ot

import (
	"container/heap"
	"fmt"
	"math"
)

// SolveSparse returns the same optimal assignment value as Solve, usually much faster for
// large m when optimal pairs are among each row's k cheapest entries (e.g. Euclidean costs
// between two samples of one law). It solves the problem restricted to candidate pairs —
// the k cheapest entries of each row and the cheapest entry of each column — by shortest
// augmenting paths with a binary heap, and then checks the dual certificate
// c_ij − u_i − v_j ≥ −tol on all m² entries (tol = 1e-13·(1 + |c_ij|), rounding level).
// Each row with a violated entry gains those entries as candidates, loses its assignment,
// has its dual reset to min_j (c_ij − v_j) over its candidates (which keeps all reduced
// costs ≥ 0), and is re-augmented; this repeats until the certificate holds, so the result
// is optimal for the full matrix. A free row from which no free column is reachable over
// the candidates gets all columns as candidates. After 2 + m/256 such rows, or more than
// maxRepairs repair rounds, SolveSparse starts again with 4k candidates, and once k would
// reach m/2 it hands the problem to Solve. Costs must be finite; errors and panics are
// those of Solve.
func (s *Solver) SolveSparse(perm []int, cost []float64, m, k int) (float64, error) {
	if m < 0 || len(cost) != m*m || len(perm) != m {
		panic(fmt.Sprintf("ot: SolveSparse: need len(cost) = m² and len(perm) = m, have m = %d, len(cost) = %d, len(perm) = %d", m, len(cost), len(perm)))
	}
	for idx, c := range cost {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return math.NaN(), fmt.Errorf("ot: SolveSparse: cost[%d] = %v", idx, c)
		}
	}
	if k < 1 {
		k = 1
	}
	// Retry with 4× the candidates when the repair budget runs out (data on a line, say,
	// where optimal partners are ~√m ranks apart), then fall back to the dense solver.
	for ; k < m/2; k *= 4 {
		if total, ok := s.trySparse(perm, cost, m, k); ok {
			return total, nil
		}
	}
	return s.Solve(perm, cost, m)
}

// trySparse runs the candidate-restricted solve with k candidates per row and the
// verify-and-repair loop. It reports false, leaving perm unspecified, when more than
// 2 + m/256 rows needed full rows or more than maxRepairs repair rounds were needed.
func (s *Solver) trySparse(perm []int, cost []float64, m, k int) (float64, bool) {
	s.resize(m)
	s.buildCandidates(cost, m, k)
	// Initial duals: v_j = min over candidate rows of c_ij, u = 0; greedy tight matching.
	for j := 0; j < m; j++ {
		s.v[j] = math.Inf(1)
		s.row4col[j] = -1
	}
	for i := 0; i < m; i++ {
		s.u[i] = 0
		s.col4row[i] = -1
		for _, j := range s.adj[i] {
			if c := cost[i*m+int(j)]; c < s.v[j] {
				s.v[j] = c
			}
		}
	}
	for i := 0; i < m; i++ {
		for _, j := range s.adj[i] {
			if s.row4col[j] < 0 && cost[i*m+int(j)] == s.v[j] {
				s.row4col[j] = i
				s.col4row[i] = int(j)
				break
			}
		}
	}
	if cap(s.done) < m {
		s.done = make([]bool, m)
	}
	s.done = s.done[:m]
	for j := 0; j < m; j++ {
		s.done[j] = false
		s.spc[j] = math.Inf(1)
	}
	s.touched = s.touched[:0]
	s.colsSeen = s.colsSeen[:0]
	fullRows, repairs := 0, 0
	for {
		for i := 0; i < m; i++ {
			if s.col4row[i] >= 0 {
				continue
			}
			if !s.augmentSparse(cost, m, i) {
				// No free column is reachable over the candidates: make every column a
				// candidate of this (free) row, lower its dual to keep the reduced costs
				// ≥ 0, and search again, which must succeed. If that happens often, the
				// candidates are too few and the dense solver is faster.
				fullRows++
				if fullRows > 2+m/256 {
					return math.NaN(), false
				}
				row := cost[i*m : (i+1)*m]
				s.adj[i] = s.adj[i][:0]
				u := math.Inf(1)
				for j := range row {
					s.adj[i] = append(s.adj[i], int32(j))
					u = math.Min(u, row[j]-s.v[j])
				}
				s.u[i] = u
				if !s.augmentSparse(cost, m, i) {
					return math.NaN(), false // cannot happen with a full row; let Solve decide
				}
			}
		}
		if s.repairViolations(cost, m) == 0 {
			break
		}
		if repairs++; repairs > maxRepairs {
			return math.NaN(), false
		}
	}
	var total float64
	for i := 0; i < m; i++ {
		perm[i] = s.col4row[i]
		total += cost[i*m+perm[i]]
	}
	return total, true
}

// buildCandidates sets adj[i] to the k cheapest columns of row i plus every column whose
// cheapest row is i.
func (s *Solver) buildCandidates(cost []float64, m, k int) {
	if cap(s.adj) < m {
		s.adj = make([][]int32, m)
	}
	s.adj = s.adj[:m]
	colMin := s.spc // scratch: cheapest entry of each column
	colArg := s.path
	for j := 0; j < m; j++ {
		colMin[j] = math.Inf(1)
	}
	h := &s.knn
	for i := 0; i < m; i++ {
		row := cost[i*m : (i+1)*m]
		h.idx = h.idx[:0]
		h.val = h.val[:0]
		for j, c := range row {
			if c < colMin[j] {
				colMin[j] = c
				colArg[j] = i
			}
			if len(h.idx) < k {
				h.idx = append(h.idx, int32(j))
				h.val = append(h.val, c)
				if len(h.idx) == k {
					heap.Init(h)
				}
			} else if c < h.val[0] {
				h.idx[0], h.val[0] = int32(j), c
				heap.Fix(h, 0)
			}
		}
		s.adj[i] = append(s.adj[i][:0], h.idx...)
	}
	for j := 0; j < m; j++ {
		i := colArg[j]
		if !s.hasEdge(i, j) {
			s.adj[i] = append(s.adj[i], int32(j))
		}
	}
}

// hasEdge reports whether column j is a candidate of row i (linear scan; rows are short).
func (s *Solver) hasEdge(i, j int) bool {
	for _, c := range s.adj[i] {
		if int(c) == j {
			return true
		}
	}
	return false
}

// augmentSparse is augment over the candidate pairs, with a binary heap of tentative
// distances (lazy deletion). It reports false if no free column is reachable.
func (s *Solver) augmentSparse(cost []float64, m int, start int) bool {
	// Reset the marks of the previous search (its touched columns include all it finalised).
	for _, j := range s.touched {
		s.spc[j] = math.Inf(1)
		s.done[j] = false
	}
	s.touched = s.touched[:0]
	s.rowsSeen = s.rowsSeen[:0]
	s.colsSeen = s.colsSeen[:0]
	pq := &s.pq
	pq.idx, pq.val = pq.idx[:0], pq.val[:0]
	i := start
	minVal := 0.0
	sink := -1
	for sink < 0 {
		s.rowsSeen = append(s.rowsSeen, i)
		base := minVal - s.u[i]
		row := cost[i*m : (i+1)*m]
		for _, jj := range s.adj[i] {
			j := int(jj)
			if s.done[j] {
				continue
			}
			if r := base + row[j] - s.v[j]; r < s.spc[j] {
				if math.IsInf(s.spc[j], 1) {
					s.touched = append(s.touched, j)
				}
				s.spc[j] = r
				s.path[j] = i
				pq.push(int32(j), r)
			}
		}
		// Pop the nearest unfinished column.
		j := -1
		for len(pq.idx) > 0 {
			c, d := pq.pop()
			if !s.done[c] && d == s.spc[c] {
				j = int(c)
				break
			}
		}
		if j < 0 {
			return false
		}
		minVal = s.spc[j]
		s.done[j] = true
		s.colsSeen = append(s.colsSeen, j)
		if s.row4col[j] < 0 {
			sink = j
		} else {
			i = s.row4col[j]
		}
	}
	s.finishPath(start, sink, minVal)
	return true
}

// repairViolations checks c_ij − u_i − v_j ≥ −tol on every entry. Each row with violated
// entries gains them as candidates, is unassigned, and gets u_i = min over its candidates of
// c_ij − v_j. It returns the number of such rows.
func (s *Solver) repairViolations(cost []float64, m int) int {
	bad := 0
	for i := 0; i < m; i++ {
		row := cost[i*m : (i+1)*m]
		ui := s.u[i]
		added := false
		for j, c := range row {
			if c-ui-s.v[j] < -1e-13*(1+math.Abs(c)) && !s.hasEdge(i, j) {
				s.adj[i] = append(s.adj[i], int32(j))
				added = true
			}
		}
		if !added {
			continue
		}
		bad++
		if j := s.col4row[i]; j >= 0 {
			s.row4col[j] = -1
			s.col4row[i] = -1
		}
		u := math.Inf(1)
		for _, j := range s.adj[i] {
			u = math.Min(u, row[j]-s.v[j])
		}
		s.u[i] = u
	}
	return bad
}

// maxRepairs bounds the verify-and-repair rounds of SolveSparse before it hands the problem to
// Solve (each round costs a pass over all m² entries).
const maxRepairs = 4

// distHeap is a binary min-heap of (column, tentative distance) pairs, with lazy deletion of
// stale entries by the caller.
type distHeap struct {
	idx []int32
	val []float64
}

// push adds column j at distance d.
func (h *distHeap) push(j int32, d float64) {
	h.idx = append(h.idx, j)
	h.val = append(h.val, d)
	for c := len(h.idx) - 1; c > 0; {
		p := (c - 1) / 2
		if h.val[p] <= h.val[c] {
			break
		}
		h.idx[p], h.idx[c] = h.idx[c], h.idx[p]
		h.val[p], h.val[c] = h.val[c], h.val[p]
		c = p
	}
}

// pop removes and returns the entry with the smallest distance.
func (h *distHeap) pop() (int32, float64) {
	j, d := h.idx[0], h.val[0]
	n := len(h.idx) - 1
	h.idx[0], h.val[0] = h.idx[n], h.val[n]
	h.idx, h.val = h.idx[:n], h.val[:n]
	for p := 0; ; {
		c := 2*p + 1
		if c >= n {
			break
		}
		if c+1 < n && h.val[c+1] < h.val[c] {
			c++
		}
		if h.val[p] <= h.val[c] {
			break
		}
		h.idx[p], h.idx[c] = h.idx[c], h.idx[p]
		h.val[p], h.val[c] = h.val[c], h.val[p]
		p = c
	}
	return j, d
}

// maxHeap is a binary max-heap of (column, cost) used to select each row's k cheapest entries.
type maxHeap struct {
	idx []int32
	val []float64
}

func (h *maxHeap) Len() int           { return len(h.idx) }
func (h *maxHeap) Less(a, b int) bool { return h.val[a] > h.val[b] }
func (h *maxHeap) Swap(a, b int) {
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
	h.val[a], h.val[b] = h.val[b], h.val[a]
}
func (h *maxHeap) Push(x any) { panic("ot: maxHeap.Push is not used") }
func (h *maxHeap) Pop() any   { panic("ot: maxHeap.Pop is not used") }
