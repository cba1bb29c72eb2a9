package sgn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/sdeml/sdeml/internal/gemm"
)

// Spectrum is the spectrum of the per-sample covariance Σ = (1/n) Σᵢ δᵢδᵢᵀ of n gradient
// rows. When n <= d it is obtained from the n×n Gram matrix K = DDᵀ/n (rows of D are the
// δᵢ), which has the same nonzero eigenvalues, at cost O(n²d + n³) instead of O(d²n + d³);
// when d < n, Σ itself is decomposed.
type Spectrum struct {
	// N and Dim are the number of rows n and the dimension d.
	N, Dim int
	// Values are the min(n, d) eigenvalues of K (or Σ) in decreasing order (tiny negative
	// rounding errors are kept as computed); at most n−1 are nonzero after centring.
	Values []float64
	// Vectors holds the unit eigenvectors vₖ = Dᵀuₖ/√(nλₖ) of Σ for the top k eigenvalues as
	// columns (d×k), or is nil if they were not requested.
	Vectors *mat.Dense
}

// SpectrumSettings configure CovSpectrum; nil means defaults.
type SpectrumSettings struct {
	// K is the number of top eigenvectors to compute (0: none).
	K int
	// Centered says the rows are already deviations δᵢ (for example SGN samples centred on
	// the full gradient); otherwise the row mean is removed by double-centring the Gram
	// matrix, K = (I − 11ᵀ/n) GGᵀ (I − 11ᵀ/n)/n, without copying g.
	Centered bool
}

// CovSpectrum returns the spectrum of the covariance of the rows of g (n×d). It returns an
// error if n < 2, an entry is not finite, the eigendecomposition fails, or K is outside
// [0, min(n, d)].
func CovSpectrum(g *mat.Dense, s *SpectrumSettings) (*Spectrum, error) {
	var set SpectrumSettings
	if s != nil {
		set = *s
	}
	n, d := g.Dims()
	if n < 2 {
		return nil, fmt.Errorf("sgn: CovSpectrum: %d gradient rows, need at least 2", n)
	}
	if set.K < 0 || set.K > min(n, d) {
		return nil, fmt.Errorf("sgn: CovSpectrum: K = %d outside [0, min(n, d) = %d]", set.K, min(n, d))
	}
	for i := 0; i < n; i++ {
		if bad := firstNonFinite(g.RawRowView(i)); bad >= 0 {
			return nil, fmt.Errorf("sgn: CovSpectrum: g[%d][%d] = %v", i, bad, g.At(i, bad))
		}
	}
	var mean []float64
	if !set.Centered {
		mean = make([]float64, d)
		for i := 0; i < n; i++ {
			floats.Add(mean, g.RawRowView(i))
		}
		floats.Scale(1/float64(n), mean)
	}
	if d < n {
		return primalSpectrum(g, mean, set.K)
	}
	k := gram(g, false)
	if mean != nil {
		doubleCenter(k)
	}
	vals, u, ok := symTop(k, set.K)
	if !ok {
		return nil, fmt.Errorf("sgn: CovSpectrum: eigendecomposition of the %d×%d Gram matrix failed", n, n)
	}
	sp := &Spectrum{N: n, Dim: d, Values: vals}
	if set.K == 0 {
		return sp, nil
	}
	sp.Vectors = mat.NewDense(d, set.K, nil)
	col := make([]float64, d)
	for c := 0; c < set.K; c++ {
		uc := mat.Col(nil, c, u)
		// v = Gᵀu − ḡ(1ᵀu), normalised; the scale 1/√(nλ) is replaced by exact normalisation.
		cv := mat.NewVecDense(d, col)
		cv.MulVec(g.T(), mat.NewVecDense(n, uc))
		if mean != nil {
			floats.AddScaled(col, -floats.Sum(uc), mean)
		}
		if nrm := floats.Norm(col, 2); nrm > 0 {
			floats.Scale(1/nrm, col)
		}
		sp.Vectors.SetCol(c, col)
	}
	return sp, nil
}

