package sgn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// MicroBatchStats are Monte Carlo estimates over Reps random size-M subsets γ (drawn
// uniformly without replacement) of the norm of the subset-mean gradient ∇f_γ.
type MicroBatchStats struct {
	M, Reps int
	// MeanSqNorm estimates E_γ‖∇f_γ‖²; SqNormStdErr is its standard error.
	MeanSqNorm, SqNormStdErr float64
	// MeanNorm estimates E_γ‖∇f_γ‖, the m-SAM implicit regulariser divided by ρ;
	// NormStdErr is its standard error.
	MeanNorm, NormStdErr float64
}

// BatchGrader computes mean gradients over index sets; nn.Objective implements it.
// LossGrad must be safe for concurrent use with distinct grad buffers.
type BatchGrader interface {
	Dim() int
	LossGrad(grad, w []float64, idx []int) float64
}

// MicroBatchNorms estimates E_γ‖∇f_γ‖ and E_γ‖∇f_γ‖² over uniform size-m subsets γ of the
// rows of g (the n per-sample gradients), from reps subsets. Subset r is drawn from
// parallel.Stream(seed, r), so the result does not depend on GOMAXPROCS.
func MicroBatchNorms(g *mat.Dense, m, reps int, seed uint64) (MicroBatchStats, error) {
	n, d := g.Dims()
	if err := checkMicro(n, m, reps); err != nil {
		return MicroBatchStats{}, err
	}
	for i := 0; i < n; i++ {
		if bad := firstNonFinite(g.RawRowView(i)); bad >= 0 {
			return MicroBatchStats{}, fmt.Errorf("sgn: MicroBatchNorms: gradient row %d, coordinate %d is %v", i, bad, g.At(i, bad))
		}
	}
	return microBatch(n, m, reps, seed, d, func(dst []float64, idx []int) {
		for j := range dst {
			dst[j] = 0
		}
		for _, i := range idx {
			floats.Add(dst, g.RawRowView(i))
		}
		floats.Scale(1/float64(len(idx)), dst)
	})
}

// MicroBatchNormsGrad is MicroBatchNorms for a model: the subsets are drawn from pool
// (indices into obj's samples) and ∇f_γ(w) is computed by obj.LossGrad, so no per-sample
// gradients are stored. It returns an error if len(w) is not obj.Dim(), an entry of pool
// is not a sample of obj (when obj has a Len method, as nn.Objective does) or a gradient is
// not finite.
func MicroBatchNormsGrad(obj BatchGrader, w []float64, pool []int, m, reps int, seed uint64) (MicroBatchStats, error) {
	if err := checkMicro(len(pool), m, reps); err != nil {
		return MicroBatchStats{}, err
	}
	if err := checkParams("MicroBatchNormsGrad", w, obj.Dim()); err != nil {
		return MicroBatchStats{}, err
	}
	if err := checkIndices("MicroBatchNormsGrad", "pool", obj, pool); err != nil {
		return MicroBatchStats{}, err
	}
	return microBatch(len(pool), m, reps, seed, obj.Dim(), func(dst []float64, sub []int) {
		// sub holds positions in pool; map them to sample indices in place.
		for k, p := range sub {
			sub[k] = pool[p]
		}
		obj.LossGrad(dst, w, sub)
	})
}

func checkMicro(n, m, reps int) error {
	if n < 2 {
		return fmt.Errorf("sgn: %d samples, need at least 2", n)
	}
	if m < 1 || m > n {
		return fmt.Errorf("sgn: micro-batch size m = %d outside [1, n = %d]", m, n)
	}
	if reps < 2 {
		return fmt.Errorf("sgn: reps = %d, need at least 2", reps)
	}
	return nil
}

// microBatch runs reps draws in parallel; grad(dst, sub) writes ∇f_γ for the subset sub
// of {0..n−1} (it may overwrite sub).
func microBatch(n, m, reps int, seed uint64, d int, grad func(dst []float64, sub []int)) (MicroBatchStats, error) {
	type scratch struct {
		s   *subsetSampler
		sub []int
		g   []float64
		pcg *rand.PCG
		rng *rand.Rand
	}
	ws := parallel.Workers(reps)
	sc := make([]scratch, ws)
	for k := range sc {
		pcg := rand.NewPCG(0, 0)
		sc[k] = scratch{s: newSubsetSampler(n, m), sub: make([]int, m), g: make([]float64, d), pcg: pcg, rng: rand.New(pcg)}
	}
	sq := make([]float64, reps)
	parallel.For(reps, func(w, r int) {
		s := &sc[w]
		*s.pcg = *parallel.Stream(seed, r)
		s.s.draw(s.sub, s.rng)
		grad(s.g, s.sub)
		sq[r] = floats.Dot(s.g, s.g)
	})
	var sumSq, sumNorm float64
	for r, v := range sq {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return MicroBatchStats{}, fmt.Errorf("sgn: micro-batch gradient %d has non-finite squared norm %v", r, v)
		}
		sumSq += v
		sumNorm += math.Sqrt(v)
	}
	R := float64(reps)
	mSq, mNorm := sumSq/R, sumNorm/R
	var vSq, vNorm float64
	for _, v := range sq {
		vSq += (v - mSq) * (v - mSq)
		e := math.Sqrt(v) - mNorm
		vNorm += e * e
	}
	return MicroBatchStats{
		M: m, Reps: reps,
		MeanSqNorm: mSq, SqNormStdErr: math.Sqrt(vSq / (R - 1) / R),
		MeanNorm: mNorm, NormStdErr: math.Sqrt(vNorm / (R - 1) / R),
	}, nil
}
