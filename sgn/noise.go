package sgn

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// MinibatchGrads fills row k of dst with the minibatch gradient ∇f_{γ_k}(w), where the γ_k
// are independent uniform size-b subsets of pool (without replacement within a batch),
// drawn from parallel.Stream(seed, k). These rows, centred, are the SGN samples
// ξ_k = ∇f_{γ_k} − ∇f of Simsekli et al. It returns an error if b is outside [1, len(pool)],
// len(w) is not obj.Dim(), an entry of pool is not a sample of obj (when obj has a Len
// method, as nn.Objective does) or a gradient is not finite, and panics if dst does not
// have obj.Dim() columns.
func MinibatchGrads(dst *mat.Dense, obj BatchGrader, w []float64, pool []int, b int, seed uint64) error {
	k, d := dst.Dims()
	if d != obj.Dim() {
		panic(fmt.Sprintf("sgn: MinibatchGrads: dst has %d columns, objective dimension %d", d, obj.Dim()))
	}
	if b < 1 || b > len(pool) {
		return fmt.Errorf("sgn: MinibatchGrads: batch size b = %d outside [1, len(pool) = %d]", b, len(pool))
	}
	if err := checkParams("MinibatchGrads", w, d); err != nil {
		return err
	}
	if err := checkIndices("MinibatchGrads", "pool", obj, pool); err != nil {
		return err
	}
	type scratch struct {
		s   *subsetSampler
		sub []int
		pcg *rand.PCG
		rng *rand.Rand
	}
	sc := make([]scratch, parallel.Workers(k))
	for i := range sc {
		pcg := rand.NewPCG(0, 0)
		sc[i] = scratch{s: newSubsetSampler(len(pool), b), sub: make([]int, b), pcg: pcg, rng: rand.New(pcg)}
	}
	parallel.For(k, func(wk, r int) {
		s := &sc[wk]
		*s.pcg = *parallel.Stream(seed, r)
		s.s.draw(s.sub, s.rng)
		for j, p := range s.sub {
			s.sub[j] = pool[p]
		}
		obj.LossGrad(dst.RawRowView(r), w, s.sub)
	})
	for r := 0; r < k; r++ {
		if bad := firstNonFinite(dst.RawRowView(r)); bad >= 0 {
			return fmt.Errorf("sgn: MinibatchGrads: batch %d gradient coordinate %d is %v", r, bad, dst.At(r, bad))
		}
	}
	return nil
}

// CenterRows sets dst to the rows of g minus mean (the deviations δᵢ = gᵢ − mean). If mean
// is nil the row mean of g is used and returned. dst may be g. It panics on shape mismatch.
func CenterRows(dst, g *mat.Dense, mean []float64) []float64 {
	n, d := g.Dims()
	if dn, dd := dst.Dims(); dn != n || dd != d {
		panic(fmt.Sprintf("sgn: CenterRows: dst is %d×%d, g is %d×%d", dn, dd, n, d))
	}
	if mean == nil {
		mean = make([]float64, d)
		for i := 0; i < n; i++ {
			for j, v := range g.RawRowView(i) {
				mean[j] += v
			}
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
	} else if len(mean) != d {
		panic(fmt.Sprintf("sgn: CenterRows: len(mean) = %d, want %d", len(mean), d))
	}
	for i := 0; i < n; i++ {
		src, out := g.RawRowView(i), dst.RawRowView(i)
		for j, v := range src {
			out[j] = v - mean[j]
		}
	}
	return mean
}
