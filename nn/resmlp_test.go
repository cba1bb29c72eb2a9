package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// TestResMLPGradient checks ResMLP.Backward against central differences of the loss
// L(w) = Σ dOut ⊙ Forward(w) for random (nonzero) parameters in every layer, so the
// modulation and second block layers, zero at Init, are exercised too.
func TestResMLPGradient(t *testing.T) {
	for _, m := range []ResMLP{{In: 3, Cond: 4, Width: 6, Blocks: 2, Out: 3}, {In: 2, Cond: 0, Width: 5, Blocks: 1, Out: 2}} {
		rng := rand.New(rand.NewPCG(1, 2))
		w := make([]float64, m.NumParams())
		for i := range w {
			w[i] = 0.5 * rng.NormFloat64()
		}
		const B = 5
		x := blas64.General{Rows: B, Cols: m.InDim(), Stride: m.InDim(), Data: make([]float64, B*m.InDim())}
		for i := range x.Data {
			x.Data[i] = rng.NormFloat64()
		}
		dOut := make([]float64, B*m.Out)
		for i := range dOut {
			dOut[i] = rng.NormFloat64()
		}
		ws := m.NewWorkspace(B)
		out := make([]float64, B*m.Out)
		loss := func(w []float64) float64 {
			m.Forward(out, w, x, ws)
			var l float64
			for i, v := range out {
				l += v * dOut[i]
			}
			return l
		}
		loss(w)
		grad := make([]float64, len(w))
		m.Backward(grad, w, dOut, ws)
		const h = 1e-6
		var worst float64
		for j := range w {
			old := w[j]
			w[j] = old + h
			fp := loss(w)
			w[j] = old - h
			fm := loss(w)
			w[j] = old
			worst = max(worst, math.Abs((fp-fm)/(2*h)-grad[j])/max(1, math.Abs(grad[j])))
		}
		// Central differences of a smooth function (SiLU, LayerNorm with ε > 0): truncation
		// O(h²·f''') ≈ 1e-11, rounding ≈ 1e-16·|L|/h ≈ 1e-9; 1e-6 is far above both.
		if worst > 1e-6 {
			t.Errorf("%+v: worst relative gradient error %g", m, worst)
		}
		t.Logf("%+v: %d parameters, worst relative error %.2g", m, len(w), worst)
	}
}

// TestLayerNormMoments checks that LayerNorm rows have mean 0 and variance var/(var + ε).
func TestLayerNormMoments(t *testing.T) {
	h := []float64{1, 2, 3, 4, -1, 0, 0, 1}
	u, inv := make([]float64, 8), make([]float64, 2)
	LayerNorm(u, inv, h, 4)
	for r, va := range []float64{1.25, 0.5} {
		var mu, v float64
		for _, x := range u[r*4 : r*4+4] {
			mu += x / 4
			v += x * x / 4
		}
		// exact arithmetic on small integers: rounding only, 1e-14.
		if math.Abs(mu) > 1e-14 || math.Abs(v-va/(va+LayerNormEps)) > 1e-14 {
			t.Errorf("row %d: mean %v, variance %v, want 0 and %v", r, mu, v, va/(va+LayerNormEps))
		}
	}
}

// TestResMLPInitIdentityBlocks checks adaLN-Zero: at Init every block is the identity, so the
// output equals that of the same net with zero blocks on the shared layers.
func TestResMLPInitIdentityBlocks(t *testing.T) {
	m := ResMLP{In: 3, Cond: 2, Width: 8, Blocks: 3, Out: 2}
	w := make([]float64, m.NumParams())
	m.Init(w, rand.NewPCG(3, 3), 1)
	z := ResMLP{In: 3, Cond: 2, Width: 8, Blocks: 0, Out: 2}
	wz := make([]float64, z.NumParams())
	in, cond, _, out := m.layersNoTotal()
	zin, zcond, _, zout := z.layersNoTotal()
	copy(wz[zin.off:zin.off+zin.size()], w[in.off:in.off+in.size()])
	copy(wz[zcond.off:zcond.off+zcond.size()], w[cond.off:cond.off+cond.size()])
	copy(wz[zout.off:zout.off+zout.size()], w[out.off:out.off+out.size()])
	x := blas64.General{Rows: 2, Cols: 5, Stride: 5, Data: []float64{0.1, 0.2, 0.3, 1, -1, 0.5, -0.5, 0.9, 0, 2}}
	a, b := make([]float64, 4), make([]float64, 4)
	m.Forward(a, w, x, m.NewWorkspace(2))
	z.Forward(b, wz, x, z.NewWorkspace(2))
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("output %d: %v with identity blocks, %v without blocks", i, a[i], b[i])
		}
	}
}

// TestResMLPLayoutAllocFree checks that the allocation-free layer offsets agree with the
// flat layout, and that a forward and backward pass allocate nothing.
func TestResMLPLayoutAllocFree(t *testing.T) {
	m := ResMLP{In: 3, Cond: 4, Width: 6, Blocks: 3, Out: 2}
	in, cond, blocks, out := m.layersNoTotal()
	i2, c2, o2 := m.ends()
	if _, _, _, _, total := m.layers(); total != m.NumParams() {
		t.Fatalf("NumParams %d, layout total %d", m.NumParams(), total)
	}
	if in != i2 || cond != c2 || out != o2 {
		t.Fatalf("ends %v %v %v, layers %v %v %v", i2, c2, o2, in, cond, out)
	}
	for k := range blocks {
		if m.block(k) != blocks[k] {
			t.Fatalf("block %d: %v, layers %v", k, m.block(k), blocks[k])
		}
	}
	w := make([]float64, m.NumParams())
	m.Init(w, rand.NewPCG(1, 1), 1)
	ws := m.NewWorkspace(4)
	x := blas64.General{Rows: 4, Cols: 7, Stride: 7, Data: make([]float64, 28)}
	outb, grad, dOut := make([]float64, 8), make([]float64, len(w)), make([]float64, 8)
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items on purpose)")
	}
	if n := testing.AllocsPerRun(10, func() {
		m.Forward(outb, w, x, ws)
		m.Backward(grad, w, dOut, ws)
	}); n != 0 {
		t.Errorf("%v allocations per forward and backward pass, want 0", n)
	}
}

func BenchmarkResMLPPass(b *testing.B) {
	m := ResMLP{In: 16, Cond: 17, Width: 128, Blocks: 3, Out: 16}
	w := make([]float64, m.NumParams())
	m.Init(w, rand.NewPCG(1, 1), 1)
	ws := m.NewWorkspace(128)
	x := blas64.General{Rows: 128, Cols: 33, Stride: 33, Data: make([]float64, 128*33)}
	out, grad, dOut := make([]float64, 128*16), make([]float64, len(w)), make([]float64, 128*16)
	b.ReportAllocs()
	for b.Loop() {
		m.Forward(out, w, x, ws)
		m.Backward(grad, w, dOut, ws)
	}
}
