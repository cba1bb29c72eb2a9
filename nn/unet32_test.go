package nn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	isilu "github.com/sdeml/sdeml/internal/silu"
)

// TestUNetLayers32 checks the float32 kernels of the U-Net layers against their float64
// kernels on float32 inputs, parameters and output errors (so both see the same values):
// GroupNorm, Fourier and Channels form every output, input error and parameter gradient in
// float64 with the float64 kernel's operations and round once, so each float32 result must
// be exactly the rounding of the float64 one; SiLU does so too, with the exponential of
// internal/silu (bounds below). ScaleShift runs in
// float32: y = fl(fl(h·fl(1 + γ)) + β) errs by at most 2u|h||1 + γ| + u|y| and
// ∂/∂h = fl(∂y·fl(1 + γ)) by 2u|∂y||1 + γ| (u = 2⁻²⁴, first order, times 1.01), while
// its ∂/∂γ, ∂/∂β are float64 sums rounded once.
func TestUNetLayers32(t *testing.T) {
	const u = 0x1p-24
	rng := rand.New(rand.NewPCG(4, 5))
	r32 := func(n int, s float64) ([]float32, []float64) {
		a, b := make([]float32, n), make([]float64, n)
		for i := range a {
			a[i] = float32(s * rng.NormFloat64())
			b[i] = float64(a[i])
		}
		return a, b
	}
	img := Shape{C: 6, H: 5, W: 3}
	for _, c := range []struct {
		l  customLayer32
		in []Shape
	}{
		{GroupNorm{Groups: 3}, []Shape{img}},
		{GroupNorm{}, []Shape{{C: 4, H: 2, W: 7}}},
		{SiLU{}, []Shape{img}},
		{Fourier{Freqs: 3, MaxFreq: 4}, []Shape{{C: 2, H: 1, W: 1}}},
		{Channels{From: 1, To: 4}, []Shape{img}},
		{ScaleShift{}, []Shape{img, {C: 12, H: 1, W: 1}}},
	} {
		t.Run(layerName(c.l), func(t *testing.T) {
			const n = 3
			out, np, err := c.l.compile(c.in)
			if err != nil {
				t.Fatal(err)
			}
			w32, w := r32(np, 1)
			x32, x := make([][]float32, len(c.in)), make([][]float64, len(c.in))
			for k, s := range c.in {
				x32[k], x[k] = r32(n*s.Size(), 1.5)
			}
			k32 := c.l.keepSize(c.in)
			if k, ok := c.l.(keeper32); ok {
				k32 = k.keepSize32(c.in)
			}
			keep, keep32 := make([]float64, n*c.l.keepSize(c.in)), make([]float64, n*k32)
			y, y32 := make([]float64, n*out.Size()), make([]float32, n*out.Size())
			c.l.forward(c.in, w, x, y, keep, n)
			c.l.forward32(c.in, w, w32, x32, y32, keep32, n)
			_, ss := c.l.(ScaleShift)
			_, isSiLU := c.l.(SiLU)
			for i := range y {
				if isSiLU {
					// silu.Exp's relative error δ <= isilu.ExpErr moves σ = 1/(1 + e^{−x}) by
					// at most δ·σ and x·σ by δ|y|; both kernels add a few float64
					// roundings (8·2⁻⁵³|y|), and the float32 rounding adds u|y|.
					if d, tol := math.Abs(float64(y32[i])-y[i]), (u+1.01*isilu.ExpErr+8*0x1p-53)*math.Abs(y[i]); d > tol {
						t.Fatalf("y[%d] = %v, float64 %v: |diff| %g > %g", i, y32[i], y[i], d, tol)
					}
				} else if ss {
					h, m := x[0][i], x[1][(i/img.Size())*2*img.C+i%img.C]
					if d, tol := math.Abs(float64(y32[i])-y[i]), 1.01*(2*u*math.Abs(h*(1+m))+u*math.Abs(y[i])); d > tol {
						t.Fatalf("y[%d] = %v, float64 %v: |diff| %g > %g", i, y32[i], y[i], d, tol)
					}
				} else if y32[i] != float32(y[i]) {
					t.Fatalf("y[%d] = %v, want the rounding %v of float64's %v", i, y32[i], float32(y[i]), y[i])
				}
			}
			dy32, dy := r32(n*out.Size(), 1)
			for k := range c.in {
				dx, dx32 := make([]float64, n*c.in[k].Size()), make([]float32, n*c.in[k].Size())
				var gw, gw32 []float64
				if k == 0 && np > 0 {
					gw, gw32 = make([]float64, np), make([]float64, np)
				}
				c.l.backward(c.in, k, w, x, y, dy, keep, dx, gw, n)
				c.l.backward32(c.in, k, w, w32, x32, y32, dy32, keep32, dx32, gw32, n)
				for i := range dx {
					if ss && k == 0 {
						m := x[1][(i/img.Size())*2*img.C+i%img.C]
						if d, tol := math.Abs(float64(dx32[i])-dx[i]), 1.01*2*u*math.Abs(dy[i]*(1+m)); d > tol {
							t.Fatalf("input %d: dx[%d] = %v, float64 %v: |diff| %g > %g", k, i, dx32[i], dx[i], d, tol)
						}
					} else if isSiLU {
						// dx = dy·s·(1 + x(1 − s)) with the kept s off by at most δ·s
						// (δ = isilu.ExpErr): |∂dx/∂s|·δs <= |dy|·(1 + 3|x|)·δs; the float64
						// roundings of both kernels (8·2⁻⁵³ of |dy|·s·(1 + |x|)) and the
						// float32 rounding u|dx| come on top.
						v, sg := x[0][i], 1/(1+math.Exp(-x[0][i]))
						tol := u*math.Abs(dx[i]) + math.Abs(dy[i])*sg*(1.01*isilu.ExpErr*(1+3*math.Abs(v))+8*0x1p-53*(1+math.Abs(v)))
						if d := math.Abs(float64(dx32[i]) - dx[i]); d > tol {
							t.Fatalf("dx[%d] = %v, float64 %v: |diff| %g > %g", i, dx32[i], dx[i], d, tol)
						}
					} else if dx32[i] != float32(dx[i]) {
						t.Fatalf("input %d: dx[%d] = %v, want the rounding %v of float64's %v", k, i, dx32[i], float32(dx[i]), dx[i])
					}
				}
				for i := range gw {
					if gw32[i] != gw[i] {
						t.Fatalf("parameter gradient %d = %v, float64 %v", i, gw32[i], gw[i])
					}
				}
			}
		})
	}
}

