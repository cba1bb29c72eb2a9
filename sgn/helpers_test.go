package sgn

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// randDense returns an r×c matrix of independent N(0,1) entries from a fixed-seed PCG.
func randDense(r, c int, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// withProcs runs f with GOMAXPROCS set to p.
func withProcs(p int, f func()) {
	old := runtime.GOMAXPROCS(p)
	defer runtime.GOMAXPROCS(old)
	f()
}

// relClose reports |a−b| <= tol·max(1, |b|).
func relClose(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

func mustPanic(t *testing.T, name string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("%s: no panic", name)
		}
		if s, ok := r.(string); !ok || len(s) < 5 || s[:5] != "sgn: " {
			t.Fatalf("%s: panic %v lacks the \"sgn: \" prefix", name, r)
		}
	}()
	f()
}

// quadratic is f(w) = ½ wᵀHw with the given symmetric H; its HVP is v ↦ Hv.
func denseHVP(h *mat.SymDense) HVPFunc {
	n := h.SymmetricDim()
	return func(dst, v []float64) {
		if len(dst) != n || len(v) != n {
			panic("sgn: test HVP length mismatch")
		}
		d := mat.NewVecDense(n, dst)
		d.MulVec(h, mat.NewVecDense(n, v))
	}
}

// symWithEigen returns Q diag(vals) Qᵀ for a random orthogonal Q (QR of a Gaussian matrix).
func symWithEigen(vals []float64, seed uint64) (*mat.SymDense, *mat.Dense) {
	d := len(vals)
	var qr mat.QR
	qr.Factorize(randDense(d, d, seed))
	var q mat.Dense
	qr.QTo(&q)
	var tmp mat.Dense
	tmp.Mul(&q, mat.NewDiagDense(d, vals))
	var full mat.Dense
	full.Mul(&tmp, q.T())
	s := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			s.SetSym(i, j, (full.At(i, j)+full.At(j, i))/2)
		}
	}
	return s, &q
}
