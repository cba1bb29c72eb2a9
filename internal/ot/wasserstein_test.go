package ot

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// TestW1AgainstGonum compares W1 with gonum's stat.WassersteinDistanceND (a dense
// transportation LP solved by simplex) for m ≤ 25 in 1–3 dimensions. Tolerance 1e-9:
// gonum's simplex works to its tol = 1e-10 on O(1) data.
func TestW1AgainstGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var ws Workspace
	for _, m := range []int{2, 5, 12, 25} {
		for dim := 1; dim <= 3; dim++ {
			x, y := uniformSample(rng, m, dim), uniformSample(rng, m, dim)
			got, err := W1(x, y, dim, &ws)
			if err != nil {
				t.Fatal(err)
			}
			want, err := stat.WassersteinDistanceND(mat.NewDense(m, dim, x), mat.NewDense(m, dim, y), nil, nil, 1e-10)
			if err != nil {
				t.Fatalf("gonum: %v", err)
			}
			if math.Abs(got-want) > 1e-9 {
				t.Errorf("m=%d dim=%d: W1 %v, gonum %v", m, dim, got, want)
			}
		}
	}
}

// TestW1OneDimension compares the LSAP W1 with sorting (monotone coupling is optimal on
// the line) and with gonum's CDF-based stat.WassersteinDistance, to 1e-12 (rounding of
// m-term sums of values ≤ 1).
func TestW1OneDimension(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var ws Workspace
	for _, m := range []int{1, 7, 100, 600} {
		x, y := uniformSample(rng, m, 1), uniformSample(rng, m, 1)
		for i := range y {
			y[i] = y[i]*y[i] + 0.1 // a different law
		}
		lsap, err := W1(x, y, 1, &ws)
		if err != nil {
			t.Fatal(err)
		}
		sorted, err := W1Sorted1D(x, y, nil)
		if err != nil {
			t.Fatal(err)
		}
		g := stat.WassersteinDistance(x, y, nil, nil)
		if math.Abs(lsap-sorted) > 1e-12 || math.Abs(sorted-g) > 1e-12 {
			t.Errorf("m=%d: LSAP %v, sorting %v, gonum %v", m, lsap, sorted, g)
		}
	}
}

// TestW1Properties checks W1(X, X + v) = ‖v‖ (the identity coupling attains the
// Kantorovich–Rubinstein lower bound ⟨·, v/‖v‖⟩), invariance under permuting either sample,
// symmetry, W1 ≤ W2 (Jensen), and SlicedW1 ≤ W1. Tolerances: 1e-12 relative rounding.
func TestW1Properties(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const m, dim = 300, 3
	x := uniformSample(rng, m, dim)
	v := []float64{0.3, -0.1, 0.05}
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i] + v[i%dim]
	}
	var ws Workspace
	w, err := W1(x, y, dim, &ws)
	if err != nil {
		t.Fatal(err)
	}
	if nv := math.Sqrt(0.09 + 0.01 + 0.0025); math.Abs(w-nv) > 1e-12 {
		t.Errorf("W1(X, X+v) = %v, want ‖v‖ = %v", w, nv)
	}
	z := uniformSample(rng, m, dim)
	w1, _ := W1(x, z, dim, &ws)
	w1r, _ := W1(z, x, dim, &ws)
	perm := rng.Perm(m)
	zp := make([]float64, len(z))
	for i, p := range perm {
		copy(zp[i*dim:(i+1)*dim], z[p*dim:(p+1)*dim])
	}
	w1p, _ := W1(x, zp, dim, &ws)
	w2, _ := W2(x, z, dim, &ws)
	sw, err := SlicedW1(x, z, dim, 50, rand.NewPCG(1, 1), &ws)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(w1-w1r) > 1e-12 || math.Abs(w1-w1p) > 1e-12 {
		t.Errorf("W1 %v, swapped %v, permuted %v", w1, w1r, w1p)
	}
	if w1 > w2*(1+1e-12) || sw > w1 {
		t.Errorf("ordering violated: SW1 %v, W1 %v, W2 %v", sw, w1, w2)
	}
	t.Logf("W1 %.5f W2 %.5f SW1 %.5f", w1, w2, sw)
}

// TestW2AgainstBruteForce checks W2 on tiny samples against enumeration of squared costs.
func TestW2AgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for m := 1; m <= 7; m++ {
		x, y := uniformSample(rng, m, 2), uniformSample(rng, m, 2)
		cost := make([]float64, m*m)
		for i := 0; i < m; i++ {
			for j := 0; j < m; j++ {
				dx, dy := x[2*i]-y[2*j], x[2*i+1]-y[2*j+1]
				cost[i*m+j] = dx*dx + dy*dy
			}
		}
		want := math.Sqrt(bruteForce(cost, m) / float64(m))
		got, err := W2(x, y, 2, nil)
		if err != nil || math.Abs(got-want) > 1e-12 {
			t.Errorf("m=%d: W2 %v, brute force %v (%v)", m, got, want, err)
		}
	}
}

// TestWassersteinErrors checks that bad samples give errors naming the problem.
func TestWassersteinErrors(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	cases := []struct {
		name string
		x, y []float64
		dim  int
	}{
		{"unequal sizes", x, x[:2], 2},
		{"empty", nil, nil, 1},
		{"ragged", x[:3], x[:3], 2},
		{"dim 0", x, x, 0},
		{"NaN", []float64{0, math.NaN()}, []float64{0, 1}, 1},
		{"Inf", []float64{0, 1}, []float64{math.Inf(1), 1}, 1},
	}
	for _, c := range cases {
		_, e1 := W1(c.x, c.y, c.dim, nil)
		_, e2 := W2(c.x, c.y, c.dim, nil)
		_, e3 := SlicedW1(c.x, c.y, c.dim, 5, rand.NewPCG(1, 1), nil)
		if e1 == nil || e2 == nil || e3 == nil {
			t.Errorf("%s: errors %v %v %v", c.name, e1, e2, e3)
		}
		if c.dim == 1 {
			if _, e := W1Sorted1D(c.x, c.y, nil); e == nil {
				t.Errorf("%s: W1Sorted1D no error", c.name)
			}
		}
	}
	if _, err := SlicedW1(x, x, 2, 0, rand.NewPCG(1, 1), nil); err == nil {
		t.Error("nproj = 0: no error")
	}
	t.Log(W1(x, x[:2], 2, nil))
}

// TestNoAllocs checks that W1, W2, W1Sorted1D and SlicedW1 allocate nothing with a warm
// workspace.
func TestNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	x, y := uniformSample(rng, 64, 2), uniformSample(rng, 64, 2)
	var ws Workspace
	src := rand.NewPCG(1, 1)
	W1(x, y, 2, &ws)
	SlicedW1(x, y, 2, 3, src, &ws)
	W1Sorted1D(x, y, &ws)
	if a := testing.AllocsPerRun(5, func() { W1(x, y, 2, &ws); W2(x, y, 2, &ws) }); a != 0 {
		t.Errorf("W1/W2: %v allocs", a)
	}
	if a := testing.AllocsPerRun(5, func() { W1Sorted1D(x, y, &ws) }); a != 0 {
		t.Errorf("W1Sorted1D: %v allocs", a)
	}
	if a := testing.AllocsPerRun(5, func() { SlicedW1(x, y, 2, 3, src, &ws) }); a != 0 {
		t.Errorf("SlicedW1: %v allocs", a)
	}
}
