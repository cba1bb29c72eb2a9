package reflected

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sde"
)

// zeroNet returns a ScoreNet for D whose output is identically 0 (all parameters 0).
func zeroNet(t *testing.T, D int) *ScoreNet {
	t.Helper()
	net, err := NewScoreNet(D, []int{4}, TimeEmbedding{Freqs: 1}, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	clear(net.W)
	return net
}

// TestDSMTargetsByProcess checks the DSM targets of both processes against an independent
// recomputation of the documented draw: with a network whose output is 0 the per-sample
// loss is ‖target‖², where sample i of round r draws U, then Z₁…Z_D from
// parallel.Stream(Seed, r·n + i), t = T0·(T1/T0)^U, and the target is √t·Score1D(fold(y +
// √t·Z), y, t) (Reflected) or −Z (Free), with the plain parametrisation and λ(t) = t.
func TestDSMTargetsByProcess(t *testing.T) {
	const D, n = 3, 20
	data := make([]float64, n*D)
	rnd := rand.New(rand.NewPCG(5, 5))
	for i := range data {
		data[i] = rnd.Float64()
	}
	data[0], data[1] = 0, 1 // points on the walls
	net := zeroNet(t, D)
	for _, p := range []Process{Reflected, Free} {
		obj, err := NewDSM(net, data, 1e-3, 2, 11)
		if err != nil {
			t.Fatal(err)
		}
		obj.Process, obj.Round = p, 3
		idx := []int{0, 5, 19}
		got := make([]float64, len(idx))
		obj.Losses(got, net.W, idx)
		for k, i := range idx {
			r := rand.New(parallel.Stream(11, 3*n+i))
			tt := 1e-3 * math.Exp(math.Log(2/1e-3)*r.Float64())
			var want float64
			for j := 0; j < D; j++ {
				z := r.NormFloat64()
				y := data[i*D+j]
				tg := -z
				if p == Reflected {
					tg = math.Sqrt(tt) * Score1D(Fold(y+math.Sqrt(tt)*z), y, tt)
				}
				want += tg * tg
			}
			// 1e-12 relative: the same operations in the same order, up to the network's
			// exact zero output.
			if math.Abs(got[k]-want) > 1e-12*max(1, want) {
				t.Errorf("%v: loss of sample %d = %v, recomputed %v", p, i, got[k], want)
			}
		}
	}
}

// pointScore is the exact score of a point mass at y under the Free process: the forward law
// at time t is N(y, t·I), whose score is −(x − y)/t.
type pointScore struct{ y []float64 }

func (p pointScore) Dim() int { return len(p.y) }
func (p pointScore) Score(dst, x, t []float64) {
	D := len(p.y)
	for r, tr := range t {
		for j := 0; j < D; j++ {
			dst[r*D+j] = -(x[r*D+j] - p.y[j]) / tr
		}
	}
}

// TestSamplerFreeClamps runs the Free sampler with the exact score of a point mass at
// y = (0, ½). For a Gaussian the reversal is linear, so the chain ends at N(y, v·I) with v
// close to t₀; the clamp then puts the half of coordinate 1 that falls below 0 exactly on the
// wall 0, and leaves coordinate 2 inside (it is ~45 standard deviations from either wall).
func TestSamplerFreeClamps(t *testing.T) {
	const m = 4000
	const t0 = 1e-3
	s := &Sampler{T0: t0, T: 2, Steps: 400, Process: Free}
	x := make([]float64, 2*m)
	if err := s.Sample(x, pointScore{[]float64{0, 0.5}}, 3); err != nil {
		t.Fatal(err)
	}
	var atWall int
	var dev float64
	for i := 0; i < m; i++ {
		if x[2*i] == 0 {
			atWall++
		}
		if x[2*i] < 0 || x[2*i] > 1 || x[2*i+1] <= 0 || x[2*i+1] >= 1 {
			t.Fatalf("sample %d = (%v, %v) outside the cube or on a wall it cannot reach", i, x[2*i], x[2*i+1])
		}
		dev += math.Abs(x[2*i+1] - 0.5)
	}
	dev /= m
	// The fraction exactly on the wall is Binomial(m, ½)/m: standard deviation 1/(2√m) =
	// 0.0079; 4.5σ = 0.036 is exceeded with probability < 1e-5.
	if f := float64(atWall) / m; math.Abs(f-0.5) > 0.036 {
		t.Errorf("fraction of coordinate 1 exactly at 0 = %.4f, want ½", f)
	}
	// E|N(0, v)| = √v·√(2/π) with v = t₀ up to the drift discretisation; the mean of m
	// half-normal draws has relative standard error √(π/2 − 1)/√m = 1.2%, and the Euler
	// discretisation of the linear reversal on 400 geometric steps changes v by a few per
	// cent, so 10% is a bound no correct sampler exceeds.
	want := math.Sqrt(t0) * math.Sqrt(2/math.Pi)
	if math.Abs(dev-want) > 0.1*want {
		t.Errorf("E|x₂ − ½| = %.5f, want ≈ %.5f", dev, want)
	}
	t.Logf("on wall %.4f, E|x₂ − ½| = %.5f (√t₀·√(2/π) = %.5f)", float64(atWall)/m, dev, want)
}

// TestProcessBadInput checks the errors for bad data, sizes, dimensions and settings: each
// names the field and the value, with a single package prefix.
func TestProcessBadInput(t *testing.T) {
	net := zeroNet(t, 2)
	good := []float64{0.1, 0.2, 0.3, 0.4}
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"NaN data", func() error { _, err := NewDSM(net, []float64{0.1, math.NaN()}, 1e-3, 1, 0); return err }, "data[1] = NaN"},
		{"data above 1", func() error { _, err := NewDSM(net, []float64{0.1, 1.5}, 1e-3, 1, 0); return err }, "data[1] = 1.5"},
		{"empty data", func() error { _, err := NewDSM(net, nil, 1e-3, 1, 0); return err }, "data is empty"},
		{"dimension mismatch", func() error { _, err := NewDSM(net, []float64{0.1, 0.2, 0.3}, 1e-3, 1, 0); return err }, "len(data) = 3 is not a multiple of D = 2"},
		{"Train NaN data", func() error {
			_, err := Train(net, []float64{math.NaN(), 0.1}, nopOptimizer{}, &TrainSettings{Steps: 1})
			return err
		}, "data[0] = NaN"},
		{"Train process", func() error {
			_, err := Train(net, good, nopOptimizer{}, &TrainSettings{Steps: 1, Process: 7})
			return err
		}, "TrainSettings.Process = 7"},
		{"W1 outside", func() error { _, err := W1(good, []float64{0.1, 0.2, -0.3, 0.4}, 2); return err }, "y[2] = -0.3"},
		{"W1 NaN", func() error { _, err := W1([]float64{math.NaN(), 0.2}, []float64{0.1, 0.2}, 2); return err }, "x[0] = NaN"},
		{"W1 zero points", func() error { _, err := W1(nil, nil, 2); return err }, "x is empty (0 points)"},
		{"W1 sizes", func() error { _, err := W1(good, good[:2], 2); return err }, "x has 2 points, y has 1"},
		{"W1 dims", func() error { _, err := W1(good, good, 3); return err }, "len(x) = 4 is not a multiple of D = 3"},
		{"SlicedW1 outside", func() error { _, err := SlicedW1(good, []float64{2, 0, 0, 0}, 2, 5, rand.NewPCG(1, 1)); return err }, "y[0] = 2"},
		{"SlicedW1 nproj", func() error { _, err := SlicedW1(good, good, 2, 0, rand.NewPCG(1, 1)); return err }, "nproj = 0"},
		{"Sampler zero count", func() error { return (&Sampler{}).Sample(nil, net, 1) }, "len(dst) = 0"},
		{"Sampler dims", func() error { return (&Sampler{}).Sample(make([]float64, 3), net, 1) }, "len(dst) = 3, need a positive multiple of D = 2"},
		{"Sampler process", func() error { return (&Sampler{Process: -1}).Sample(make([]float64, 2), net, 1) }, "Sampler.Process = -1"},
		{"Free with Domain", func() error {
			return (&Sampler{Process: Free, Domain: sde.FoldBox{Lo: 0, Hi: 1}}).Sample(make([]float64, 2), net, 1)
		}, "Sampler.Domain"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: error %q does not name %q", c.name, msg, c.want)
		}
		if !strings.HasPrefix(msg, "reflected: ") || strings.Count(msg, "reflected:") != 1 {
			t.Errorf("%s: error %q: want one \"reflected: \" prefix", c.name, msg)
		}
	}
}

// nopOptimizer is an Optimizer that leaves the parameters alone.
type nopOptimizer struct{}

func (nopOptimizer) Step(w []float64, obj nn.Objective, batch []int) (float64, error) {
	return 0, nil
}
