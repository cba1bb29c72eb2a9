package sde

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestIncrementsLaw: ΔW/√h ~ N(0,1) and, given ΔW, the standardised area
// (U − hΔW/2)/√(h³/12) ~ N(0,1) (torchsde's H = U/h − ΔW/2 ~ N(0, h/12)).
// Also the correlation of ΔW with that residual is 0 within 4.5/√n.
func TestIncrementsLaw(t *testing.T) {
	const n, h = 100000, 0.37
	inc := NewIncrements(rand.NewPCG(1, 2), 1)
	w, r := make([]float64, n), make([]float64, n)
	dw, u := make([]float64, 1), make([]float64, 1)
	var cross float64
	for i := range w {
		inc.Increment(dw, u, 1, 1+h)
		w[i] = dw[0] / math.Sqrt(h)
		r[i] = (u[0] - h*dw[0]/2) / math.Sqrt(h*h*h/12)
		cross += w[i] * r[i]
	}
	if math.Abs(cross/n) > 4.5/math.Sqrt(n) {
		t.Errorf("corr(ΔW, U − hΔW/2) = %.4g, want 0", cross/n)
	}
	normalCheck(t, "ΔW/√h", w)
	normalCheck(t, "(U − hΔW/2)/√(h³/12)", r)
}

// TestCombineIncrements: the (ΔW, U) of [0, 2h] built from two fresh halves
// has the law of a fresh pair for 2h (checked as in TestIncrementsLaw), and
// composition is associative to rounding (1e-15 absolute on O(1) values).
func TestCombineIncrements(t *testing.T) {
	const n, h = 100000, 0.25
	inc := NewIncrements(rand.NewPCG(3, 4), 1)
	w, r := make([]float64, n), make([]float64, n)
	a, ua, b, ub, c, uc := make([]float64, 1), make([]float64, 1), make([]float64, 1), make([]float64, 1), make([]float64, 1), make([]float64, 1)
	for i := range w {
		inc.Increment(a, ua, 0, h)
		inc.Increment(b, ub, h, 2*h)
		inc.Increment(c, uc, 2*h, 3*h)
		// Associativity: ((a+b)+c) vs (a+(b+c)).
		ab, uab, abc, uabc := []float64{0}, []float64{0}, []float64{0}, []float64{0}
		CombineIncrements(ab, uab, a, ua, b, ub, h)
		CombineIncrements(abc, uabc, ab, uab, c, uc, h)
		bc, ubc, abc2, uabc2 := []float64{0}, []float64{0}, []float64{0}, []float64{0}
		CombineIncrements(bc, ubc, b, ub, c, uc, h)
		CombineIncrements(abc2, uabc2, a, ua, bc, ubc, 2*h)
		if math.Abs(abc[0]-abc2[0]) > 1e-15 || math.Abs(uabc[0]-uabc2[0]) > 1e-15 {
			t.Fatalf("composition not associative: %v %v vs %v %v", abc, uabc, abc2, uabc2)
		}
		H := 2 * h
		w[i] = ab[0] / math.Sqrt(H)
		r[i] = (uab[0] - H*ab[0]/2) / math.Sqrt(H*H*H/12)
	}
	normalCheck(t, "combined ΔW", w)
	normalCheck(t, "combined U", r)
}

// TestBrownianPathBridge: after fixing W(a) and W(b), a query at s is the
// bridge N(W(a) + (s−a)/(b−a)(W(b)−W(a)), (s−a)(b−s)/(b−a)); checked over
// independent paths after standardisation. Also W(a)/√(a−t0) ~ N(0,1).
func TestBrownianPathBridge(t *testing.T) {
	const n = 20000
	const t0, a, s, b = 0.5, 0.8, 1.1, 2.0
	z, za := make([]float64, n), make([]float64, n)
	wa, ws, wb := make([]float64, 1), make([]float64, 1), make([]float64, 1)
	for i := range z {
		p := NewBrownianPath(parallel.Stream(9, i), 1, t0)
		p.At(wb, b)
		p.At(wa, a)
		p.At(ws, s)
		mean := wa[0] + (s-a)/(b-a)*(wb[0]-wa[0])
		sd := math.Sqrt((s - a) * (b - s) / (b - a))
		z[i] = (ws[0] - mean) / sd
		za[i] = wa[0] / math.Sqrt(a-t0)
		// Stored points are returned unchanged.
		p.At(wa[:1], s)
		if wa[0] != ws[0] {
			t.Fatalf("path %d: W(s) changed between queries", i)
		}
	}
	normalCheck(t, "bridge", z)
	normalCheck(t, "W(a)", za)
}

// TestBrownianPathForget: Forget keeps later values unchanged.
func TestBrownianPathForget(t *testing.T) {
	p := NewBrownianPath(rand.NewPCG(1, 1), 2, 0)
	v := make([]float64, 2)
	want := map[float64][2]float64{}
	for _, s := range []float64{1, 0.5, 2, 1.5, 3} {
		p.At(v, s)
		want[s] = [2]float64{v[0], v[1]}
	}
	p.Forget(1.2)
	for _, s := range []float64{1.5, 2, 3} {
		p.At(v, s)
		if v[0] != want[s][0] || v[1] != want[s][1] {
			t.Errorf("after Forget, W(%v) = %v, want %v", s, v, want[s])
		}
	}
	if p.Len() != 4 { // 1, 1.5, 2, 3
		t.Errorf("after Forget(1.2), %d points stored, want 4", p.Len())
	}
}