// TestGraphPass32UNet checks GraphPass32 on a two-level U-Net against GraphPass (float64)
// normwise. The tolerance is the first-order float32 bound Σ_l (k_l + 2)·u of the products
// of length k_l along the network (every convolution and Dense layer counted, u = 2⁻²⁴),
// times 10 for the conditioning of the normalisations, which the per-layer bounds of
// TestGraphSupervised32Bound and TestUNetLayers32 leave out (the measured differences are
// about 1000 times smaller). It checks 0 allocations and the same bits for GOMAXPROCS 1.
func TestGraphPass32UNet(t *testing.T) {
	g := smallUNet(t)
	obj, w := graphObjective(t, g, 11, MSE{}, 8)
	X := obj.Data.X.RawMatrix().Data
	n, K := obj.Data.Len(), g.OutDim()
	p64 := g.NewPass(nil)
	p32, err := g.NewPass32(nil)
	if err != nil {
		t.Fatal(err)
	}
	tol := 0.0
	for j := range g.nodes {
		if gn := &g.nodes[j]; gn.kind == gStage && gn.st.kind == stageConv {
			tol += float64(gn.st.k + 2)
		}
	}
	tol *= 10 * 0x1p-24
	out64, out32 := make([]float64, n*K), make([]float64, n*K)
	g64, g32 := make([]float64, len(w)), make([]float64, len(w))
	rng := rand.New(rand.NewPCG(1, 1))
	dOut := make([]float64, n*K)
	for i := range dOut {
		dOut[i] = rng.NormFloat64()
	}
	p64.Forward(out64, w, X)
	p64.Backward(g64, w, dOut)
	run := func() {
		p32.Forward(out32, w, X)
		p32.Backward(g32, w, dOut)
	}
	run()
	relDiff := func(a, b []float64) float64 {
		num, den := 0.0, 0.0
		for i := range a {
			num += (a[i] - b[i]) * (a[i] - b[i])
			den += b[i] * b[i]
		}
		return math.Sqrt(num / den)
	}
	if e := relDiff(out32, out64); e > tol || e == 0 {
		t.Errorf("outputs: relative difference %.3g, want in (0, %.3g]", e, tol)
	}
	if e := relDiff(g32, g64); e > tol || e == 0 {
		t.Errorf("gradient: relative difference %.3g, want in (0, %.3g]", e, tol)
	}
	t.Logf("relative differences: outputs %.3g, gradient %.3g (tolerance %.3g)", relDiff(out32, out64), relDiff(g32, g64), tol)
	if !raceEnabled {
		if a := testing.AllocsPerRun(5, run); a != 0 {
			t.Errorf("%v allocs per Forward+Backward, want 0", a)
		}
	}
	keepOut, keepGrad := append([]float64(nil), out32...), append([]float64(nil), g32...)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	run()
	for i := range out32 {
		if math.Float64bits(out32[i]) != math.Float64bits(keepOut[i]) {
			t.Fatalf("output %d differs with GOMAXPROCS = 1", i)
		}
	}
	for i := range g32 {
		if math.Float64bits(g32[i]) != math.Float64bits(keepGrad[i]) {
			t.Fatalf("gradient %d differs with GOMAXPROCS = 1", i)
		}
	}
}

