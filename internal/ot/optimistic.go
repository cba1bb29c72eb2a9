package ot

import "math"

// optimisticPhase is the first phase of SolveSparse. It matches rows by shortest augmenting
// paths restricted to candidate pairs — each row's k cheapest entries (all entries tied with
// the k-th) and each column's cheapest entry — ignoring every other pair, as if the
// restricted problem were the whole one. Rows whose search finds no free column over the
// candidates stay free. Like the lazy phase it stops when its searches cost more than
// dense ones would (see solveLazy).
//
// The restricted duals may violate c_ij − u_i − v_j ≥ 0 on pairs outside the candidates, so
// the phase ends with one pass over all m² entries that restores the invariant of the exact
// phases: u_i = min_j (c_ij − v_j) for every row whose reduced costs are not all ≥ 0 (and
// for free rows), and such a row loses its column, whose reduced cost is then positive. Rows
// whose certificate already holds keep their tight pair. On samples spread over a region few
// rows are violated (about 9% of them for uniform points in the plane at m = 2000, k = 32),
// and the exact phases only redo those. On samples near a line most rows are (78% on the
// sine curve at m = 2000): when more than half of the matched rows violate the certificate,
// the phase reports false and the caller starts the exact phases from column reduction
// instead, which measured faster than repairing.
func (s *Solver) optimisticPhase(cost []float64, m, k int) bool {
	// s.path holds each column's cheapest row after columnReduction; s.v the column minima
	// (feasible for every pair), u = 0, and the greedy matching of tight pairs.
	colArg := s.path[:m]
	thr := s.bound // scratch: each row's threshold T_i, then +Inf (no expansion events)
	for i := 0; i < m; i++ {
		row := cost[i*m : (i+1)*m]
		t := s.kthSmallest(row, k)
		adj, ac := s.adj[i][:0], s.adjCost[i][:0]
		for j, c := range row {
			if c <= t {
				adj = append(adj, int32(j))
				ac = append(ac, c)
			}
		}
		s.adj[i], s.adjCost[i] = adj, ac
		s.kRow[i] = k
		thr[i] = t
	}
	for j, i := range colArg {
		if c := cost[i*m+j]; !(c <= thr[i]) {
			s.adj[i] = append(s.adj[i], int32(j))
			s.adjCost[i] = append(s.adjCost[i], c)
		}
	}
	for i := range thr {
		thr[i] = math.Inf(1)
	}
	var avgLazy, avgDense float64
	for i := 0; i < m; i++ {
		if s.col4row[i] >= 0 {
			continue
		}
		s.lazyCost = 0
		_ = s.augmentLazy(cost, m, i) // an error: no free column over the candidates; the row is left to the exact phases
		r := float64(len(s.rowsSeen))
		avgLazy += (s.lazyCost - avgLazy) / 8
		avgDense += (r*float64(m) - avgDense) / 8
		if avgLazy > avgDense {
			break
		}
	}
	// Restore r ≥ 0 on all pairs, unless most matched rows violate it.
	g := s.wbuf[:m]
	matched, bad := 0, 0
	for i := 0; i < m; i++ {
		row := cost[i*m : (i+1)*m]
		v := s.v[:len(row)]
		gi := math.Inf(1)
		for j, c := range row {
			gi = math.Min(gi, c-v[j])
		}
		g[i] = gi
		if s.col4row[i] >= 0 {
			matched++
			if gi < s.u[i] {
				bad++
			}
		}
	}
	if 2*bad > matched {
		return false
	}
	for i := 0; i < m; i++ {
		g := g[i]
		if j := s.col4row[i]; j >= 0 && g >= s.u[i] {
			continue
		} else if j >= 0 {
			s.col4row[i], s.row4col[j] = -1, -1
		}
		if math.IsInf(g, 1) {
			g = 0 // a row without a finite entry: infeasible, reported by the exact phases
		}
		s.u[i] = g
		s.kRow[i] = 0
	}
	return true
}
