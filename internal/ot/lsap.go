package ot

import (
	"errors"
	"fmt"
	"math"
)

// Solver solves square linear sum assignment problems min_π Σᵢ c[i, π(i)] by shortest
// augmenting paths. The zero value is ready to use; a Solver reuses its workspace across
// calls, so solving repeatedly at one size allocates nothing. A Solver is not safe for
// concurrent use.
type Solver struct {
	u, v     []float64 // dual variables of rows and columns: c_ij − u_i − v_j ≥ 0
	spc      []float64 // shortest-path cost to each column in the current search
	path     []int     // predecessor row of each column on the shortest-path tree
	col4row  []int
	row4col  []int
	live     []int32    // columns still open in a dense search, increasing
	cs       []colState // per-column state of a dense search
	rowsSeen []int      // rows scanned by the current search, in order
	colsSeen []int      // columns finalised by the current search, in order
	// Structure-of-arrays state of a dense search with a SIMD kernel (scan.go): working
	// duals (−Inf once finalised), tentative distances (+Inf once finalised), predecessor
	// rows, free flags (−1 free, 0 assigned), and the kernel's lane state.
	wv, wspc     []float64
	wpath, wfree []int32
	lanes        scanLanes
	// SolveSparse state (lazy.go).
	adj          [][]int32   // candidate columns of each row
	adjCost      [][]float64 // their costs, contiguous (the matrix row is not read)
	bound        []float64   // lower bound of c_ij − v_j over each row's other columns
	kRow         []int       // candidate list length of each row (0: not built yet)
	k0           int         // initial list length
	wbuf, sbuf   []float64   // scratch of refreshRow
	lheap        lheap       // Dijkstra heap of a search
	done         []bool      // columns finalised by the current search
	expanded     []bool      // rows scanned in full by the current search
	expandedRows []int
	rowDist      []float64 // distance at which each row of rowsSeen was reached
	touched      []int     // columns with a finite tentative distance in the current search
	lazyCost     float64   // cost estimate of the current lazy search
	expansions   int       // rows scanned in full by lazy searches (diagnostics)
}

// errInfeasible reports a cost matrix with no finite assignment.
var errInfeasible = errors.New("ot: assignment problem is infeasible (+Inf costs)")

// resize prepares the workspace for an m×m problem.
func (s *Solver) resize(m int) {
	if cap(s.u) < m {
		s.u = make([]float64, m)
		s.v = make([]float64, m)
		s.spc = make([]float64, m)
		s.path = make([]int, m)
		s.col4row = make([]int, m)
		s.row4col = make([]int, m)
		s.cs = make([]colState, m)
		s.live = make([]int32, m)
		s.rowsSeen = make([]int, 0, m)
		s.colsSeen = make([]int, 0, m)
		s.wv = make([]float64, m)
		s.wspc = make([]float64, m)
		s.wpath = make([]int32, m)
		s.wfree = make([]int32, m)
	}
	s.u, s.v, s.spc = s.u[:m], s.v[:m], s.spc[:m]
	s.path, s.col4row, s.row4col = s.path[:m], s.col4row[:m], s.row4col[:m]
}

// Solve finds a permutation π minimising Σᵢ cost[i·m + π(i)] for the row-major m×m matrix
// cost, writes π(i) into perm[i] and returns the minimal total. Costs may be any finite
// numbers (+Inf marks a forbidden pair). It returns an error if cost holds a NaN or −Inf, or
// if no finite assignment exists; it panics (prefix "ot:") if len(cost) ≠ m² or
// len(perm) ≠ m.
func (s *Solver) Solve(perm []int, cost []float64, m int) (float64, error) {
	if m < 0 || len(cost) != m*m || len(perm) != m {
		panic(fmt.Sprintf("ot: Solve: need len(cost) = m² and len(perm) = m, have m = %d, len(cost) = %d, len(perm) = %d", m, len(cost), len(perm)))
	}
	if m == 0 {
		return 0, nil
	}
	s.resize(m)
	if k := s.columnReduction(cost, m); k >= 0 {
		return math.NaN(), fmt.Errorf("ot: Solve: cost[%d] = %v", k, cost[k])
	}
	for i := 0; i < m; i++ {
		if s.col4row[i] >= 0 {
			continue
		}
		if err := s.augment(cost, m, i); err != nil {
			return math.NaN(), err
		}
	}
	var total float64
	for i := 0; i < m; i++ {
		perm[i] = s.col4row[i]
		total += cost[i*m+perm[i]]
	}
	return total, nil
}

