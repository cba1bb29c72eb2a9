package ot

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// forEachLevel runs f with the row-scan kernels of each level this CPU and build support
// (AVX-512, AVX2, portable), whatever SDEML_CPU selected, and restores the selection.
func forEachLevel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	have512, have2 := useAVX512, useAVX2
	defer func() { useAVX512, useAVX2 = have512, have2 }()
	for _, l := range []struct {
		name             string
		ok, avx512, avx2 bool
	}{
		{"avx512", have512, true, true},
		{"avx2", have2, false, true},
		{"portable", true, false, false},
	} {
		if !l.ok {
			continue
		}
		useAVX512, useAVX2 = l.avx512, l.avx2
		t.Run(l.name, f)
	}
}

// scanInput draws one row scan with many ties: values from {0, 1, 2} half of the time,
// +Inf costs, finalised columns (v = −Inf, spc = +Inf, assigned) and free columns.
func scanInput(rng *rand.Rand, n int) (row, v, spc []float64, path, free []int32, base float64) {
	val := func() float64 {
		if rng.IntN(2) == 0 {
			return float64(rng.IntN(3))
		}
		return rng.NormFloat64()
	}
	row, v, spc = make([]float64, n), make([]float64, n), make([]float64, n)
	path, free = make([]int32, n), make([]int32, n)
	for j := 0; j < n; j++ {
		row[j], v[j], spc[j], path[j] = val(), val(), val(), int32(rng.IntN(1000))
		if rng.IntN(8) == 0 {
			row[j] = math.Inf(1)
		}
		if rng.IntN(4) == 0 {
			spc[j] = math.Inf(1)
		}
		if rng.IntN(4) == 0 {
			free[j] = -1
		}
		if rng.IntN(5) == 0 { // finalised
			v[j], spc[j], free[j] = math.Inf(-1), math.Inf(1), 0
		}
	}
	return row, v, spc, path, free, val()
}

// TestScanRowKernels checks each kernel against the scalar loop bit for bit: the new
// distances, the predecessors and the returned (lowest, index), including the choice
// among tied columns (the last free one, else the first), on lengths that leave every
// tail length of the 4- and 8-wide blocks.
func TestScanRowKernels(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		var lanes scanLanes
		for rep := 0; rep < 3000; rep++ {
			n := rep % 41
			if rep%100 == 99 {
				n = 500 + rep%8
			}
			row, v, spc, path, free, base := scanInput(rng, n)
			spc2, path2 := slices.Clone(spc), slices.Clone(path)
			wantLow, wantIdx := scanRowGo(row, v, spc2, path2, free, base, 12345, 0, math.Inf(1), -1)
			low, idx := scanRow(row, v, spc, path, free, base, 12345, &lanes)
			if idx != wantIdx || math.Float64bits(low) != math.Float64bits(wantLow) {
				t.Fatalf("rep %d n=%d: (lowest, index) = (%v, %d), scalar (%v, %d)", rep, n, low, idx, wantLow, wantIdx)
			}
			for j := range spc {
				if math.Float64bits(spc[j]) != math.Float64bits(spc2[j]) || path[j] != path2[j] {
					t.Fatalf("rep %d n=%d column %d: spc %v path %d, scalar %v %d", rep, n, j, spc[j], path[j], spc2[j], path2[j])
				}
			}
		}
	})
}

