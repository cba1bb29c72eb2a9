package meanfield

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestStepDoesNotAllocate checks that a step allocates nothing once the Trainer's scratch
// and streams exist (the first step), for every method, on the dense path (inline and
// gemm widths), the generic path and a twin, with one and two threads.
func TestStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates and sync.Pool drops items at random")
	}
	r := rand.New(rand.NewPCG(61, 62))
	sampler := FuncSampler{P: 1, K: 1, Draw: func(x, y []float64, r *rand.Rand) {
		x[0] = 2*r.Float64() - 1
		y[0] = math.Sin(math.Pi * x[0])
	}}
	cases := []struct {
		u Unit
		l Loss
		k int
	}{
		{TanhUnit(1), Squared{}, 1},
		{opaque{TanhUnit(1)}, Squared{}, 1},
		{ReLUUnit{P: 40, K: 3}, SoftmaxCE{}, 3},
	}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		for _, c := range cases {
			pts := randomPoints(t, r, 16, c.u.InDim(), c.k, c.k > 1)
			for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
				ps := randomParticles(t, 300, c.u.Dim(), 3)
				tr := &Trainer{Unit: c.u, Loss: c.l, Method: m, Data: pts, Batch: 4, Seed: 5,
					Schedule: Schedule{Gamma: 1e-3, Beta: 1, N: ps.N}}
				if m == SGD && c.k == 1 {
					tr.Sampler, tr.Data = sampler, nil
				}
				n := 0
				step := func() {
					if _, err := tr.Step(ps, n); err != nil {
						t.Fatal(err)
					}
					n++
				}
				step()
				if a := testing.AllocsPerRun(20, step); a != 0 {
					t.Errorf("procs %d %T %v: %.1f allocs per step", procs, c.u, m, a)
				}
			}
			if c.k == 1 {
				// A twin: the step reads a stored field path.
				ps := randomParticles(t, 300, c.u.Dim(), 3)
				mk := func() *Trainer {
					return &Trainer{Unit: c.u, Loss: c.l, Method: MSGLD, Data: pts, Batch: 4, Seed: 5,
						Schedule: Schedule{Gamma: 1e-3, Beta: 1, N: ps.N}}
				}
				path, err := RecordField(mk(), ps.Clone(), 30)
				if err != nil {
					t.Fatal(err)
				}
				twin := mk()
				twin.Limit = path
				n := 0
				step := func() {
					if _, err := twin.Step(ps, n); err != nil {
						t.Fatal(err)
					}
					n++
				}
				step()
				if a := testing.AllocsPerRun(20, step); a != 0 {
					t.Errorf("procs %d %T twin: %.1f allocs per step", procs, c.u, a)
				}
			}
		}
		runtime.GOMAXPROCS(old)
	}
}
