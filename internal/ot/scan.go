package ot

import "math"

// The row scan of a dense shortest-augmenting-path search (Solver.augment) in a
// structure-of-arrays layout: for every column j of the row, with the working dual v_j
// (−Inf once the column is finalised), the tentative distance spc_j (+Inf once finalised)
// and free_j (−1 if the column is unassigned, else 0),
//
//	r_j = (base + c_ij) − v_j;  if r_j < spc_j { spc_j = r_j; path_j = i }
//
// and the lowest spc_j with its column, scanning j upwards: a column replaces the current
// one if its distance is strictly lower, or equal and the column is free. A finalised
// column has r_j = +Inf and is never chosen (it is not free). The SIMD kernels of
// scan_amd64.s (AVX-512) and scan_avx2_amd64.s (AVX2) compute exactly this, lane by lane,
// and scanRow merges the lanes. Without a kernel, augment keeps its own loop over a list of
// the open columns, which is faster in scalar code than a scan of all m columns.

// scanRowGo is the scan in plain Go, continuing from the state (lowest, index) of columns
// before row[0]; off is the column number of row[0]. It is the reference of the kernels
// (the tests) and runs the columns after their last whole block.
func scanRowGo(row, v, spc []float64, path, free []int32, base float64, i int32, off int, lowest float64, index int) (float64, int) {
	v, spc, path, free = v[:len(row)], spc[:len(row)], path[:len(row)], free[:len(row)]
	for j, c := range row {
		d := spc[j]
		if r := base + c - v[j]; r < d {
			d = r
			spc[j] = r
			path[j] = i
		}
		if d < lowest || (d == lowest && free[j] != 0) {
			lowest, index = d, off+j
		}
	}
	return lowest, index
}

// scanLanes is the per-lane state a kernel returns: lane l has seen the columns j ≡ l
// (mod its width) of the block and holds their lowest distance and its column by the same
// rule (−1 if no column of the lane was chosen).
type scanLanes struct {
	low [16]float64
	idx [16]int64
}

// merge returns the state (lowest, index) of a sequential scan over the block from the
// first w lanes: the lowest value over the lanes, and, among the lanes holding it, the
// highest free column if there is one (the sequential rule keeps the last free column of
// the lowest value), else the lowest column (it keeps the first). The value returned is the
// chosen lane's, so that it is bit for bit the sequential one (±0).
func (l *scanLanes) merge(w int, free []int32) (float64, int) {
	lowest := l.low[0]
	for k := 1; k < w; k++ {
		if l.low[k] < lowest {
			lowest = l.low[k]
		}
	}
	bestFree, first, lf, l1 := -1, -1, 0, 0
	for k := 0; k < w; k++ {
		j := int(l.idx[k])
		if l.low[k] != lowest || j < 0 {
			continue
		}
		if free[j] != 0 {
			if j > bestFree {
				bestFree, lf = j, k
			}
		} else if first < 0 || j < first {
			first, l1 = j, k
		}
	}
	switch {
	case bestFree >= 0:
		return l.low[lf], bestFree
	case first >= 0:
		return l.low[l1], first
	}
	return lowest, -1
}

// scanRow runs the scan of row (columns 0 … len(row)−1) with the best kernel of the active
// level, starting from the state (+Inf, −1).
func scanRow(row, v, spc []float64, path, free []int32, base float64, i int32, lanes *scanLanes) (float64, int) {
	n := len(row)
	var w int
	switch {
	case useAVX512 && n >= 16:
		w = 16
		n &^= 15
		scanAVX512(row[:n], v[:n], spc[:n], path[:n], free[:n], base, int(i), lanes)
	case useAVX2 && n >= 8:
		w = 8
		n &^= 7
		scanAVX2(row[:n], v[:n], spc[:n], path[:n], free[:n], base, int(i), lanes)
	default:
		return scanRowGo(row, v, spc, path, free, base, i, 0, math.Inf(1), -1)
	}
	lowest, index := lanes.merge(w, free)
	return scanRowGo(row[n:], v[n:], spc[n:], path[n:], free[n:], base, i, n, lowest, index)
}

// augmentSIMD is augment with the row scans of scanRow: the same search, the same choices
// (scanRow follows the scalar loop's order and tie rule exactly), over all m columns in
// the structure-of-arrays layout, finalised columns masked by v = −Inf and spc = +Inf.
func (s *Solver) augmentSIMD(cost []float64, m int, start int) error {
	wv, wspc, wpath, wfree := s.wv[:m], s.wspc[:m], s.wpath[:m], s.wfree[:m]
	copy(wv, s.v[:m])
	r4c := s.row4col[:m]
	for j := range wspc {
		wspc[j] = math.Inf(1)
		wfree[j] = 0
		if r4c[j] < 0 {
			wfree[j] = -1
		}
	}
	s.rowsSeen = s.rowsSeen[:0]
	s.colsSeen = s.colsSeen[:0]
	i := start
	minVal := 0.0
	sink := -1
	for sink < 0 {
		s.rowsSeen = append(s.rowsSeen, i)
		row := cost[i*m : (i+1)*m]
		lowest, j := scanRow(row, wv, wspc, wpath, wfree, minVal-s.u[i], int32(i), &s.lanes)
		if j < 0 || math.IsInf(lowest, 1) {
			return errInfeasible
		}
		minVal = lowest
		s.spc[j] = lowest
		s.path[j] = int(wpath[j])
		wv[j], wspc[j] = math.Inf(-1), math.Inf(1)
		s.colsSeen = append(s.colsSeen, j)
		if r4c[j] < 0 {
			sink = j
		} else {
			i = r4c[j]
		}
	}
	s.finishPath(start, sink, minVal)
	return nil
}
