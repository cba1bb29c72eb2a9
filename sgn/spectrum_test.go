package sgn

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// denseCov returns Σ = (1/n) Σᵢ (gᵢ − ḡ)(gᵢ − ḡ)ᵀ via stat.CovarianceMatrix (divisor n−1)
// rescaled to divisor n: the independent d×d reference.
func denseCov(g *mat.Dense) *mat.SymDense {
	n, d := g.Dims()
	c := mat.NewSymDense(d, nil)
	stat.CovarianceMatrix(c, g, nil)
	c.ScaleSym(float64(n-1)/float64(n), c)
	return c
}

func TestCovSpectrumMatchesDense(t *testing.T) {
	for _, sh := range [][2]int{{12, 30}, {40, 9}} { // n < d and n > d
		n, d := sh[0], sh[1]
		g := randDense(n, d, uint64(n*d))
		for i := 0; i < n; i++ {
			floats.AddConst(2, g.RawRowView(i)) // nonzero mean, removed by double-centring
		}
		k := 3
		sp, err := CovSpectrum(g, &SpectrumSettings{K: k})
		if err != nil {
			t.Fatal(err)
		}
		var es mat.EigenSym
		es.Factorize(denseCov(g), true)
		want := es.Values(nil) // ascending
		var vecs mat.Dense
		es.VectorsTo(&vecs)
		r := min(n-1, d) // rank of the centred covariance
		for q := 0; q < r; q++ {
			// 1e-10 relative to λ₁: both are backward-stable eigensolvers on matrices with
			// O(1) entries, plus the O(ε‖ḡ‖²) cancellation of double-centring.
			if math.Abs(sp.Values[q]-want[d-1-q]) > 1e-10*want[d-1] {
				t.Errorf("%dx%d: λ_%d = %v, dense %v", n, d, q+1, sp.Values[q], want[d-1-q])
			}
		}
		for q := r; q < min(n, d); q++ {
			if math.Abs(sp.Values[q]) > 1e-10*want[d-1] {
				t.Errorf("%dx%d: λ_%d = %v, want 0", n, d, q+1, sp.Values[q])
			}
		}
		for c := 0; c < k; c++ {
			// Eigenvectors agree up to sign; 1e-8 allows for the eigen-gap amplification.
			dot := floats.Dot(mat.Col(nil, c, sp.Vectors), mat.Col(nil, d-1-c, &vecs))
			if math.Abs(math.Abs(dot)-1) > 1e-8 {
				t.Errorf("%dx%d: eigenvector %d overlap %v", n, d, c, dot)
			}
		}
		mo, _ := ComputeMoments(g)
		if !relClose(sp.Trace(), mo.TraceCov(), 1e-12) {
			t.Errorf("trace %v vs moments %v", sp.Trace(), mo.TraceCov())
		}
		// ‖Σ‖_F² from the spectrum equals the dense Frobenius norm.
		f := mat.Norm(denseCov(g), 2)
		if !relClose(sp.FrobeniusSq(), f*f, 1e-10) {
			t.Errorf("Frobenius %v vs %v", sp.FrobeniusSq(), f*f)
		}
		// Centered input skips double-centring and gives the same spectrum.
		dev := mat.DenseCopyOf(g)
		CenterRows(dev, dev, nil)
		sc, _ := CovSpectrum(dev, &SpectrumSettings{Centered: true})
		if !floats.EqualApprox(sc.Values, sp.Values, 1e-10) {
			t.Errorf("centred input spectrum differs")
		}
	}
}

