package meanfield

import (
	"fmt"
	"math"
)

// Coupling summarises the per-particle distances e_k = |W^k − W̄^k| (Euclidean norm in
// R^D) between particles and their mean-field twins: Mean = Σ_k ω_k e_k,
// RMS = (Σ_k ω_k e_k²)^{1/2}, Max = max_k e_k, with ω_k the weights of the first system.
type Coupling struct {
	Mean, RMS, Max float64
}

// CouplingError returns the coupling error between equally shaped systems a and b,
// matched by index (particle k with twin k).
func CouplingError(a, b *Particles) (Coupling, error) {
	if a.N != b.N || a.D != b.D {
		return Coupling{}, fmt.Errorf("meanfield: CouplingError shapes (%d, %d) and (%d, %d) differ", a.N, a.D, b.N, b.D)
	}
	var c Coupling
	for k := range a.N {
		x, y := a.Row(k), b.Row(k)
		var s float64
		for j, v := range x {
			d := v - y[j]
			s += d * d
		}
		om := a.Omega(k)
		c.Mean += om * math.Sqrt(s)
		c.RMS += om * s
		c.Max = max(c.Max, math.Sqrt(s))
	}
	c.RMS = math.Sqrt(c.RMS)
	return c, nil
}

// SupCoupling tracks sup over time of the coupling statistics: after Observe has been
// called at each time of interest, Sup holds the componentwise maximum over those times
// (sup_t mean_k, sup_t RMS_k, sup_t max_k).
type SupCoupling struct {
	Sup Coupling
}

// Observe measures the coupling of a and b and folds it into the running suprema.
func (s *SupCoupling) Observe(a, b *Particles) (Coupling, error) {
	c, err := CouplingError(a, b)
	if err != nil {
		return c, err
	}
	s.Sup.Mean = max(s.Sup.Mean, c.Mean)
	s.Sup.RMS = max(s.Sup.RMS, c.RMS)
	s.Sup.Max = max(s.Sup.Max, c.Max)
	return c, nil
}

// FieldL2 returns ‖f − g‖_{L²(π)} = (Σ_q π_q |f_q − g_q|²)^{1/2} for fields on pts (Q×K).
func FieldL2(f, g []float64, pts *Points) float64 {
	K := pts.K
	if len(f) != pts.Len()*K || len(g) != len(f) {
		panic("meanfield: FieldL2 length mismatch")
	}
	var s float64
	for q := range pts.Len() {
		for j := range K {
			d := f[q*K+j] - g[q*K+j]
			s += pts.W(q) * d * d
		}
	}
	return math.Sqrt(s)
}

// WeakBias returns Σ_q π_q |mean_r f^r_q − g_q| (summed over outputs), the bias of the
// replicate-averaged field against the limit g. Its rate in N is the weak rate N^{−1},
// while single-replicate errors decay like N^{−1/2}; with R replicates its Monte Carlo
// floor is of order (R·N)^{−1/2}.
func WeakBias(reps [][]float64, g []float64, pts *Points) float64 {
	K := pts.K
	var s float64
	for q := range pts.Len() {
		for j := range K {
			var m float64
			for _, f := range reps {
				m += f[q*K+j]
			}
			m /= float64(len(reps))
			s += pts.W(q) * math.Abs(m-g[q*K+j])
		}
	}
	return s
}

// AcrossRunVariance returns Σ_q π_q Var_r(f^r_q) (unbiased over the R ≥ 2 runs, summed
// over outputs): the spread of the network function across runs that share an
// initialisation and differ in their noise. It vanishes as N grows when the noise is
// independent across neurons, and stays when all neurons share it (docs/derivations/msgld.md §5).
func AcrossRunVariance(runs [][]float64, pts *Points) float64 {
	R := len(runs)
	if R < 2 {
		panic("meanfield: AcrossRunVariance needs at least 2 runs")
	}
	K := pts.K
	var s float64
	for q := range pts.Len() {
		for j := range K {
			var m, m2 float64
			for _, f := range runs {
				m += f[q*K+j]
			}
			m /= float64(R)
			for _, f := range runs {
				d := f[q*K+j] - m
				m2 += d * d
			}
			s += pts.W(q) * m2 / float64(R-1)
		}
	}
	return s
}
