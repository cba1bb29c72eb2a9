package meanfield

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// opaque hides the dense layout of a unit, forcing the generic per-pair path
// (Forward/AddVJP through the Unit interface).
type opaque struct{ Unit }

// TestDenseMatchesGeneric runs every built-in unit under every method through the dense
// (matrix-product) path and the generic per-pair path. They compute the same sums in a
// different order, so they agree to rounding: 1e-11 relative after 5 steps.
func TestDenseMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	cases := []struct {
		u Unit
		l Loss
		k int
	}{
		{TanhUnit(1), Squared{}, 1},
		{SigmoidUnit(3), Squared{}, 1},
		{ScalarUnit{P: 2, Act: ReLU}, Squared{}, 1},
		{ReLUUnit{P: 6, K: 3}, SoftmaxCE{}, 3},
		{FirstLayerUnit{P: 4, Act: Tanh}, Squared{}, 1},
		{SigmoidUnit(6), Squared{}, 1},
		{FirstLayerUnit{P: 7, Act: ReLU}, Squared{}, 1},
		// Wider than inlineP: pre-activations and first-layer updates through gemm.
		{ReLUUnit{P: 40, K: 3}, SoftmaxCE{}, 3},
		{ScalarUnit{P: 20, Act: Tanh}, Squared{}, 1},
		{FirstLayerUnit{P: 18, Act: Sigmoid}, Squared{}, 1},
		// One input, several outputs: the general branch of the backward pass.
		{ReLUUnit{P: 1, K: 2}, SoftmaxCE{}, 2},
	}
	for _, c := range cases {
		pts := randomPoints(t, r, 7, c.u.InDim(), c.k, c.k > 1)
		for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
			for _, procs := range []int{1, 2} {
				old := runtime.GOMAXPROCS(procs)
				a := randomParticles(t, 150, c.u.Dim(), 5)
				a.Weight = make([]float64, a.N)
				for k := range a.Weight {
					a.Weight[k] = (1 + float64(k%3)) / (2 * float64(a.N))
				}
				var s float64
				for _, w := range a.Weight {
					s += w
				}
				for k := range a.Weight {
					a.Weight[k] /= s
				}
				b := a.Clone()
				mk := func(u Unit) *Trainer {
					return &Trainer{Unit: u, Loss: c.l, Method: m, Data: pts, Batch: 3, Seed: 8, Penalty: 0.1,
						Schedule: Schedule{Gamma: 0.3, Beta: 1, N: a.N}}
				}
				ta, tb := mk(c.u), mk(opaque{c.u})
				for n := range 5 {
					ra, err := ta.Step(a, n)
					if err != nil {
						t.Fatal(err)
					}
					rb, err := tb.Step(b, n)
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(ra-rb) > 1e-12*(1+math.Abs(ra)) {
						t.Fatalf("%T %v: risk %v vs %v", c.u, m, ra, rb)
					}
				}
				runtime.GOMAXPROCS(old)
				for i := range a.W {
					if math.Abs(a.W[i]-b.W[i]) > 1e-11*(1+math.Abs(a.W[i])) {
						t.Fatalf("%T %v procs %d: W[%d] dense %v, generic %v", c.u, m, procs, i, a.W[i], b.W[i])
					}
				}
				fa := ComputeField(nil, c.u, a, pts)
				fb := ComputeField(nil, opaque{c.u}, a, pts)
				for i := range fa {
					if math.Abs(fa[i]-fb[i]) > 1e-13*(1+math.Abs(fa[i])) {
						t.Fatalf("%T: field %v vs %v", c.u, fa[i], fb[i])
					}
				}
			}
		}
	}
}

// TestGenericDeterministicAcrossGOMAXPROCS repeats the determinism check on the generic
// path.
func TestGenericDeterministicAcrossGOMAXPROCS(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	pts := randomPoints(t, r, 5, 2, 1, false)
	for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
		var ref []float64
		for _, procs := range []int{1, 2, 3} {
			old := runtime.GOMAXPROCS(procs)
			ps := randomParticles(t, 100, 4, 6)
			tr := Trainer{Unit: opaque{TanhUnit(2)}, Loss: Squared{}, Method: m, Data: pts, Batch: 2, Seed: 1,
				Schedule: Schedule{Gamma: 0.2, Beta: 1, N: 100}}
			if err := tr.Run(ps, 0, 4, nil); err != nil {
				t.Fatal(err)
			}
			runtime.GOMAXPROCS(old)
			if ref == nil {
				ref = ps.W
				continue
			}
			for i := range ref {
				if ref[i] != ps.W[i] {
					t.Fatalf("%v: GOMAXPROCS %d changed W[%d]", m, procs, i)
				}
			}
		}
	}
}

// TestGemmPathDeterministicAcrossGOMAXPROCS repeats the determinism check on the dense path
// with wide inputs and several outputs, where the pre-activations, the field and the
// updates go through gemm; N·n·P = 600·64·40 > 2^20, so internal/gemm splits the input-side
// products over the workers.
func TestGemmPathDeterministicAcrossGOMAXPROCS(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	u := ReLUUnit{P: 40, K: 3}
	pts := randomPoints(t, r, 64, u.P, u.K, true)
	for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
		var ref []float64
		for _, procs := range []int{1, 2, 3} {
			old := runtime.GOMAXPROCS(procs)
			ps := randomParticles(t, 600, u.Dim(), 6)
			tr := Trainer{Unit: u, Loss: SoftmaxCE{}, Method: m, Data: pts, Batch: 64, Seed: 1,
				Schedule: Schedule{Gamma: 0.2, Beta: 1, N: ps.N}}
			if err := tr.Run(ps, 0, 4, nil); err != nil {
				t.Fatal(err)
			}
			runtime.GOMAXPROCS(old)
			if ref == nil {
				ref = ps.W
				continue
			}
			for i := range ref {
				if ref[i] != ps.W[i] {
					t.Fatalf("%v: GOMAXPROCS %d changed W[%d]", m, procs, i)
				}
			}
		}
	}
}