func TestCovSpectrumKnownSigma(t *testing.T) {
	// Gaussian gradients with Σ = Q diag(λ) Qᵀ, λₖ = 4 k^{-1.5}, d = 8, n = 20000.
	const n, d = 20000, 8
	lam := make([]float64, d)
	for k := range lam {
		lam[k] = 4 * math.Pow(float64(k+1), -1.5)
	}
	_, q := symWithEigen(lam, 77)
	z := randDense(n, d, 78)
	var g mat.Dense
	// gᵢ = Q diag(√λ) zᵢ: rows z·diag(√λ)·Qᵀ.
	sq := make([]float64, d)
	for k := range sq {
		sq[k] = math.Sqrt(lam[k])
	}
	var tmp mat.Dense
	tmp.Mul(z, mat.NewDiagDense(d, sq))
	g.Mul(&tmp, q.T())
	sp, err := CovSpectrum(&g, &SpectrumSettings{K: 1})
	if err != nil {
		t.Fatal(err)
	}
	trueTr := floats.Sum(lam)
	// Var(tr Σ̂) = 2 tr(Σ²)/n for Gaussian data; 6 σ fails with probability 2e-9.
	sdTr := math.Sqrt(2 * floats.Dot(lam, lam) / n)
	if math.Abs(sp.Trace()-trueTr) > 6*sdTr {
		t.Errorf("tr Σ̂ = %v, true %v (σ %v)", sp.Trace(), trueTr, sdTr)
	}
	for k := 0; k < 3; k++ {
		// Distinct eigenvalues: sd(λ̂ₖ) ≈ √(2/n) λₖ; 6 σ.
		if math.Abs(sp.Values[k]-lam[k]) > 6*math.Sqrt(2.0/n)*lam[k] {
			t.Errorf("λ̂_%d = %v, true %v", k+1, sp.Values[k], lam[k])
		}
	}
	// Top eigenvector close to Q's first column: 1 − cos² = O(λ₂/(λ₁−λ₂)²/n) ≈ 1e-4.
	if c := floats.Dot(mat.Col(nil, 0, sp.Vectors), mat.Col(nil, 0, q)); math.Abs(c) < 0.99 {
		t.Errorf("top eigenvector cosine %v", c)
	}
	// The power-law fit over ranks 1..8 recovers exponent 1.5 (sampling error of each
	// log λ̂ₖ is √(2/n) ≈ 0.01, so the slope is within 0.05).
	s, _, r2, err := sp.PowerLaw(1, d)
	if err != nil || math.Abs(s-1.5) > 0.05 || r2 < 0.99 {
		t.Errorf("power law s = %v, R² = %v, err %v", s, r2, err)
	}
}

func TestEffectiveRanks(t *testing.T) {
	sp := &Spectrum{Values: []float64{2, 2, 2, 2, 0}}
	if !relClose(sp.ParticipationRatio(), 4, 1e-15) || !relClose(sp.EntropyRank(), 4, 1e-15) {
		t.Errorf("equal eigenvalues: PR %v, entropy rank %v; want 4", sp.ParticipationRatio(), sp.EntropyRank())
	}
	sp = &Spectrum{Values: []float64{3, 1}}
	// (3+1)²/(9+1) = 1.6; exp(−(¾ln¾ + ¼ln¼)).
	if !relClose(sp.ParticipationRatio(), 1.6, 1e-15) || !relClose(sp.EntropyRank(), math.Exp(-(0.75*math.Log(0.75)+0.25*math.Log(0.25))), 1e-15) {
		t.Errorf("PR %v entropy %v", sp.ParticipationRatio(), sp.EntropyRank())
	}
}

func TestSpectrumErrors(t *testing.T) {
	nanG := randDense(4, 3, 1)
	nanG.Set(1, 2, math.Inf(1))
	cases := []struct {
		name, want string
		err        error
	}{
		{"one row", "1 gradient rows", func() error { _, e := CovSpectrum(randDense(1, 3, 1), nil); return e }()},
		{"K", "K = 9", func() error { _, e := CovSpectrum(randDense(4, 3, 1), &SpectrumSettings{K: 9}); return e }()},
		{"Inf", "g[1][2] = +Inf", func() error { _, e := CovSpectrum(nanG, nil); return e }()},
		{"power law", "need 3", func() error { _, _, _, e := (&Spectrum{Values: []float64{1, 0.5}}).PowerLaw(0, 0); return e }()},
	}
	for _, c := range cases {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, c.err, c.want)
		}
	}
}
