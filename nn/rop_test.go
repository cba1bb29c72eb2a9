package nn

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/sdeml/sdeml/internal/testutil"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// exactHessian returns the dense Hessian whose column j is obj.HVP(e_j).
func exactHessian(obj *Supervised, w []float64, idx []int) *mat.Dense {
	n := len(w)
	H := mat.NewDense(n, n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	for j := range n {
		e[j] = 1
		obj.HVP(col, w, e, idx)
		e[j] = 0
		H.SetCol(j, col)
	}
	return H
}

// gradDiffHessian returns the dense Hessian by central differences of the exact gradient
// LossGrad with step h, column j = [∇L(w + h e_j) − ∇L(w − h e_j)]/(2h); with
// richardson it returns (4D(h/2) − D(h))/3, whose truncation error is O(h⁴) instead of
// O(h²).
func gradDiffHessian(obj Objective, w []float64, idx []int, h float64, richardson bool) *mat.Dense {
	n := len(w)
	H := mat.NewDense(n, n, nil)
	wp := slices.Clone(w)
	gp := make([]float64, n)
	gm := make([]float64, n)
	d := func(dst []float64, j int, h float64) {
		wp[j] = w[j] + h
		obj.LossGrad(gp, wp, idx)
		wp[j] = w[j] - h
		obj.LossGrad(gm, wp, idx)
		wp[j] = w[j]
		floats.SubTo(dst, gp, gm)
		floats.Scale(1/(2*h), dst)
	}
	c1 := make([]float64, n)
	c2 := make([]float64, n)
	for j := range n {
		d(c1, j, h)
		if richardson {
			d(c2, j, h/2)
			for i := range c1 {
				c1[i] = (4*c2[i] - c1[i]) / 3
			}
		}
		H.SetCol(j, c1)
	}
	return H
}

// relErrDense is ‖A − B‖_F/‖B‖_F.
func relErrDense(A, B *mat.Dense) float64 {
	return testutil.RelErr(A.RawMatrix().Data, B.RawMatrix().Data)
}

// smoothCases are small smooth networks (two hidden layers, so the cross terms
// V_lᵀδ_l and δ_l R{a_{l-1}}ᵀ of every kind occur) on both losses, dense and masked.
type ropCase struct {
	name string
	obj  *Supervised
	w    []float64
	idx  []int
}

func smoothCases(t *testing.T) []ropCase {
	var cs []ropCase
	k := uint64(0)
	add := func(act, out Activation, loss Loss, masked bool) {
		k++
		net, err := NewMLP([]int{3, 4, 3, 2}, act, out)
		if err != nil {
			t.Fatal(err)
		}
		if masked {
			net.Mask = randomMask(net.NumParams(), 100+k)
		}
		obj, err := NewSupervised(net, randomData(200+k, 7, 3, 2), loss)
		if err != nil {
			t.Fatal(err)
		}
		// Repeated entries in idx: the mean counts them twice.
		idx := []int{0, 1, 2, 3, 4, 5, 6, 2}
		cs = append(cs, ropCase{fmt.Sprintf("%v-%v/%T/masked=%v", act, out, loss, masked), obj, randomParams(net, 300+k), idx})
	}
	for _, act := range []Activation{Tanh, Sigmoid, GELU} {
		for _, loss := range []Loss{SoftmaxCE{}, MSE{}} {
			for _, masked := range []bool{false, true} {
				add(act, Identity, loss, masked)
			}
		}
	}
	// Non-identity outputs: σ'' enters at the last layer too.
	add(Tanh, Sigmoid, MSE{}, false)
	add(GELU, Tanh, SoftmaxCE{}, true)
	return cs
}

// TestHVPExactSmooth compares the Hessian built from HVP columns (H e_j) with two
// independent references: gonum's fd.Hessian (second differences of loss values only, no
// backward pass) and Richardson-extrapolated central differences of the exact gradient.
func TestHVPExactSmooth(t *testing.T) {
	for _, c := range smoothCases(t) {
		H := exactHessian(c.obj, c.w, c.idx)
		var Hfd mat.SymDense
		fd.Hessian(&Hfd, func(x []float64) float64 { return c.obj.LossGrad(nil, x, c.idx) }, c.w, &fd.Settings{Formula: fd.Central, Step: 1e-4})
		ref1 := mat.DenseCopyOf(&Hfd)
		ref2 := gradDiffHessian(c.obj, c.w, c.idx, 1e-3, true)
		e1, e2 := relErrDense(H, ref1), relErrDense(H, ref2)
		t.Logf("%s: rel. error vs fd.Hessian %.2g, vs Richardson grad differences %.2g", c.name, e1, e2)
		// fd.Hessian (step 1e-4): truncation O(h²)·f⁗ ≈ 1e-8 and rounding ε|L|/h² ≈ 2e-8
		// per entry on O(0.1) entries: ≈ 1e-7 relative (observed ≤ 2e-7); bound 1e-5.
		if e1 > 1e-5 {
			t.Errorf("%s: relative error vs fd.Hessian %.3g", c.name, e1)
		}
		// Richardson of gradient differences (h = 1e-3): truncation O(h⁴)·∇⁵L ≈ 1e-12 and
		// rounding ≈ 3ε‖∇L‖/h ≈ 1e-12: ≈ 1e-11 relative (observed ≤ 1e-10); bound 1e-8.
		if e2 > 1e-8 {
			t.Errorf("%s: relative error vs gradient differences %.3g", c.name, e2)
		}
		// H v for a random v against the reference Hessian times v.
		v := randomParams(c.obj.Net, 7)
		got := make([]float64, len(v))
		c.obj.HVP(got, c.w, v, c.idx)
		want := mat.NewVecDense(len(v), nil)
		want.MulVec(ref2, mat.NewVecDense(len(v), v))
		// Same references and errors as the columns above: bound 1e-8.
		if e := testutil.RelErr(got, want.RawVector().Data); e > 1e-8 {
			t.Errorf("%s: H v relative error %.3g", c.name, e)
		}
		if m := c.obj.Net.Mask; m != nil {
			checkMasked(t, c, H, v, got)
		}
	}
}

// checkMasked checks that masked rows and columns of H are exactly 0 and that masked
// entries of v do not matter (H v = H (v⊙M) bit for bit).
func checkMasked(t *testing.T, c ropCase, H *mat.Dense, v, hv []float64) {
	t.Helper()
	m := c.obj.Net.Mask
	for i, keep := range m {
		if keep {
			continue
		}
		for j := range m {
			if H.At(i, j) != 0 || H.At(j, i) != 0 {
				t.Fatalf("%s: H[%d,%d] or H[%d,%d] ≠ 0 for masked %d", c.name, i, j, j, i, i)
			}
		}
		if hv[i] != 0 {
			t.Fatalf("%s: (Hv)[%d] = %v for a masked entry", c.name, i, hv[i])
		}
	}
	vm := slices.Clone(v)
	maskTo(vm, v, m)
	got := make([]float64, len(v))
	c.obj.HVP(got, c.w, vm, c.idx)
	if !slices.Equal(got, hv) {
		t.Errorf("%s: H v ≠ H (v⊙M)", c.name)
	}
}

// preacts returns the pre-activations of all hidden layers (the ReLU inputs) at w on the
// samples idx, concatenated.
func preacts(obj *Supervised, w []float64, idx []int) []float64 {
	st := obj.get()
	defer obj.put(st)
	obj.outputs(st, w, idx)
	var z []float64
	for l := 0; l < obj.Net.NumLayers()-1; l++ {
		z = append(z, st.ws.z[l][:len(idx)*obj.Net.Sizes[l+1]]...)
	}
	return z
}

// TestHVPExactReLU compares HVP on ReLU networks with central differences of the exact
// gradient at a step h small enough that no pre-activation changes sign, checked
// explicitly: on the activation region of w the loss is smooth, and its Hessian there is
// what HVP computes.
func TestHVPExactReLU(t *testing.T) {
	const h = 1e-5
	for k, loss := range []Loss{SoftmaxCE{}, MSE{}, SoftmaxCE{}, MSE{}} {
		net, _ := NewMLP([]int{3, 6, 5, 2}, ReLU, Identity)
		if k >= 2 {
			net.Mask = randomMask(net.NumParams(), uint64(400+k))
		}
		obj, err := NewSupervised(net, randomData(uint64(410+k), 8, 3, 2), loss)
		if err != nil {
			t.Fatal(err)
		}
		idx := seq(8)
		w := randomParams(net, uint64(420+k))
		name := fmt.Sprintf("%T/masked=%v", loss, net.Mask != nil)

		// No kink within the step: every pre-activation moves by less than half its
		// distance to 0 at the ends w ± h e_j (it is smooth in w on the region, with
		// change h·∂z/∂w_j + O(h²), so this margin also covers the segment between).
		// A unit whose inputs are all masked has z ≡ 0 and must not move at all.
		z0 := preacts(obj, w, idx)
		move := make([]float64, len(z0))
		wp := slices.Clone(w)
		for j := range w {
			for _, s := range []float64{h, -h} {
				wp[j] = w[j] + s
				for i, z := range preacts(obj, wp, idx) {
					move[i] = max(move[i], math.Abs(z-z0[i]))
				}
			}
			wp[j] = w[j]
		}
		minRatio, dead := math.Inf(1), 0
		for i, z := range z0 {
			if z == 0 && move[i] == 0 {
				dead++
				continue
			}
			minRatio = min(minRatio, math.Abs(z)/move[i])
		}
		t.Logf("%s: min |z|/max|Δz| = %.3g over %d pre-activations (%d identically 0)", name, minRatio, len(z0), dead)
		if !(minRatio > 2) {
			t.Fatalf("%s: a pre-activation comes within the step of its kink (min |z|/|Δz| = %.3g); choose other seeds", name, minRatio)
		}

		H := exactHessian(obj, w, idx)
		ref := gradDiffHessian(obj, w, idx, h, false)
		e := relErrDense(H, ref)
		t.Logf("%s: rel. error vs gradient differences %.2g", name, e)
		// Central differences of the exact gradient inside one region: truncation
		// h²/6·∇³L ≈ 2e-11 and rounding ε‖∇L‖/h ≈ 2e-11 per entry: ≈ 1e-10 relative
		// (observed ≈ 1e-10); bound 1e-7.
		if e > 1e-7 {
			t.Errorf("%s: relative error %.3g", name, e)
		}
		if net.Mask != nil {
			v := randomParams(net, 9)
			hv := make([]float64, len(v))
			obj.HVP(hv, w, v, idx)
			checkMasked(t, ropCase{name, obj, w, idx}, H, v, hv)
		}
	}
}

// TestHVPSymmetric checks uᵀ(Hv) = vᵀ(Hu) on wider nets (the R-operator does not build H,
// so symmetry is a property of the two computations, not of a stored matrix).
func TestHVPSymmetric(t *testing.T) {
	for _, act := range []Activation{ReLU, Tanh, GELU} {
		net, _ := NewMLP([]int{6, 16, 12, 4}, act, Identity)
		obj, _ := NewSupervised(net, randomData(500, 40, 6, 4), SoftmaxCE{})
		w := randomParams(net, 501)
		u, v := randomParams(net, 502), randomParams(net, 503)
		for i := range u {
			u[i] *= 3 // O(1) entries
			v[i] *= 3
		}
		hu, hv := make([]float64, len(u)), make([]float64, len(u))
		idx := seq(40)
		obj.HVP(hu, w, u, idx)
		obj.HVP(hv, w, v, idx)
		a, b := floats.Dot(u, hv), floats.Dot(v, hu)
		scale := floats.Norm(u, 2) * floats.Norm(hv, 2)
		// Both are sums of ≈ 400 products of rounded values with relative errors of a few ε
		// times the depth: |a − b| ≲ 1e-14·‖u‖‖Hv‖; bound 1e-10.
		t.Logf("%v: uᵀHv = %.6g, vᵀHu = %.6g, diff/scale %.2g", act, a, b, math.Abs(a-b)/scale)
		if math.Abs(a-b) > 1e-10*scale {
			t.Errorf("%v: uᵀHv = %v, vᵀHu = %v", act, a, b)
		}
	}
}

// TestHVPChunksAndThreads checks that an index set longer than one chunk gives the
// weighted mean of the chunks' HVPs, and that results are bit-identical for
// GOMAXPROCS 1 and 2.
func TestHVPChunksAndThreads(t *testing.T) {
	net, _ := NewMLP([]int{20, 64, 64, 5}, GELU, Identity)
	net.Mask = randomMask(net.NumParams(), 600)
	obj, _ := NewSupervised(net, randomData(601, 700, 20, 5), SoftmaxCE{})
	w := randomParams(net, 602)
	v := randomParams(net, 603)
	idx := make([]int, chunkRows+300)
	for i := range idx {
		idx[i] = (7 * i) % 700
	}
	n := len(w)
	full, a, b := make([]float64, n), make([]float64, n), make([]float64, n)
	obj.HVP(full, w, v, idx)
	obj.HVP(a, w, v, idx[:chunkRows])
	obj.HVP(b, w, v, idx[chunkRows:])
	want := make([]float64, n)
	for i := range want {
		want[i] = (float64(chunkRows)*a[i] + 300*b[i]) / float64(len(idx))
	}
	// Only the order of summation differs: relative error ≈ ε; bound 1e-12.
	if e := testutil.RelErr(full, want); e > 1e-12 {
		t.Errorf("chunked HVP relative error %.3g", e)
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	one := make([]float64, n)
	obj.HVP(one, w, v, idx)
	runtime.GOMAXPROCS(2)
	two := make([]float64, n)
	obj.HVP(two, w, v, idx)
	if !slices.Equal(one, two) || !slices.Equal(one, full) {
		t.Error("HVP differs between GOMAXPROCS 1 and 2")
	}
}

// onlyObjective hides the HVP method of an objective.
type onlyObjective struct{ Objective }

// onlyLoss hides the HessVec method of a loss.
type onlyLoss struct{ Loss }

// TestHVPDispatch checks that HVP and Hessian.MulVec use the exact product when the
// objective has one, and central differences otherwise (wrapped objective, Difference,
// a loss without HessVec), the latter agreeing with the exact one to its accuracy.
func TestHVPDispatch(t *testing.T) {
	net, _ := NewMLP([]int{3, 5, 2}, Tanh, Identity)
	data := randomData(700, 9, 3, 2)
	obj, _ := NewSupervised(net, data, SoftmaxCE{})
	w, v := randomParams(net, 701), randomParams(net, 702)
	idx := seq(9)
	n := len(w)
	exact, got := make([]float64, n), make([]float64, n)
	obj.HVP(exact, w, v, idx)
	HVP(got, obj, w, v, idx)
	if !slices.Equal(got, exact) {
		t.Error("nn.HVP is not Supervised.HVP")
	}
	h := &Hessian{Obj: obj, Step: 1}
	h.MulVec(got, w, v, idx)
	if !slices.Equal(got, exact) {
		t.Error("Hessian.MulVec is not Supervised.HVP")
	}
	// Central differences with the default step h ≈ 6e-6(1 + ‖w‖_∞): truncation
	// h²/6·∇³L ≈ 1e-11, rounding ε‖∇L‖/h ≈ 4e-11, relative to ‖Hv‖ = O(0.1): ≲ 1e-9;
	// bound 1e-7. Each fallback must also differ from the exact bits.
	lossOnly, _ := NewSupervised(net, data, onlyLoss{SoftmaxCE{}})
	for name, f := range map[string]func(){
		"wrapped objective":    func() { HVP(got, onlyObjective{obj}, w, v, idx) },
		"Difference":           func() { (&Hessian{Obj: obj, Difference: true}).MulVec(got, w, v, idx) },
		"loss without HessVec": func() { lossOnly.HVP(got, w, v, idx) },
	} {
		f()
		e := testutil.RelErr(got, exact)
		t.Logf("%s: central differences vs exact: %.2g", name, e)
		if e > 1e-7 || e == 0 {
			t.Errorf("%s: relative error %.3g", name, e)
		}
	}
}

// TestHVPFDFailsAtKinks shows why the exact product matters: with one ReLU pre-activation
// put at its kink (z = 0 for one sample), central differences of gradients straddle the
// kink and pick up the jump of the gradient divided by 2h, while the exact product is the
// Hessian of the side σ'(0) = 0 selects, still symmetric.
func TestHVPFDFailsAtKinks(t *testing.T) {
	net, _ := NewMLP([]int{10, 16, 16, 3}, ReLU, Identity)
	obj, _ := NewSupervised(net, randomData(800, 20, 10, 3), SoftmaxCE{})
	w := randomParams(net, 801)
	// Unit 0 of the first layer: b₀ = −W₀·x₀ puts z₀(x₀) at 0 (up to rounding, far
	// inside the step ≈ 6e-6).
	W, b := net.Layer(w, 0)
	b[0] = -mat.Dot(W.RowView(0), obj.Data.X.RowView(0))
	v := randomParams(net, 802)
	idx := seq(20)
	n := len(w)
	exact, diff := make([]float64, n), make([]float64, n)
	obj.HVP(exact, w, v, idx)
	(&Hessian{Obj: obj, Difference: true}).MulVec(diff, w, v, idx)
	e := testutil.RelErr(diff, exact)
	t.Logf("ReLU with one pre-activation at its kink: central differences vs exact %.2g", e)
	// Away from kinks the two agree to ≲ 1e-9 (TestHVPDispatch, TestHVPExactReLU); the
	// jump term is O(|a||δ|/(B·2h)) ≈ 1e-2/(20·1e-5) ≫ ‖Hv‖ = O(1): expect an O(1) or
	// larger relative difference; bound 0.1.
	if e < 0.1 {
		t.Errorf("central differences agree with the exact product to %.3g across a kink", e)
	}
}

func TestHVPNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race (sync.Pool drops items on purpose)")
	}
	net, _ := NewMLP([]int{4, 8, 8, 3}, ReLU, Identity)
	net.Mask = randomMask(net.NumParams(), 900)
	obj, _ := NewSupervised(net, randomData(901, 16, 4, 3), SoftmaxCE{})
	w, v := randomParams(net, 902), randomParams(net, 903)
	dst := make([]float64, len(w))
	idx := seq(16)
	obj.HVP(dst, w, v, idx)
	if a := testing.AllocsPerRun(20, func() { obj.HVP(dst, w, v, idx) }); a != 0 {
		t.Errorf("Supervised.HVP: %v allocs/op", a)
	}
	if a := testing.AllocsPerRun(20, func() { HVP(dst, obj, w, v, idx) }); a != 0 {
		t.Errorf("nn.HVP: %v allocs/op", a)
	}
}

// TestHVPConcurrent runs HVP from several goroutines at once (each with its own dst) and
// checks every result against the serial one bit for bit; under -race it also checks for
// data races on the pooled scratch.
func TestHVPConcurrent(t *testing.T) {
	net, _ := NewMLP([]int{5, 12, 4}, GELU, Identity)
	obj, _ := NewSupervised(net, randomData(950, 30, 5, 4), MSE{})
	w := randomParams(net, 951)
	idx := seq(30)
	const G = 4
	want := make([][]float64, G)
	vs := make([][]float64, G)
	for g := range G {
		vs[g] = randomParams(net, uint64(960+g))
		want[g] = make([]float64, len(w))
		obj.HVP(want[g], w, vs[g], idx)
	}
	got := make([][]float64, G)
	done := make(chan int)
	for g := range G {
		got[g] = make([]float64, len(w))
		go func() {
			for range 20 {
				obj.HVP(got[g], w, vs[g], idx)
			}
			done <- g
		}()
	}
	for range G {
		<-done
	}
	for g := range G {
		if !slices.Equal(got[g], want[g]) {
			t.Errorf("goroutine %d: result differs from the serial one", g)
		}
	}
}
