package meanfield

import (
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// TestDriftIdentity checks N ∇_{w^k} R^N = b(w^k, μ^N) (docs/derivations/msgld.md §1): the GD
// step is W ← W − h b, so b = (W_0 − W_1)/h, against central finite differences of the
// risk R^N(W^{1:N}).
func TestDriftIdentity(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		u Unit
		l Loss
		k int
	}{
		{TanhUnit(1), Squared{}, 1},
		{SigmoidUnit(2), Squared{}, 1},
		{ReLUUnit{P: 3, K: 4}, SoftmaxCE{}, 4},
		{FirstLayerUnit{P: 3, Act: Tanh}, Squared{}, 1},
	}
	for _, c := range cases {
		for _, weighted := range []bool{false, true} {
			N := 7
			ps := randomParticles(t, N, c.u.Dim(), 9)
			if weighted {
				ps.Weight = make([]float64, N)
				for k := range ps.Weight {
					ps.Weight[k] = 1 / float64(N) * (0.5 + float64(k)/float64(N))
				}
			}
			pts := randomPoints(t, r, 6, c.u.InDim(), c.k, c.l == Loss(SoftmaxCE{}))
			const h = 1e-3
			tr := Trainer{Unit: c.u, Loss: c.l, Method: GD, Data: pts, Schedule: Schedule{Gamma: h, Beta: 1, N: N}}
			w0 := append([]float64(nil), ps.W...)
			if _, err := tr.Step(ps, 0); err != nil {
				t.Fatal(err)
			}
			b := make([]float64, len(w0))
			for i := range b {
				b[i] = (w0[i] - ps.W[i]) / h
			}
			copy(ps.W, w0)
			for k := range N {
				for i := range ps.D {
					idx := k*ps.D + i
					const eps = 1e-6
					ps.W[idx] = w0[idx] + eps
					rp := risk(c.u, c.l, ps, pts)
					ps.W[idx] = w0[idx] - eps
					rm := risk(c.u, c.l, ps, pts)
					ps.W[idx] = w0[idx]
					want := (rp - rm) / (2 * eps) / ps.Omega(k)
					// FD error: truncation eps²·R''' ~ 1e-12 and rounding 1e-16/eps ~ 1e-10,
					// amplified by 1/ω_k ≤ 2N; the extraction (W0−W1)/h adds 1e-16·|W|/h.
					if math.Abs(b[idx]-want) > 1e-6*(1+math.Abs(want)) {
						t.Fatalf("%T weighted=%v: b[%d][%d] = %v, N·∂R/∂w = %v", c.u, weighted, k, i, b[idx], want)
					}
				}
			}
		}
	}
}

// incrementStats draws S single-step increments ΔW from the fixed state w0 and returns
// them (S × N·D).
func incrementStats(t *testing.T, tr *Trainer, w0 []float64, N, D, S int) [][]float64 {
	ps := &Particles{N: N, D: D, W: make([]float64, len(w0))}
	out := make([][]float64, S)
	for s := range S {
		copy(ps.W, w0)
		if _, err := tr.Step(ps, 0); err != nil {
			t.Fatal(err)
		}
		out[s] = make([]float64, len(w0))
		for i := range w0 {
			out[s][i] = ps.W[i] - w0[i]
		}
	}
	return out
}

// TestNoiseCovariance checks that one step of true SGD, Gaussian SGD and mSGLD has mean
// −h b and covariance (h²/M) C with C_{kj} = Σ_q π_q (G_q^k − b^k)(G_q^j − b^j)ᵀ, cross-
// neuron blocks included; for mSGLD the cross blocks vanish (docs/derivations/msgld.md §3–4).
func TestNoiseCovariance(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	u := TanhUnit(1)
	N, D := 3, u.Dim()
	pts := randomPoints(t, r, 5, 1, 1, false)
	ps := randomParticles(t, N, D, 11)
	G := perSampleGrads(u, Squared{}, ps, pts)
	nd := N * D
	b := make([]float64, nd)
	for k := range N {
		for q := range pts.Len() {
			axpy(pts.W(q), G[k][q], b[k*D:(k+1)*D])
		}
	}
	C := make([]float64, nd*nd)
	for q := range pts.Len() {
		for i := range nd {
			for j := range nd {
				gi := G[i/D][q][i%D] - b[i]
				gj := G[j/D][q][j%D] - b[j]
				C[i*nd+j] += pts.W(q) * gi * gj
			}
		}
	}
	const h, M, S = 0.1, 2, 60000
	for _, m := range []Method{SGD, GaussianSGD, MSGLD} {
		tr := &Trainer{Unit: u, Loss: Squared{}, Method: m, Data: pts, Batch: M, Seed: 3,
			Schedule: Schedule{Gamma: h, Beta: 1, N: N}}
		inc := incrementStats(t, tr, ps.W, N, D, S)
		for i := range nd {
			// Mean −h b within 5.5 standard errors (two-sided normal tail 3.8e-8 per
			// entry; 9 means and 45 covariance entries per method keep the family-wise
			// false-alarm rate below 1e-5).
			var mu, v float64
			for _, x := range inc {
				mu += x[i]
			}
			mu /= S
			for _, x := range inc {
				v += (x[i] - mu) * (x[i] - mu)
			}
			se := math.Sqrt(v / S / S)
			if math.Abs(mu+h*b[i]) > 5.5*se+1e-15 {
				t.Errorf("%v: mean increment[%d] = %v, want %v (se %v)", m, i, mu, -h*b[i], se)
			}
		}
		maxCrossZ := 0.0
		for i := range nd {
			for j := i; j < nd; j++ {
				want := h * h / M * C[i*nd+j]
				if m == MSGLD && i/D != j/D {
					want = 0
				}
				var c, c2 float64
				for _, x := range inc {
					p := (x[i] + h*b[i]) * (x[j] + h*b[j])
					c += p
					c2 += p * p
				}
				c /= S
				se := math.Sqrt((c2/S - c*c) / S)
				if i/D != j/D {
					maxCrossZ = max(maxCrossZ, math.Abs(h*h/M*C[i*nd+j])/se)
				}
				if math.Abs(c-want) > 5.5*se+1e-18 {
					t.Errorf("%v: cov[%d][%d] = %v, want %v (se %v)", m, i, j, c, want, se)
				}
			}
		}
		// The cross-neuron blocks of the shared-noise covariance are far from zero (at
		// least 10 standard errors for some entry), so the check above separates the
		// shared-noise methods from mSGLD.
		if m != MSGLD && maxCrossZ < 10 {
			t.Errorf("%v: largest cross-block entry is only %v standard errors from 0", m, maxCrossZ)
		}
	}
}