// columnReduction sets v_j = min_i c_ij and u = 0 (dual feasible) and assigns each column
// to its minimising row when that row is still free, scanning columns from last to first
// as in Jonker–Volgenant. Assigned pairs then have zero reduced cost. It returns the index
// of the first NaN or −Inf entry of cost (checked in the same pass), or −1; the state is
// then unspecified.
func (s *Solver) columnReduction(cost []float64, m int) int {
	for i := 0; i < m; i++ {
		s.u[i] = 0
		s.col4row[i] = -1
		s.row4col[i] = -1
	}
	// Column minima, accumulated row by row so that the matrix is read contiguously.
	argmin := s.path // scratch; path is rewritten by every search
	copy(s.v, cost[:m])
	for j := range argmin {
		argmin[j] = 0
	}
	negInf := math.Inf(-1)
	for i := 0; i < m; i++ {
		row := cost[i*m : (i+1)*m]
		bad := false
		for j, c := range row {
			if c < s.v[j] {
				s.v[j] = c
				argmin[j] = i
			}
			bad = bad || !(c > negInf) // NaN or −Inf
		}
		if bad {
			for j, c := range row {
				if !(c > negInf) {
					return i*m + j
				}
			}
		}
	}
	for j := m - 1; j >= 0; j-- {
		if math.IsInf(s.v[j], 1) {
			s.v[j] = 0 // a column with no finite entry: infeasible, found by augment
			continue
		}
		if i := argmin[j]; s.col4row[i] < 0 {
			s.col4row[i] = j
			s.row4col[j] = i
		}
	}
	return -1
}

// augment grows the matching by one, from the free row start: a Dijkstra search over
// reduced costs finds the nearest free column (the sink), the duals are updated so that
// every reduced cost stays ≥ 0 and tree edges become tight, and the alternating path is
// flipped. Each scanned row is read along an increasing list of the columns still open, so
// that the reads of the cost row, v and the distances run forward through memory. A
// finalised column is switched off at once by setting its working copy of v to −Inf and its
// tentative distance to +Inf (no path through it can improve or win again), and the list is
// filtered when more than 1/16 of it is switched off: that measured 10–20% faster than
// either a scrambled compacted list (swap-remove) or scanning all m columns. With an
// AVX-512 or AVX2 kernel it runs augmentSIMD instead (scan.go): the same search and
// choices, its row scans vectorised over all m columns.
func (s *Solver) augment(cost []float64, m int, start int) error {
	if useAVX512 || useAVX2 {
		return s.augmentSIMD(cost, m, start)
	}
	cs := s.cs[:m]
	live := s.live[:m]
	for j := range cs {
		cs[j] = colState{v: s.v[j], spc: math.Inf(1)}
		live[j] = int32(j)
	}
	dead := 0
	r4c := s.row4col[:m]
	s.rowsSeen = s.rowsSeen[:0]
	s.colsSeen = s.colsSeen[:0]
	i := start
	minVal := 0.0
	sink := -1
	for sink < 0 {
		s.rowsSeen = append(s.rowsSeen, i)
		row := cost[i*m : (i+1)*m]
		row = row[:len(cs)]
		base := minVal - s.u[i]
		lowest := math.Inf(1)
		index := -1
		i32 := int32(i)
		for _, j := range live {
			c := &cs[j]
			d := c.spc
			if r := base + row[j] - c.v; r < d {
				d = r
				c.spc = r
				c.path = i32
			}
			if d <= lowest {
				if d < lowest || r4c[j] < 0 {
					lowest = d
					index = int(j)
				}
			}
		}
		if index < 0 || math.IsInf(lowest, 1) {
			return errInfeasible
		}
		minVal = lowest
		j := index
		s.spc[j] = lowest
		s.path[j] = int(cs[j].path)
		cs[j].v, cs[j].spc = math.Inf(-1), math.Inf(1)
		s.colsSeen = append(s.colsSeen, j)
		if dead++; dead*16 > len(live) {
			k := 0
			for _, c := range live {
				if !math.IsInf(cs[c].v, -1) {
					live[k] = c
					k++
				}
			}
			live, dead = live[:k], 0
		}
		if r4c[j] < 0 {
			sink = j
		} else {
			i = r4c[j]
		}
	}
	s.finishPath(start, sink, minVal)
	return nil
}

// colState is the working state of one column in a dense search: a copy of its dual v (−Inf
// once finalised), its tentative distance and the row it was last improved from.
type colState struct {
	v, spc float64
	path   int32
}

// finishPath finishes one shortest-augmenting-path search from row start that reached the free
// column sink at reduced distance minVal: it updates the duals of the rows and columns the
// search scanned (Crouse 2016, eq. 12–14) and flips the alternating path from sink back to
// start, which assigns start and keeps every other assigned row assigned.
func (s *Solver) finishPath(start, sink int, minVal float64) {
	s.u[start] += minVal
	for _, r := range s.rowsSeen[1:] {
		s.u[r] += minVal - s.spc[s.col4row[r]]
	}
	for _, c := range s.colsSeen {
		s.v[c] -= minVal - s.spc[c]
	}
	j := sink
	for {
		r := s.path[j]
		s.row4col[j] = r
		j, s.col4row[r] = s.col4row[r], j
		if r == start {
			break
		}
	}
}

// Duals returns the row and column dual variables of the last Solve: u_i + v_j ≤ c_ij for all
// pairs, with equality on the assignment, so Σu + Σv equals the optimal total (an optimality
// certificate). The slices alias the Solver's workspace.
func (s *Solver) Duals() (u, v []float64) { return s.u, s.v }
