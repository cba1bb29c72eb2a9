package sde

import (
	"math"
	"testing"
)

// TestTreeAreaChen: the tree's areas satisfy Chen's relation at split
// points on and between leaves, and do not depend on the order of queries.
func TestTreeAreaChen(t *testing.T) {
	tree, err := NewBrownianTree(5, 3, 0, 1, 1.0/64)
	if err != nil {
		t.Fatal(err)
	}
	whole := func(t0, t1 float64) ([]float64, []float64) {
		dw, a := make([]float64, 3), make([]float64, 3)
		tree.IncrementArea(dw, a, t0, t1)
		return dw, a
	}
	dw, a := whole(0.1, 0.9)
	for _, mid := range []float64{0.25, 0.3, 0.5 + 1.0/128, 0.7} {
		d1, a1 := whole(mid, 0.9) // query the right piece first
		d0, a0 := whole(0.1, mid)
		dc, ac := make([]float64, 3), make([]float64, 3)
		CombineAreas(dc, ac, d0, a0, d1, a1)
		for p := range a {
			if math.Abs(ac[p]-a[p]) > 1e-13 || math.Abs(dc[p]-dw[p]) > 1e-13 {
				t.Errorf("split at %v: (ΔW, A)[%d] = (%v, %v), whole (%v, %v)", mid, p, dc[p], ac[p], dw[p], a[p])
			}
		}
	}
	w0, w1 := make([]float64, 3), make([]float64, 3)
	tree.At(w0, 0.1)
	tree.At(w1, 0.9)
	for i := range w0 {
		if math.Abs(w1[i]-w0[i]-dw[i]) > 1e-13 {
			t.Errorf("ΔW[%d] = %v, W(0.9) − W(0.1) = %v", i, dw[i], w1[i]-w0[i])
		}
	}
}

// TestTreeAreaLaw: over [0, 1] made of 16 leaves, E A² = 1/4 within 5 SE
// (Var A² = 1/4 per draw, see TestLevyAreaLaw), over 20000 seeds.
func TestTreeAreaLaw(t *testing.T) {
	skipStatisticalUnderRace(t)
	const n = 20000
	tree, _ := NewBrownianTree(0, 2, 0, 1, 1.0/16)
	dw, a := make([]float64, 2), make([]float64, 1)
	var s2 float64
	for i := range n {
		tree.reseed(TreeSeed(9, i))
		tree.IncrementArea(dw, a, 0, 1)
		s2 += a[0] * a[0]
	}
	if got, se := s2/n, 0.5/math.Sqrt(n); math.Abs(got-0.25) > 5*se {
		t.Errorf("E A² = %v, want 0.25 ± %v", got, 5*se)
	}
}

// TestTreeAreaOrder: MilsteinGeneral through Solve with a user-supplied
// BrownianTree (leaves of 1/2048) converges with strong order 1 ± 0.15 to
// the solve at h = 1/2048 on the same tree: coarse and fine steps see the
// same path and areas.
func TestTreeAreaOrder(t *testing.T) {
	skipStatisticalUnderRace(t)
	p := nonCommuting()
	const paths, fine = 200, 2048
	steps := []int{16, 32, 64, 128}
	sq := make([]float64, len(steps))
	ts := []float64{0, 1}
	for i := range paths {
		tree, err := NewBrownianTree(TreeSeed(11, i), 2, 0, 1, 1.0/fine)
		if err != nil {
			t.Fatal(err)
		}
		solve := func(n int) []float64 {
			sol, err := Solve(p.Sys, MilsteinGeneral{}, p.X0, ts, &Settings{Step: 1 / float64(n), Brownian: tree})
			if err != nil {
				t.Fatal(err)
			}
			return sol.X.RawRowView(1)
		}
		ref := solve(fine)
		for l, n := range steps {
			x := solve(n)
			for j := range x {
				sq[l] += (x[j] - ref[j]) * (x[j] - ref[j])
			}
		}
	}
	h, e := make([]float64, len(steps)), make([]float64, len(steps))
	for l, n := range steps {
		h[l], e[l] = 1/float64(n), math.Sqrt(sq[l]/paths)
	}
	order, _, err := FitOrder(h, e)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("errors %v, order %.3f", e, order)
	if math.Abs(order-1) > 0.15 {
		t.Errorf("strong order %v, want 1 ± 0.15", order)
	}
}
