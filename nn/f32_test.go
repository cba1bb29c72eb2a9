package nn

import (
	"math"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// bound32 computes, in float64 from the exact (float64) pass of an MLP with ReLU hidden
// layers, Identity output and SoftmaxCE on the rows idx, first-order bounds on the
// difference between Supervised32's and the exact mean loss and gradient. It returns the
// bounds and the smallest ratio |z|/Δz over hidden pre-activations (the derivation needs
// it above 1: no ReLU mask may flip). The derivation, with u = 2⁻²⁴:
//
// Forward. x and the parameters are rounded to float32 (relative error ≤ u each). The
// product of layer l, ẑ = fl(Ŵ â + b̂), is a chain of k FMAs in ⌈k/256⌉ blocks plus the
// bias combination, so |ẑ − Ŵâ − b̂| ≤ (k + ⌈k/256⌉)·u·(|Ŵ||â| + |b̂|) (Higham §3.5, to
// first order); with the parameter rounding,
//
//	Δz_l ≤ |W_l| Δa_{l-1} + (k_l + ⌈k_l/256⌉ + 1)·u·(|W_l||a_{l-1}| + |b_l|),  Δa_0 = u|x|,
//
// and Δa_l ≤ Δz_l since ReLU and Identity are 1-Lipschitz. The loss ℓ = lse(o) − o_y is
// 2-Lipschitz in the max norm, so |Δℓ| ≤ 2‖Δo‖∞ (the loss runs in float64: its own error
// is 2²⁹ times smaller).
//
// Backward. The output error e = (softmax(o) − onehot)/B has Jacobian
// (diag(p) − ppᵀ)/B, whose row k applied to Δo is at most 2p_k‖Δo‖∞/B; rounding e to
// float32 adds u|e_k|. δ_l = E_l ⊙ mask_l with E_l = δ_{l+1}W_{l+1} (out_{l+1} FMAs):
//
//	Δδ_l ≤ mask_l ⊙ (|Δδ_{l+1}||W| + (n + ⌈n/256⌉ + 1)·u·|δ_{l+1}||W|),  n = out_{l+1},
//
// as long as no mask flips (|z| > Δz for every hidden unit). The weight gradient δᵀa is a
// chain of B FMAs: ΔdW ≤ |Δδ|ᵀ|a| + |δ|ᵀΔa + (B + ⌈B/256⌉)·u·|δ|ᵀ|a|, and the bias gradient,
// summed in float64, ΔdB ≤ Σ_i |Δδ_i|. Second-order terms are covered by a factor 1.01.
func bound32(t *testing.T, net *MLP, w []float64, d *Dataset, idx []int) (lossTol float64, gradTol []float64, margin float64) {
	const u = 0x1p-24
	L, B, sz := net.NumLayers(), len(idx), net.Sizes
	blocks := func(k int) float64 { return float64(k + (k+255)/256) }
	we := append([]float64(nil), w...)
	if net.Mask != nil {
		maskTo(we, w, net.Mask)
	}
	a := make([][]float64, L+1)  // a[0] = x, a[l] = output of layer l (B×sz[l])
	da := make([][]float64, L+1) // bound on its error
	z := make([][]float64, L+1)
	a[0], da[0] = make([]float64, B*sz[0]), make([]float64, B*sz[0])
	for r, i := range idx {
		for j := 0; j < sz[0]; j++ {
			v := d.X.At(i, j)
			a[0][r*sz[0]+j], da[0][r*sz[0]+j] = v, u*math.Abs(v)
		}
	}
	offs := make([]int, L+1)
	for l := 1; l <= L; l++ {
		offs[l] = offs[l-1] + sz[l]*(sz[l-1]+1)
	}
	margin = math.Inf(1)
	for l := 1; l <= L; l++ {
		in, out := sz[l-1], sz[l]
		W, b := we[offs[l-1]:offs[l-1]+out*in], we[offs[l-1]+out*in:offs[l]]
		a[l], da[l], z[l] = make([]float64, B*out), make([]float64, B*out), make([]float64, B*out)
		for r := 0; r < B; r++ {
			for o := 0; o < out; o++ {
				s, mag, prop := b[o], math.Abs(b[o]), 0.0
				for j := 0; j < in; j++ {
					s += W[o*in+j] * a[l-1][r*in+j]
					mag += math.Abs(W[o*in+j] * a[l-1][r*in+j])
					prop += math.Abs(W[o*in+j]) * da[l-1][r*in+j]
				}
				dz := prop + (blocks(in)+1)*u*mag
				z[l][r*out+o], da[l][r*out+o], a[l][r*out+o] = s, dz, s
				if l < L {
					a[l][r*out+o] = max(s, 0)
					margin = min(margin, math.Abs(s)/dz)
				}
			}
		}
	}
	K := sz[L]
	delta := make([]float64, B*K) // exact δ_L and its error bound
	ddelta := make([]float64, B*K)
	for r, i := range idx {
		o, do := z[L][r*K:(r+1)*K], da[L][r*K:(r+1)*K]
		mx, dmax := o[0], 0.0
		for k := range o {
			mx, dmax = max(mx, o[k]), max(dmax, do[k])
		}
		s := 0.0
		for _, v := range o {
			s += math.Exp(v - mx)
		}
		lossTol += 2 * dmax / float64(B)
		for k, v := range o {
			p := math.Exp(v-mx) / s
			e := p
			if k == d.Labels[i] {
				e--
			}
			delta[r*K+k] = e / float64(B)
			ddelta[r*K+k] = 2*p*dmax/float64(B) + u*math.Abs(e/float64(B))
		}
	}
	gradTol = make([]float64, len(w))
	for l := L; l >= 1; l-- {
		in, out := sz[l-1], sz[l]
		W := we[offs[l-1] : offs[l-1]+out*in]
		gw, gb := gradTol[offs[l-1]:offs[l-1]+out*in], gradTol[offs[l-1]+out*in:offs[l]]
		for o := 0; o < out; o++ {
			for j := 0; j < in; j++ {
				e1, e2, mag := 0.0, 0.0, 0.0
				for r := 0; r < B; r++ {
					e1 += ddelta[r*out+o] * math.Abs(a[l-1][r*in+j])
					e2 += math.Abs(delta[r*out+o]) * da[l-1][r*in+j]
					mag += math.Abs(delta[r*out+o] * a[l-1][r*in+j])
				}
				gw[o*in+j] = e1 + e2 + blocks(B)*u*mag
			}
			for r := 0; r < B; r++ {
				gb[o] += ddelta[r*out+o]
			}
		}
		if l == 1 {
			break
		}
		nd, ndd := make([]float64, B*in), make([]float64, B*in)
		for r := 0; r < B; r++ {
			for j := 0; j < in; j++ {
				if z[l-1][r*in+j] <= 0 {
					continue
				}
				s, prop, mag := 0.0, 0.0, 0.0
				for o := 0; o < out; o++ {
					s += delta[r*out+o] * W[o*in+j]
					prop += ddelta[r*out+o] * math.Abs(W[o*in+j])
					mag += math.Abs(delta[r*out+o] * W[o*in+j])
				}
				nd[r*in+j], ndd[r*in+j] = s, prop+(blocks(out)+1)*u*mag
			}
		}
		delta, ddelta = nd, ndd
	}
	for i := range gradTol {
		gradTol[i] *= 1.01
	}
	return 1.01 * lossTol, gradTol, margin
}

// TestSupervised32Bound checks Supervised32's loss and gradient against Supervised's
// (float64) within the first-order float32 rounding bounds of bound32, entry by entry,
// for a dense and a masked network, one with inputs longer than a kc = 256 block.
func TestSupervised32Bound(t *testing.T) {
	for _, c := range []struct {
		name   string
		sizes  []int
		masked bool
		batch  int
	}{
		{"dense", []int{40, 32, 24, 6}, false, 64},
		{"masked, narrow input", []int{12, 32, 24, 6}, true, 50},
		{"k>256", []int{300, 40, 10}, false, 70},
		{"few rows (float64 weight gradient)", []int{40, 32, 24, 6}, false, 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			net, _ := NewMLP(c.sizes, ReLU, Identity)
			if c.masked {
				net.Mask = randomMask(net.NumParams(), 7)
			}
			data := randomData(5, 100, c.sizes[0], c.sizes[len(c.sizes)-1])
			w := randomParams(net, 6)
			o64, err := NewSupervised(net, data, SoftmaxCE{})
			if err != nil {
				t.Fatal(err)
			}
			o32, err := NewSupervised32(net, data, SoftmaxCE{})
			if err != nil {
				t.Fatal(err)
			}
			idx := seq(c.batch)
			g64, g32 := make([]float64, len(w)), make([]float64, len(w))
			l64, l32 := o64.LossGrad(g64, w, idx), o32.LossGrad(g32, w, idx)
			lossTol, gradTol, margin := bound32(t, net, w, data, idx)
			if margin <= 1 {
				t.Fatalf("a hidden pre-activation lies within its rounding bound of 0 (ratio %g): the bound does not apply to this draw", margin)
			}
			if d := math.Abs(l32 - l64); d > lossTol {
				t.Errorf("loss %v vs float64 %v: |diff| %g > bound %g", l32, l64, d, lossTol)
			}
			worst := 0.0
			for i := range w {
				d := math.Abs(g32[i] - g64[i])
				if d > gradTol[i] {
					t.Fatalf("grad[%d] = %v vs float64 %v: |diff| %g > bound %g", i, g32[i], g64[i], d, gradTol[i])
				}
				if gradTol[i] > 0 {
					worst = max(worst, d/gradTol[i])
				}
				if c.masked && !net.Mask[i] && g32[i] != 0 {
					t.Fatalf("masked grad[%d] = %v, want 0", i, g32[i])
				}
			}
			t.Logf("loss diff %.3g (bound %.3g); largest gradient diff / bound %.3f", math.Abs(l32-l64), lossTol, worst)
			// Losses and Accuracy agree with LossGrad's forward pass.
			ls := make([]float64, len(idx))
			o32.Losses(ls, w, idx)
			mean := 0.0
			for _, v := range ls {
				mean += v
			}
			if mean /= float64(len(idx)); math.Abs(mean-l32) > 1e-12 {
				t.Errorf("mean of Losses %v, LossGrad %v", mean, l32)
			}
			if a32, a64 := o32.Accuracy(w, idx), o64.Accuracy(w, idx); math.Abs(a32-a64) > 0.05 {
				t.Errorf("accuracy %v, float64 %v", a32, a64)
			}
		})
	}
}

