package sgn

import (
	"errors"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// symTop returns the eigenvalues of the symmetric a in decreasing order and, if k > 0, unit
// eigenvectors for the top k of them as the columns of an n×k matrix. The eigenvalues come
// from a values-only factorisation (cheap); the k vectors from topEigenvectors, or, if that
// does not reach its residual tolerance, from the full factorisation with vectors.
func symTop(a *mat.SymDense, k int) (vals []float64, vecs *mat.Dense, ok bool) {
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		return nil, nil, false
	}
	vals = es.Values(nil)
	for i, j := 0, len(vals)-1; i < j; i, j = i+1, j-1 {
		vals[i], vals[j] = vals[j], vals[i]
	}
	if k == 0 {
		return vals, nil, true
	}
	if v, ok := topEigenvectors(a, vals, k); ok {
		return vals, v, true
	}
	if !es.Factorize(a, true) {
		return nil, nil, false
	}
	var u mat.Dense
	es.VectorsTo(&u)
	n := a.SymmetricDim()
	vecs = mat.NewDense(n, k, nil)
	for c := 0; c < k; c++ {
		vecs.SetCol(c, mat.Col(nil, n-1-c, &u)) // EigenSym orders values ascending
	}
	return vals, vecs, true
}

// topEigenvectors computes eigenvectors for vals[0:k] (decreasing eigenvalues of a) by
// inverse iteration: for each λ it factorises a − (λ + 1e-10‖a‖)I once and iterates
// x ← (a − σI)⁻¹x from a fixed pseudo-random start, orthogonalising against the vectors
// already found (so clusters of close eigenvalues get an orthonormal basis of their
// invariant subspace). A vector is accepted once ‖a x − λ x‖ <= 64·n·ε·‖a‖, the residual of
// a backward-stable eigensolver; ok is false if one is not accepted within 8 iterations.
// Cost: k LU factorisations, O(k n³/3), against the O(n³) rotations of the full QR with
// vectors applied to all n vectors.
func topEigenvectors(a *mat.SymDense, vals []float64, k int) (*mat.Dense, bool) {
	n := a.SymmetricDim()
	norm := math.Max(math.Abs(vals[0]), math.Abs(vals[len(vals)-1]))
	if norm == 0 || k > n {
		return nil, false
	}
	tol := 64 * float64(n) * 0x1p-52 * norm
	out := mat.NewDense(n, k, nil)
	shifted := mat.NewDense(n, n, nil)
	var lu mat.LU
	x := mat.NewVecDense(n, nil)
	y := mat.NewVecDense(n, nil)
	r := mat.NewVecDense(n, nil)
	prev := make([][]float64, 0, k)
	rng := rand.New(rand.NewPCG(0x5eed, 0xe1))
	for c := 0; c < k; c++ {
		shifted.Copy(a)
		sigma := vals[c] + 1e-10*norm
		for i := 0; i < n; i++ {
			shifted.Set(i, i, shifted.At(i, i)-sigma)
		}
		lu.Factorize(shifted)
		for i := 0; i < n; i++ {
			x.SetVec(i, rng.NormFloat64())
		}
		done := false
		for it := 0; it < 8 && !done; it++ {
			if err := lu.SolveVecTo(y, false, x); err != nil {
				var cond mat.Condition
				if !errors.As(err, &cond) || math.IsInf(float64(cond), 1) {
					return nil, false
				}
			}
			yr := y.RawVector().Data
			if orthoNormalize(yr, prev) == 0 {
				return nil, false
			}
			x.CopyVec(y)
			r.MulVec(a, x)
			r.AddScaledVec(r, -vals[c], x)
			done = mat.Norm(r, 2) <= tol
		}
		if !done {
			return nil, false
		}
		col := mat.Col(nil, 0, x)
		if floats.HasNaN(col) {
			return nil, false
		}
		out.SetCol(c, col)
		prev = append(prev, col)
	}
	return out, true
}
