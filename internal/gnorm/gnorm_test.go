package gnorm

import (
	"math"
	"math/rand/v2"
	"testing"
)

type gnCase struct{ C, G, P int }

// gnCases cover channel counts that are and are not multiples of 4, wider than one block
// (128 channels, and more groups than a window of 128), one and several groups, and
// pixel counts 1, 2, odd.
var gnCases = []gnCase{
	{4, 1, 1}, {4, 2, 2}, {6, 3, 7}, {8, 8, 5}, {12, 4, 9}, {16, 8, 33}, {20, 5, 3},
	{32, 8, 49}, {36, 6, 11}, {64, 1, 6}, {200, 8, 4}, {260, 130, 3}, {256, 256, 2}, {3, 1, 17},
}

func randSlice[T float32 | float64](rng *rand.Rand, n int, scale, shift float64) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = T(scale*rng.NormFloat64() + shift)
	}
	return v
}

// run returns Forward's y and keep and Backward's dx and gw on one sample.
func run[T float32 | float64](c gnCase, x, dy []T, gamma, beta []float64) (y []T, keep []float64, dx []T, gw []float64) {
	y, keep = make([]T, len(x)), make([]float64, 2*c.G)
	Forward(y, x, c.C, c.G, gamma, beta, 1e-5, keep)
	dx, gw = make([]T, len(x)), make([]float64, 2*c.C)
	for i := range gw {
		gw[i] = float64(i) // Backward adds to gw
	}
	Backward(dx, dy, x, c.C, c.G, gamma, keep, gw)
	return y, keep, dx, gw
}

// TestLevels checks that the AVX2 kernels (where this build has them) give the same bits
// as the portable loops on float32 values, and that the float32 results are the float64
// kernel's results on the widened values rounded once (the float64 code is the same
// generic code; the AVX2 kernels serve float32 only).
func TestLevels(t *testing.T) {
	if !useAVX2 {
		t.Log("no AVX2 kernels active: the portable loops alone")
	}
	defer func(u bool) { useAVX2 = u }(useAVX2)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range gnCases {
		n := c.C * c.P
		x := randSlice[float32](rng, n, 2, 3)
		dy := randSlice[float32](rng, n, 1, 0.1)
		gamma, beta := randSlice[float64](rng, c.C, 0.5, 1), randSlice[float64](rng, c.C, 0.5, 0)
		have := useAVX2
		y1, k1, dx1, gw1 := run(c, x, dy, gamma, beta)
		useAVX2 = false
		y0, k0, dx0, gw0 := run(c, x, dy, gamma, beta)
		useAVX2 = have
		x64, dy64 := make([]float64, n), make([]float64, n)
		for i := range x {
			x64[i], dy64[i] = float64(x[i]), float64(dy[i])
		}
		y64, k64, dx64, gw64 := run(c, x64, dy64, gamma, beta)
		for i := range y0 {
			if math.Float32bits(y1[i]) != math.Float32bits(y0[i]) || math.Float32bits(dx1[i]) != math.Float32bits(dx0[i]) {
				t.Fatalf("%+v [%d]: kernel y, dx = %v, %v; Go %v, %v", c, i, y1[i], dx1[i], y0[i], dx0[i])
			}
			if y0[i] != float32(y64[i]) || dx0[i] != float32(dx64[i]) {
				t.Fatalf("%+v [%d]: float32 y, dx = %v, %v; float64 kernel rounded %v, %v", c, i, y0[i], dx0[i], float32(y64[i]), float32(dx64[i]))
			}
		}
		for i := range k0 {
			if k1[i] != k0[i] || k0[i] != k64[i] {
				t.Fatalf("%+v keep[%d]: kernel %v, Go %v, float64 %v", c, i, k1[i], k0[i], k64[i])
			}
		}
		for i := range gw0 {
			if gw1[i] != gw0[i] || gw0[i] != gw64[i] {
				t.Fatalf("%+v gw[%d]: kernel %v, Go %v, float64 %v", c, i, gw1[i], gw0[i], gw64[i])
			}
		}
	}
}