// mlp32Problem is an MLP 200-96-64-10 on 256 random samples: at batch 128 its first
// products (128·96·200 multiply-adds) are split over workers, yet the portable kernel
// (purego builds) runs it in a fraction of a second.
func mlp32Problem(t testing.TB) (*Supervised32, []float64) {
	net, _ := NewMLP([]int{200, 96, 64, 10}, ReLU, Identity)
	obj, err := NewSupervised32(net, randomData(61, 256, 200, 10), SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	return obj, randomParams(net, 62)
}

// TestSupervised32Procs checks the same bits for GOMAXPROCS 1, 2 and 3 (the products are
// large enough to be split over workers).
func TestSupervised32Procs(t *testing.T) {
	obj, w := mlp32Problem(t)
	idx := seq(128)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var g0 []float64
	var l0 float64
	for _, p := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(p)
		g := make([]float64, len(w))
		l := obj.LossGrad(g, w, idx)
		if g0 == nil {
			g0, l0 = g, l
			continue
		}
		if math.Float64bits(l) != math.Float64bits(l0) {
			t.Fatalf("GOMAXPROCS=%d: loss %v, want %v", p, l, l0)
		}
		for i := range g {
			if math.Float64bits(g[i]) != math.Float64bits(g0[i]) {
				t.Fatalf("GOMAXPROCS=%d: grad[%d] = %v, want %v", p, i, g[i], g0[i])
			}
		}
	}
}