func runTrainer(t *testing.T, m Method, procs int, perm []int) *Particles {
	old := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(old)
	r := rand.New(rand.NewPCG(1, 1))
	pts := randomPoints(t, r, 9, 2, 1, false)
	u := TanhUnit(2)
	ps := randomParticles(t, 150, u.Dim(), 4)
	if perm != nil {
		q := ps.Clone()
		for k, pk := range perm {
			copy(q.Row(k), ps.Row(pk))
		}
		ps = q
	}
	tr := Trainer{Unit: u, Loss: Squared{}, Method: m, Data: pts, Batch: 3, Seed: 42,
		Schedule: Schedule{Gamma: 0.2, Beta: 1, N: ps.N}}
	if err := tr.Run(ps, 0, 6, nil); err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	for _, m := range []Method{GD, SGD, GaussianSGD, MSGLD} {
		a := runTrainer(t, m, 1, nil)
		b := runTrainer(t, m, 2, nil)
		c := runTrainer(t, m, 4, nil)
		for i := range a.W {
			if a.W[i] != b.W[i] || a.W[i] != c.W[i] {
				t.Fatalf("%v: GOMAXPROCS changed W[%d]: %v %v %v", m, i, a.W[i], b.W[i], c.W[i])
			}
		}
	}
}

// TestExchangeable permutes the particles: with shared randomness (GD, SGD, Gaussian
// SGD) the result is the same permutation of the unpermuted result. The field sum runs
// in a different order, so agreement is to rounding: relative 1e-12 after 6 steps of
// O(1) Lipschitz maps.
func TestExchangeable(t *testing.T) {
	perm := rand.New(rand.NewPCG(2, 2)).Perm(150)
	for _, m := range []Method{GD, SGD, GaussianSGD} {
		a := runTrainer(t, m, 2, nil)
		b := runTrainer(t, m, 2, perm)
		for k, pk := range perm {
			for j := range a.D {
				x, y := b.Row(k)[j], a.Row(pk)[j]
				if math.Abs(x-y) > 1e-12*(1+math.Abs(y)) {
					t.Fatalf("%v: permuted particle %d coord %d = %v, want %v", m, k, j, x, y)
				}
			}
		}
	}
	// ComputeField is invariant under permutation (to rounding).
	r := rand.New(rand.NewPCG(3, 3))
	pts := randomPoints(t, r, 5, 1, 1, false)
	ps := randomParticles(t, 100, 3, 8)
	q := ps.Clone()
	p2 := rand.New(rand.NewPCG(4, 4)).Perm(100)
	for k, pk := range p2 {
		copy(q.Row(k), ps.Row(pk))
	}
	fa := ComputeField(nil, TanhUnit(1), ps, pts)
	fb := ComputeField(nil, TanhUnit(1), q, pts)
	for i := range fa {
		if math.Abs(fa[i]-fb[i]) > 1e-14 {
			t.Fatalf("field not permutation invariant: %v vs %v", fa[i], fb[i])
		}
	}
}