// TestDefinition checks the float64 kernels against the formulas of the package comment
// evaluated directly (group by group, in float64). Both are float64 sums of at most
// P·C/G terms of size ≈ 1–10 with values of the same size: they agree to 1e-12
// relative to the values' scale (the two orders' rounding, ≈ n·2⁻⁵³ with n ≤ 10³).
func TestDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range gnCases {
		n, cg := c.C*c.P, c.C/c.G
		x := randSlice[float64](rng, n, 2, 3)
		dy := randSlice[float64](rng, n, 1, 0.1)
		gamma, beta := randSlice[float64](rng, c.C, 0.5, 1), randSlice[float64](rng, c.C, 0.5, 0)
		y, keep, dx, gw := run(c, x, dy, gamma, beta)
		const eps = 1e-5
		wantGW := make([]float64, 2*c.C)
		for i := range wantGW {
			wantGW[i] = float64(i)
		}
		for g := range c.G {
			var idx []int
			for p := range c.P {
				for ch := g * cg; ch < (g+1)*cg; ch++ {
					idx = append(idx, p*c.C+ch)
				}
			}
			N := float64(len(idx))
			m := 0.0
			for _, i := range idx {
				m += x[i]
			}
			m /= N
			v := 0.0
			for _, i := range idx {
				v += (x[i] - m) * (x[i] - m)
			}
			is := 1 / math.Sqrt(v/N+eps)
			if math.Abs(keep[2*g]-m) > 1e-12*(1+math.Abs(m)) || math.Abs(keep[2*g+1]-is) > 1e-12*is {
				t.Fatalf("%+v group %d: keep %v, %v; want %v, %v", c, g, keep[2*g], keep[2*g+1], m, is)
			}
			se, seh := 0.0, 0.0
			for _, i := range idx {
				ch := i % c.C
				h := (x[i] - m) * is
				if want := gamma[ch]*h + beta[ch]; math.Abs(y[i]-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("%+v y[%d] = %v, want %v", c, i, y[i], want)
				}
				e := gamma[ch] * dy[i]
				se += e
				seh += e * h
				wantGW[ch] += dy[i] * h
				wantGW[c.C+ch] += dy[i]
			}
			se /= N
			seh /= N
			for _, i := range idx {
				ch := i % c.C
				h := (x[i] - m) * is
				want := is * (gamma[ch]*dy[i] - se - h*seh)
				if math.Abs(dx[i]-want) > 1e-12*(1+math.Abs(want))*math.Max(1, is) {
					t.Fatalf("%+v dx[%d] = %v, want %v", c, i, dx[i], want)
				}
			}
		}
		for i := range gw {
			if math.Abs(gw[i]-wantGW[i]) > 1e-11*(1+math.Abs(wantGW[i])) {
				t.Fatalf("%+v gw[%d] = %v, want %v", c, i, gw[i], wantGW[i])
			}
		}
	}
}

// TestNilOutputs checks Backward without dx (gradient only) and without gw (∂/∂x only)
// against the full call.
func TestNilOutputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := gnCase{12, 3, 10}
	x := randSlice[float32](rng, c.C*c.P, 1, 0)
	dy := randSlice[float32](rng, c.C*c.P, 1, 0)
	gamma, beta := randSlice[float64](rng, c.C, 1, 0), randSlice[float64](rng, c.C, 1, 0)
	_, keep, dx, gw := run(c, x, dy, gamma, beta)
	dx2 := make([]float32, len(x))
	Backward(dx2, dy, x, c.C, c.G, gamma, keep, nil)
	gw2 := make([]float64, 2*c.C)
	for i := range gw2 {
		gw2[i] = float64(i)
	}
	Backward(nil, dy, x, c.C, c.G, gamma, keep, gw2)
	for i := range dx {
		if dx[i] != dx2[i] {
			t.Fatalf("dx[%d] = %v without gw, %v with", i, dx2[i], dx[i])
		}
	}
	for i := range gw {
		if gw[i] != gw2[i] {
			t.Fatalf("gw[%d] = %v without dx, %v with", i, gw2[i], gw[i])
		}
	}
}

// TestPanics checks the length checks.
func TestPanics(t *testing.T) {
	x, g2 := make([]float32, 8), make([]float64, 4)
	for _, f := range []func(){
		func() { Forward(make([]float32, 8), x, 4, 3, g2, g2, 1e-5, make([]float64, 6)) },    // G does not divide C
		func() { Forward(make([]float32, 7), x, 4, 2, g2, g2, 1e-5, make([]float64, 4)) },    // y short
		func() { Forward(make([]float32, 8), x, 4, 2, g2, g2, 1e-5, make([]float64, 3)) },    // keep short
		func() { Backward(make([]float32, 8), x[:7], x, 4, 2, g2, make([]float64, 4), nil) }, // dy short
		func() { Backward(nil, x, x, 4, 2, g2, make([]float64, 4), make([]float64, 7)) },     // gw short
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// TestNoAllocs checks that Forward and Backward allocate nothing, also past one block of
// channels and one window of groups.
func TestNoAllocs(t *testing.T) {
	for _, c := range []gnCase{{16, 8, 49}, {260, 130, 3}} {
		x := make([]float32, c.C*c.P)
		for i := range x {
			x[i] = float32(i % 7)
		}
		y, dx, keep := make([]float32, len(x)), make([]float32, len(x)), make([]float64, 2*c.G)
		gamma, gw := make([]float64, c.C), make([]float64, 2*c.C)
		if a := testing.AllocsPerRun(10, func() {
			Forward(y, x, c.C, c.G, gamma, gamma, 1e-5, keep)
			Backward(dx, x, x, c.C, c.G, gamma, keep, gw)
		}); a != 0 {
			t.Errorf("%+v: %v allocations per call", c, a)
		}
	}
}