// primalSpectrum handles d < n with the d×d matrix Σ = GᵀG/n − ḡḡᵀ directly.
func primalSpectrum(g *mat.Dense, mean []float64, k int) (*Spectrum, error) {
	n, d := g.Dims()
	c := gram(g, true)
	if mean != nil {
		c.SymRankOne(c, -1, mat.NewVecDense(d, mean))
	}
	vals, vecs, ok := symTop(c, k)
	if !ok {
		return nil, fmt.Errorf("sgn: CovSpectrum: eigendecomposition of the %d×%d covariance failed", d, d)
	}
	return &Spectrum{N: n, Dim: d, Values: vals, Vectors: vecs}, nil
}

// gram returns GGᵀ/n (n×n), or GᵀG/n (d×d) when trans, for the n×d matrix g, computed with
// the module's blocked, deterministic GEMM (faster than a level-2 SYRK here); only the upper
// triangle is used.
func gram(g *mat.Dense, trans bool) *mat.SymDense {
	n, d := g.Dims()
	raw := g.RawMatrix()
	if trans {
		c := make([]float64, d*d)
		gemm.Dgemm(true, false, d, d, n, 1/float64(n), raw.Data, raw.Stride, raw.Data, raw.Stride, 0, c, d)
		return mat.NewSymDense(d, c)
	}
	c := make([]float64, n*n)
	gemm.Dgemm(false, true, n, n, d, 1/float64(n), raw.Data, raw.Stride, raw.Data, raw.Stride, 0, c, n)
	return mat.NewSymDense(n, c)
}

// doubleCenter replaces k by (I − 11ᵀ/n) k (I − 11ᵀ/n).
func doubleCenter(k *mat.SymDense) {
	n := k.SymmetricDim()
	r := make([]float64, n)
	var all float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			r[i] += k.At(i, j)
		}
		r[i] /= float64(n)
		all += r[i]
	}
	all /= float64(n)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			k.SetSym(i, j, k.At(i, j)-r[i]-r[j]+all)
		}
	}
}

// Trace returns tr Σ = Σₖ λₖ.
func (s *Spectrum) Trace() float64 { return floats.Sum(s.Values) }

// FrobeniusSq returns ‖Σ‖_F² = Σₖ λₖ².
func (s *Spectrum) FrobeniusSq() float64 { return floats.Dot(s.Values, s.Values) }

// ParticipationRatio returns the effective rank (Σλₖ)²/Σλₖ², which is r for r equal
// eigenvalues and 1 for rank one.
func (s *Spectrum) ParticipationRatio() float64 {
	t := s.Trace()
	return t * t / s.FrobeniusSq()
}

// EntropyRank returns the effective rank exp(−Σ pₖ log pₖ) with pₖ = λₖ/Σλ over the positive
// eigenvalues (Roy and Vetterli 2007).
func (s *Spectrum) EntropyRank() float64 {
	var t float64
	for _, v := range s.Values {
		if v > 0 {
			t += v
		}
	}
	var h float64
	for _, v := range s.Values {
		if v > 0 {
			p := v / t
			h -= p * math.Log(p)
		}
	}
	return math.Exp(h)
}

// PowerLaw fits λₖ ≈ C k^{−exponent} by least squares of log λₖ on log k over the ranks
// k = lo..hi (1-based, inclusive; hi <= 0 means all), as Xie et al. (2023) do for SGN
// covariance spectra. Eigenvalues below 1e-12·λ₁ (zero up to rounding) are left out. It
// returns the exponent s, log C and the R² of the fit, or an error if fewer than 3
// eigenvalues remain.
func (s *Spectrum) PowerLaw(lo, hi int) (exponent, logC, r2 float64, err error) {
	if lo < 1 {
		lo = 1
	}
	if hi <= 0 || hi > len(s.Values) {
		hi = len(s.Values)
	}
	var xs, ys []float64
	for k := lo; k <= hi; k++ {
		if v := s.Values[k-1]; v > 1e-12*s.Values[0] {
			xs = append(xs, math.Log(float64(k)))
			ys = append(ys, math.Log(v))
		}
	}
	if len(xs) < 3 {
		return 0, 0, 0, fmt.Errorf("sgn: PowerLaw: %d positive eigenvalues in ranks [%d, %d], need 3", len(xs), lo, hi)
	}
	a, b := stat.LinearRegression(xs, ys, nil, false)
	return -b, a, stat.RSquared(xs, ys, nil, a, b), nil
}