// TestScaleShiftSums32 checks ScaleShift's float32 parameter-gradient sums against the
// float64 kernel's loop (per channel, in pixel order, rounded once: the same bits) on
// channel counts below, at and above the 128-channel block.
func TestScaleShiftSums32(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, C := range []int{1, 6, 128, 130, 300} {
		P := 7
		ds, h := make([]float32, P*C), make([]float32, P*C)
		for i := range ds {
			ds[i], h[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		d := make([]float32, 2*C)
		scaleShiftSums32(d, ds, h, C)
		for c := range C {
			var sg, sb float64
			for p := range P {
				sg += float64(ds[p*C+c]) * float64(h[p*C+c])
				sb += float64(ds[p*C+c])
			}
			if d[c] != float32(sg) || d[C+c] != float32(sb) {
				t.Fatalf("C = %d, channel %d: %v, %v; want %v, %v", C, c, d[c], d[C+c], float32(sg), float32(sb))
			}
		}
	}
}

// TestGraphPassInfer checks that Infer gives the bits of Forward (it skips only what
// Backward reads, such as SiLU's σ) in both precisions, on a U-Net of 19 samples (three
// chunks), allocates nothing, and that Backward after Infer panics.
func TestGraphPassInfer(t *testing.T) {
	g, err := NewUNet(UNet{C: 1, H: 8, W: 8, Widths: []int{8, 16}, Groups: 4})
	if err != nil {
		t.Fatal(err)
	}
	const n = 19
	w, x, _ := unetInputs(g, n)
	p32, err := g.NewPass32(nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]interface {
		Forward(out, w, x []float64)
		Infer(out, w, x []float64)
		Backward(grad, w, dOut []float64)
	}{"GraphPass": g.NewPass(nil), "GraphPass32": p32} {
		fw, inf := make([]float64, n*g.OutDim()), make([]float64, n*g.OutDim())
		p.Forward(fw, w, x)
		p.Infer(inf, w, x)
		for i := range fw {
			if math.Float64bits(fw[i]) != math.Float64bits(inf[i]) {
				t.Fatalf("%s: Infer output %d = %v, Forward %v", name, i, inf[i], fw[i])
			}
		}
		if !raceEnabled {
			if a := testing.AllocsPerRun(3, func() { p.Infer(inf, w, x) }); a != 0 {
				t.Errorf("%s: %v allocs per Infer, want 0", name, a)
			}
		}
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: Backward after Infer did not panic", name)
				}
			}()
			p.Backward(make([]float64, len(w)), w, fw)
		}()
	}
}

// unetInputs returns the parameters of U-Net g (InitUNet, seed 5) and n images of
// uniform pixels (seed 6), with the generator that drew them for further draws.
func unetInputs(g *Graph, n int) (w, x []float64, rng *rand.Rand) {
	w = make([]float64, g.NumParams())
	InitUNet(g, w, rand.NewPCG(5, 5), 0.5)
	rng = rand.New(rand.NewPCG(6, 6))
	x = make([]float64, n*g.InDim())
	for i := range x {
		x[i] = rng.Float64()
	}
	return w, x, rng
}