// TestSupervised32NoAllocs checks that LossGrad allocates nothing in steady state.
func TestSupervised32NoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	obj, w := mlp32Problem(t)
	g := make([]float64, len(w))
	idx := seq(128)
	f := func() { obj.LossGrad(g, w, idx) }
	f()
	if avg := testing.AllocsPerRun(20, f); avg >= 0.05 {
		t.Fatalf("%.2f allocations per LossGrad", avg)
	}
}

// TestSupervised32BadInput checks the construction errors and the "nn: " panics.
func TestSupervised32BadInput(t *testing.T) {
	net, _ := NewMLP([]int{3, 4, 2}, ReLU, Identity)
	data := randomData(1, 5, 3, 2)
	big := &Dataset{X: mat.DenseCopyOf(data.X), Labels: data.Labels}
	big.X.Set(2, 1, 1e39)
	if _, err := NewSupervised32(net, big, SoftmaxCE{}); err == nil || !strings.Contains(err.Error(), "Dataset.X[2][1] = 1e+39") {
		t.Errorf("overflowing input: err = %v", err)
	}
	if _, err := NewSupervised32(net, data, nil); err == nil || !strings.HasPrefix(err.Error(), "nn: ") {
		t.Errorf("nil loss: err = %v", err)
	}
	obj, err := NewSupervised32(net, data, SoftmaxCE{})
	if err != nil {
		t.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short w", func() { obj.LossGrad(nil, w[1:], []int{0}) }},
		{"short grad", func() { obj.LossGrad(w[1:], w, []int{0}) }},
		{"empty idx", func() { obj.LossGrad(nil, w, nil) }},
		{"index", func() { obj.LossGrad(nil, w, []int{5}) }},
		{"losses dst", func() { obj.Losses(w[:1], w, []int{0, 1}) }},
	} {
		func() {
			defer func() {
				if msg, ok := recover().(string); !ok || !strings.HasPrefix(msg, "nn: ") {
					t.Errorf("%s: recovered %q, want an \"nn: \" panic", tc.name, msg)
				}
			}()
			tc.f()
		}()
	}
}

