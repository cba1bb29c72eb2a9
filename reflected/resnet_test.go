package reflected

import (
	"bytes"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/sam"
)

// TestResScoreNetDSMGradient checks the DSM gradient of a residual score network (with
// preconditioning) against central differences.
func TestResScoreNetDSMGradient(t *testing.T) {
	const D = 3
	data := boxData(t, D, 2, 40, 1)
	net, err := NewResScoreNet(D, 8, 2, TimeEmbedding{Freqs: 2}, rand.NewPCG(2, 2))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range net.W {
		net.W[i] += 0.3 * rng.NormFloat64() // leave the zero initialisation of blocks and modulation
	}
	if net.Pre, err = NewPrecond(data, D, 1e-3, 1, Reflected, 5); err != nil {
		t.Fatal(err)
	}
	obj, _ := NewDSM(net, data, 1e-3, 1, 7)
	obj.Round = 2
	idx := []int{0, 3, 3, 17, 39}
	worst := worstGradError(obj, net.W, idx, 3)
	// Smooth network (SiLU, LayerNorm): central-difference error ≈ 1e-9 at h = 1e-6.
	if worst > 1e-6 {
		t.Errorf("worst relative gradient error %g", worst)
	}
}

// TestResScoreNetTrains checks that Train with the default recipe reduces the held-out DSM
// risk of a residual network well below that of its initialisation (the zero-residual
// preconditioned score), on the axis-aligned target where the exact score is known.
func TestResScoreNetTrains(t *testing.T) {
	const D, n = 2, 1000
	target, data := axisData(t, D, n, 0.5, 4)
	net, err := NewResScoreNet(D, 32, 2, TimeEmbedding{Freqs: 4}, rand.NewPCG(5, 5))
	if err != nil {
		t.Fatal(err)
	}
	init := slices.Clone(net.W)
	if _, err := Train(net, data, nil, &TrainSettings{Steps: 600, Batch: 64, T1: 2, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	_, held := axisData(t, D, 500, 0.5, 8)
	trained := heldDSM(net, held, D)
	trainedW := net.W
	net.W = init
	start := heldDSM(net, held, D)
	net.W = trainedW
	exact, _ := NewAxisAlignedScore(target)
	best := heldDSM(exact, held, D)
	t.Logf("held-out DSM risk (λ = t): initial %.4f, trained %.4f, exact score %.4f", start, trained, best)
	// The exact score is the minimum; the network must remove at least half of the gap the
	// initial (skip-only) model leaves.
	if !(trained-best < (start-best)/2) {
		t.Errorf("trained %v, initial %v, exact %v: less than half of the reducible risk removed", trained, start, best)
	}
	gen := make([]float64, 50*D)
	if err := (&Sampler{Steps: 20}).Sample(gen, net, 1); err != nil {
		t.Errorf("Sample with a residual net: %v", err)
	}
	var buf bytes.Buffer
	if err := net.Save(&buf); err != nil {
		t.Fatal(err)
	}
	raw := slices.Clone(buf.Bytes())
	back, err := LoadScoreNet(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Res == nil || *back.Res != *net.Res || !slices.Equal(back.W, net.W) || back.Pre == nil {
		t.Errorf("loaded residual net differs: %+v", back.Res)
	}
	if got := heldDSM(back, held, D); got != trained {
		t.Errorf("loaded net's risk %v, saved %v: want bit-identical scores", got, trained)
	}
	raw[len(raw)-10] ^= 1 // inside the parameters: the CRC must catch it
	if _, err := LoadScoreNet(bytes.NewReader(raw)); err == nil {
		t.Error("corrupted residual net: no error")
	}
	if _, err := Train(net, data, &sam.Adam{}, &TrainSettings{Steps: 1, Sparsity: 10}); err == nil || !strings.Contains(err.Error(), "Sparsity = 10") {
		t.Errorf("sparse residual net: %v", err)
	}
}

// heldDSM returns the DSM risk E t‖m(Xₜ, t) − ∇log qₜ(Xₜ|X₀)‖² of a score model over the
// points of data, t log-uniform on [2e-4, 2], with fixed draws (the same for every model).
func heldDSM(m ScoreModel, data []float64, D int) float64 {
	n := len(data) / D
	rnd := rand.New(rand.NewPCG(77, 77))
	x, tg, s := make([]float64, n*D), make([]float64, n*D), make([]float64, n*D)
	ts := make([]float64, n)
	for i := 0; i < n; i++ {
		tt := 2e-4 * math.Exp(math.Log(2/2e-4)*rnd.Float64())
		ts[i] = tt
		for j := 0; j < D; j++ {
			y := data[i*D+j]
			x[i*D+j] = Fold(y + math.Sqrt(tt)*rnd.NormFloat64())
			tg[i*D+j] = Score1D(x[i*D+j], y, tt)
		}
	}
	m.Score(s, x, ts)
	var l float64
	for i := range s {
		r := s[i] - tg[i]
		l += ts[i/D] * r * r
	}
	return l / float64(n)
}

// FuzzLoadScoreNetRes feeds corrupted residual-net files to LoadScoreNet: errors, never
// panics.
func FuzzLoadScoreNetRes(f *testing.F) {
	net, _ := NewResScoreNet(2, 4, 1, TimeEmbedding{Freqs: 1}, rand.NewPCG(1, 1))
	var buf bytes.Buffer
	if err := net.Save(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:30])
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := LoadScoreNet(bytes.NewReader(b)); err == nil && n.Res != nil && len(n.W) != n.Res.NumParams() {
			t.Errorf("loaded %d parameters for %d", len(n.W), n.Res.NumParams())
		}
	})
}

// worstGradError is the largest relative error, max |FD − g| / max(1, |g|), between the
// objective's gradient at w on idx and central differences with h = 1e-6 along every
// stride-th coordinate.
func worstGradError(obj *DSM, w0 []float64, idx []int, stride int) float64 {
	grad := make([]float64, obj.Dim())
	obj.LossGrad(grad, w0, idx)
	w := slices.Clone(w0)
	const h = 1e-6
	var worst float64
	for j := 0; j < len(w); j += stride {
		old := w[j]
		w[j] = old + h
		fp := obj.LossGrad(nil, w, idx)
		w[j] = old - h
		fm := obj.LossGrad(nil, w, idx)
		w[j] = old
		worst = max(worst, math.Abs((fp-fm)/(2*h)-grad[j])/max(1, math.Abs(grad[j])))
	}
	return worst
}