// TestBrownianTreeLaw: at dyadic times the tree is exact in law: W(t)/√t
// and the bridge value at s given W(a), W(b) (dyadic a < s < b) are
// standard normal across seeds.
func TestBrownianTreeLaw(t *testing.T) {
	const n = 20000
	const a, s, b = 0.25, 0.375, 0.75 // dyadic in [0, 1]
	z, zw := make([]float64, n), make([]float64, n)
	wa, ws, wb := make([]float64, 1), make([]float64, 1), make([]float64, 1)
	for i := range z {
		tr, err := NewBrownianTree(uint64(i), 1, 0, 1, 1e-6)
		if err != nil {
			t.Fatal(err)
		}
		tr.At(ws, s)
		tr.At(wa, a)
		tr.At(wb, b)
		z[i] = (ws[0] - (wa[0] + (s-a)/(b-a)*(wb[0]-wa[0]))) / math.Sqrt((s-a)*(b-s)/(b-a))
		zw[i] = wb[0] / math.Sqrt(b)
	}
	normalCheck(t, "tree bridge", z)
	normalCheck(t, "tree W(b)", zw)
}

// TestBrownianTreeIncrements: standardised increments over a grid of
// non-dyadic steps h = 0.01 (resolved to tol = 1e-7, so linear
// interpolation inside leaves changes the variance by at most
// tol/h = 1e-5, far below the test's resolution) are N(0,1), and
// neighbouring increments are uncorrelated within 4.5/√n.
func TestBrownianTreeIncrements(t *testing.T) {
	tr, err := NewBrownianTree(5, 1, 0, 200, 1e-7)
	if err != nil {
		t.Fatal(err)
	}
	const h = 0.01
	n := 20000
	z := make([]float64, n)
	dw := make([]float64, 1)
	var cross float64
	for i := range z {
		tr.Increment(dw, nil, float64(i)*h, float64(i+1)*h)
		z[i] = dw[0] / math.Sqrt(h)
		if i > 0 {
			cross += z[i] * z[i-1]
		}
	}
	if c := cross / float64(n-1); math.Abs(c) > 4.5/math.Sqrt(float64(n)) {
		t.Errorf("lag-1 correlation %.4g", c)
	}
	normalCheck(t, "tree increments", z)
}

// TestBrownianTreeAdditivity: W(a,b) + W(b,c) = W(a,c) to 1e-12 for random
// a < b < c (exact up to the rounding of two subtractions of O(1) values).
func TestBrownianTreeAdditivity(t *testing.T) {
	tr, err := NewBrownianTree(11, 3, -1, 4, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	ab, bc, ac := make([]float64, 3), make([]float64, 3), make([]float64, 3)
	for range 1000 {
		x := []float64{-1 + 5*rng.Float64(), -1 + 5*rng.Float64(), -1 + 5*rng.Float64()}
		a, b, c := min(x[0], x[1], x[2]), x[0]+x[1]+x[2]-min(x[0], x[1], x[2])-max(x[0], x[1], x[2]), max(x[0], x[1], x[2])
		tr.Increment(ab, nil, a, b)
		tr.Increment(bc, nil, b, c)
		tr.Increment(ac, nil, a, c)
		for i := range ab {
			if d := math.Abs(ab[i] + bc[i] - ac[i]); d > 1e-12 {
				t.Fatalf("W(%v,%v)+W(%v,%v) − W(%v,%v) = %g", a, b, b, c, a, c, d)
			}
		}
	}
}

// TestBrownianTreeOrderIndependence: values are bitwise identical whatever
// the order of queries, and on a fresh tree or a Clone.
func TestBrownianTreeOrderIndependence(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	ts := make([]float64, 500)
	for i := range ts {
		ts[i] = 3 * rng.Float64()
	}
	ts = append(ts, 0, 3, 1.5, 0.75)
	base, err := NewBrownianTree(42, 2, 0, 3, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]float64, len(ts))
	for i, s := range ts {
		want[i] = make([]float64, 2)
		base.At(want[i], s)
	}
	perm := rng.Perm(len(ts))
	for _, tr := range []*BrownianTree{base, base.Clone()} {
		v := make([]float64, 2)
		for _, i := range perm {
			tr.At(v, ts[i])
			if v[0] != want[i][0] || v[1] != want[i][1] {
				t.Fatalf("W(%v) = %v in shuffled order, %v in original order", ts[i], v, want[i])
			}
		}
	}
	if v := make([]float64, 2); true {
		base.At(v, 0)
		if v[0] != 0 || v[1] != 0 {
			t.Errorf("W(t0) = %v, want 0", v)
		}
	}
}