// TestSupervised32Concurrent runs LossGrad from several goroutines at once (as sam's
// parallel micro-batches do), on batches of 4 and 40 rows, and checks each result bit for
// bit against the same call made alone.
func TestSupervised32Concurrent(t *testing.T) {
	obj, w := mlp32Problem(t)
	const n = 8
	want := make([][]float64, n)
	for k := range want {
		want[k] = make([]float64, len(w)+1)
		want[k][len(w)] = obj.LossGrad(want[k][:len(w)], w, seq(4 + 36*(k%2))[k%2:])
	}
	got := make([][]float64, n)
	done := make(chan int)
	for k := range got {
		got[k] = make([]float64, len(w)+1)
		go func() {
			got[k][len(w)] = obj.LossGrad(got[k][:len(w)], w, seq(4 + 36*(k%2))[k%2:])
			done <- k
		}()
	}
	for range got {
		<-done
	}
	for k := range got {
		for i := range got[k] {
			if math.Float64bits(got[k][i]) != math.Float64bits(want[k][i]) {
				t.Fatalf("call %d, entry %d: %v concurrently, %v alone", k, i, got[k][i], want[k][i])
			}
		}
	}
}

// TestSupervised32PassSplit checks that the element-wise passes (f32par.go) give the same
// bits however they are split: the least block size lowered to one element (pass32Min =
// 1, so every pass splits into up to 4 blocks per worker) on 1, 2 and 3 workers against
// the serial passes, on the test network and a masked copy (the rounding's masked branch), for
// batches of 128 (float32 weight gradients widened by the pass), 13 (float64 weight
// gradients, rows not a multiple of the gather's 8) and 1100 (two chunks of at most
// chunkRows = 1024: accumulation).
func TestSupervised32PassSplit(t *testing.T) {
	obj, w := mlp32Problem(t)
	mask := make([]bool, len(w))
	for i := range mask {
		mask[i] = i%7 != 3
	}
	masked := *obj.Net
	masked.Mask = mask
	objM, err := NewSupervised32(&masked, obj.Data, obj.Loss)
	if err != nil {
		t.Fatal(err)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func(m int) { pass32Min = m }(pass32Min)
	other := randomParams(obj.Net, 63)
	long := make([]int, 1100)
	for i := range long {
		long[i] = (7 * i) % obj.Len()
	}
	for _, o := range []*Supervised32{obj, objM} {
		for _, idx := range [][]int{seq(128), seq(13), long} {
			runtime.GOMAXPROCS(1)
			pass32Min = 1 << 30
			want := make([]float64, len(w))
			wantLoss := o.LossGrad(want, w, idx)
			for _, p := range []int{1, 2, 3} {
				runtime.GOMAXPROCS(p)
				g := make([]float64, len(w))
				pass32Min = 1 << 30
				o.LossGrad(g, other, idx) // leaves other values in the scratch state
				pass32Min = 1
				l := o.LossGrad(g, w, idx)
				if math.Float64bits(l) != math.Float64bits(wantLoss) {
					t.Fatalf("mask=%v B=%d GOMAXPROCS=%d: loss %v, want %v", o.Net.Mask != nil, len(idx), p, l, wantLoss)
				}
				for i := range g {
					if math.Float64bits(g[i]) != math.Float64bits(want[i]) {
						t.Fatalf("mask=%v B=%d GOMAXPROCS=%d: grad[%d] = %v, want %v", o.Net.Mask != nil, len(idx), p, i, g[i], want[i])
					}
				}
			}
		}
	}
}