func TestTrainerBadInput(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	pts := randomPoints(t, r, 4, 1, 1, false)
	u := TanhUnit(1)
	ps := randomParticles(t, 5, 3, 1)
	good := Trainer{Unit: u, Loss: Squared{}, Method: SGD, Data: pts, Batch: 2, Schedule: Schedule{Gamma: 0.1, Beta: 0.5, N: 5}}
	if _, err := good.Step(ps, 0); err != nil {
		t.Fatal(err)
	}
	// Each bad configuration returns an error that names the offending field.
	mut := []struct {
		f    func(*Trainer)
		want string
	}{
		{func(tr *Trainer) { tr.Schedule.Beta = 1.5 }, "Schedule.Beta = 1.5"},
		{func(tr *Trainer) { tr.Schedule.Alpha = 1 }, "Schedule.Alpha = 1"},
		{func(tr *Trainer) { tr.Schedule.Alpha = -0.5 }, "Schedule.Alpha = -0.5"},
		{func(tr *Trainer) { tr.Schedule.N = 0 }, "Schedule.N = 0"},
		{func(tr *Trainer) { tr.Batch = 0 }, "Trainer.Batch = 0"},
		{func(tr *Trainer) { tr.Batch = -3 }, "Trainer.Batch = -3"},
		{func(tr *Trainer) { tr.Unit = TanhUnit(2) }, "Particles.D = 3"},
		{func(tr *Trainer) { tr.Unit = nil }, "Trainer.Unit"},
		{func(tr *Trainer) { tr.Loss = nil }, "Trainer.Loss"},
		{func(tr *Trainer) { tr.Data = nil }, "Trainer.Data"},
		{func(tr *Trainer) { tr.Method = Method(9) }, "Trainer.Method = 9"},
		{func(tr *Trainer) { tr.Penalty = -1 }, "Trainer.Penalty = -1"},
		{func(tr *Trainer) { tr.Method = GD; tr.Limit = &FieldPath{Q: 3, K: 1} }, "Trainer.Limit"},
		{func(tr *Trainer) { tr.Data = &Points{P: 1, K: 1, X: []float64{1, 2}, Y: []float64{1}} }, "Points.Y"},
		{func(tr *Trainer) { tr.Data = &Points{P: 2, K: 1, X: []float64{1, 2, 3, 4}, Y: []float64{1, 2}} }, "Trainer.Data has P = 2"},
		{func(tr *Trainer) { tr.Sampler = FuncSampler{P: 3, K: 1} }, "Trainer.Sampler"},
		{func(tr *Trainer) { tr.Schedule.N = 64 }, "Trainer.Schedule.N = 64, but Particles.N = 5"},
	}
	for i, c := range mut {
		tr := good
		tr.ready = false
		c.f(&tr)
		if _, err := tr.Step(ps.Clone(), 0); err == nil {
			t.Errorf("mutation %d: no error", i)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("mutation %d: error %q does not name %q", i, err, c.want)
		}
	}
	// Schedule.N ≠ particle count is allowed when declared (ReferenceSystem), and at β = 1,
	// where h_n = γ^{1/(1−α)}(…) does not involve N: then the step is the same bits as with
	// the matching N.
	ref := good
	ref.ready, ref.Schedule.N, ref.ReferenceSystem = false, 64, true
	if _, err := ref.Step(ps.Clone(), 0); err != nil {
		t.Errorf("ReferenceSystem with Schedule.N = 64: %v", err)
	}
	for _, nSched := range []int{5, 64} {
		b1 := good
		b1.ready, b1.Method, b1.Schedule = false, GD, Schedule{Gamma: 0.1, Beta: 1, N: nSched}
		if b1.Schedule.Step(3) != (Schedule{Gamma: 0.1, Beta: 1, N: 5}).Step(3) {
			t.Fatal("beta = 1 step depends on N")
		}
		if _, err := b1.Step(ps.Clone(), 0); err != nil {
			t.Errorf("beta = 1, Schedule.N = %d: %v", nSched, err)
		}
	}
	if _, err := NewParticles(0, 3); err == nil {
		t.Error("NewParticles(0, 3): no error")
	}
	if _, err := NewPoints(1, 1, []float64{1, 2}, []float64{1}, nil); err == nil {
		t.Error("NewPoints with mismatched Y: no error")
	}
	if _, err := NewPoints(1, 1, []float64{1, math.NaN()}, []float64{1, 2}, nil); err == nil {
		t.Error("NewPoints with NaN: no error")
	}
	if _, err := NewPoints(1, 1, []float64{1, 2}, []float64{1, 2}, []float64{0.2, 0.2}); err == nil {
		t.Error("NewPoints with weights not summing to 1: no error")
	}
	// A divergent step reports the non-finite state.
	bad := Trainer{Unit: u, Loss: Squared{}, Method: GD, Data: pts, Schedule: Schedule{Gamma: 1e300, Beta: 1, N: 5}}
	q := ps.Clone()
	var err error
	for n := 0; n < 5 && err == nil; n++ {
		_, err = bad.Step(q, n)
	}
	if err == nil {
		t.Error("divergent GD: no error")
	} else {
		t.Log(err)
	}
	// Shape mismatch inside the kernel panics with the package prefix.
	defer func() {
		if e := recover(); e == nil {
			t.Error("ComputeField with wrong unit: no panic")
		}
	}()
	ComputeField(nil, TanhUnit(2), ps, pts)
}