// TestScanTieRule pins the tie rule on hand-made rows: equal distances go to the last free
// column, else to the first; a strictly lower distance wins over a free tie.
func TestScanTieRule(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		var lanes scanLanes
		for _, tc := range []struct {
			n     int
			set   map[int]float64 // row entries (others 5)
			free  []int
			index int
		}{
			{19, map[int]float64{3: 1, 11: 1, 17: 1}, nil, 3},
			{19, map[int]float64{3: 1, 11: 1, 17: 1}, []int{11}, 11},
			{19, map[int]float64{3: 1, 11: 1, 17: 1}, []int{3, 11}, 11},
			{19, map[int]float64{3: 1, 11: 1, 17: 1}, []int{3, 17}, 17},
			{19, map[int]float64{3: 1, 11: 0.5, 17: 1}, []int{3, 17}, 11},
			{24, map[int]float64{0: 2, 8: 2, 16: 2}, []int{0, 8}, 8},
			{24, map[int]float64{1: 2, 2: 2, 23: 2}, nil, 1},
		} {
			row, v, spc := make([]float64, tc.n), make([]float64, tc.n), make([]float64, tc.n)
			path, free := make([]int32, tc.n), make([]int32, tc.n)
			for j := range row {
				row[j], spc[j] = 5, math.Inf(1)
			}
			for j, c := range tc.set {
				row[j] = c
			}
			for _, j := range tc.free {
				free[j] = -1
			}
			if _, idx := scanRow(row, v, spc, path, free, 0, 1, &lanes); idx != tc.index {
				t.Errorf("row %v free %v: index %d, want %d", tc.set, tc.free, idx, tc.index)
			}
		}
	})
}

// TestSolveLevelsIdentical solves the benchmark cases (m = 150, with ties on the grids) and
// integer costs at every kernel level: the searches make the same choices, so the
// assignment, the total and the duals are bit for bit those of the portable level, and
// each passes the optimality certificate.
func TestSolveLevelsIdentical(t *testing.T) {
	const m = 150
	rng := rand.New(rand.NewPCG(3, 3))
	costs := [][]float64{}
	for idx, c := range otCases {
		x, y := caseSamples(c, idx, m)
		costs = append(costs, costMatrix(x, y, c.dim))
	}
	ints := make([]float64, m*m)
	for k := range ints {
		ints[k] = float64(rng.IntN(5))
	}
	costs = append(costs, ints)
	type result struct {
		perm    []int
		total   float64
		u, v    []float64
		sparseT float64
	}
	var ref []result
	forEachLevel(t, func(t *testing.T) {
		var s Solver
		for k, cost := range costs {
			perm := make([]int, m)
			total, err := s.Solve(perm, cost, m)
			if err != nil {
				t.Fatal(err)
			}
			checkCertificate(t, &s, perm, cost, m, total)
			u, v := s.Duals()
			perm2 := make([]int, m)
			st, err := s.solveLazy(perm2, cost, m, 4)
			if err != nil {
				t.Fatal(err)
			}
			checkCertificate(t, &s, perm2, cost, m, st)
			r := result{perm, total, slices.Clone(u), slices.Clone(v), st}
			if len(ref) <= k {
				ref = append(ref, r)
				continue
			}
			w := ref[k]
			if !slices.Equal(r.perm, w.perm) || r.total != w.total || !slices.Equal(r.u, w.u) || !slices.Equal(r.v, w.v) || r.sparseT != w.sparseT {
				t.Errorf("cost %d: result differs from the first level's (total %v vs %v)", k, r.total, w.total)
			}
		}
	})
}

// BenchmarkScanRow times one row scan of m = 2000 columns (a fifth finalised) at each kernel
// level; ns/op ÷ 2000 is the cost per column of the dense search.
func BenchmarkScanRow(b *testing.B) {
	have512, have2 := useAVX512, useAVX2
	defer func() { useAVX512, useAVX2 = have512, have2 }()
	rng := rand.New(rand.NewPCG(9, 9))
	row, v, spc, path, free, base := scanInput(rng, 2000)
	for _, l := range []struct {
		name             string
		ok, avx512, avx2 bool
	}{{"avx512", have512, true, true}, {"avx2", have2, false, true}, {"portable", true, false, false}} {
		if !l.ok {
			continue
		}
		useAVX512, useAVX2 = l.avx512, l.avx2
		b.Run(l.name, func(b *testing.B) {
			var lanes scanLanes
			for b.Loop() {
				scanRow(row, v, spc, path, free, base, 1, &lanes)
			}
		})
	}
}
