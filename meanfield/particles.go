package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Particles is the particle system W^{1:N} ∈ R^{N×D}, row-major (W[k*D:(k+1)*D] is
// particle k), with optional probability weights ω_k (nil means ω_k = 1/N). The
// empirical measure is μ = Σ_k ω_k δ_{W^k}. Weighted particles represent a quadrature
// of a law, as in the deterministic mean-field limit.
type Particles struct {
	N, D   int
	W      []float64
	Weight []float64
}

// NewParticles returns n zero particles of dimension d.
func NewParticles(n, d int) (*Particles, error) {
	if n < 1 {
		return nil, fmt.Errorf("meanfield: Particles.N = %d, want >= 1", n)
	}
	if d < 1 {
		return nil, fmt.Errorf("meanfield: Particles.D = %d, want >= 1", d)
	}
	return &Particles{N: n, D: d, W: make([]float64, n*d)}, nil
}

// Row returns particle k as a slice of W.
func (p *Particles) Row(k int) []float64 { return p.W[k*p.D : (k+1)*p.D] }

// Omega returns the weight ω_k.
func (p *Particles) Omega(k int) float64 {
	if p.Weight == nil {
		return 1 / float64(p.N)
	}
	return p.Weight[k]
}

// Clone returns a deep copy.
func (p *Particles) Clone() *Particles {
	c := &Particles{N: p.N, D: p.D, W: append([]float64(nil), p.W...)}
	if p.Weight != nil {
		c.Weight = append([]float64(nil), p.Weight...)
	}
	return c
}

// Coord copies coordinate j of every particle into dst (len N) and returns it.
func (p *Particles) Coord(dst []float64, j int) []float64 {
	if len(dst) != p.N {
		panic("meanfield: Coord dst length mismatch")
	}
	for k := range dst {
		dst[k] = p.W[k*p.D+j]
	}
	return dst
}

// InitGaussian sets every coordinate to an independent N(mean, std²) draw from src.
func (p *Particles) InitGaussian(mean, std float64, src rand.Source) error {
	if !(std >= 0) || math.IsInf(std, 0) || math.IsNaN(mean) || math.IsInf(mean, 0) {
		return fmt.Errorf("meanfield: InitGaussian mean = %v, std = %v", mean, std)
	}
	r := rand.New(src)
	for i := range p.W {
		p.W[i] = mean + std*r.NormFloat64()
	}
	return nil
}

// InitUniform sets every coordinate to an independent U(lo, hi) draw from src.
func (p *Particles) InitUniform(lo, hi float64, src rand.Source) error {
	if !(hi >= lo) || math.IsInf(hi-lo, 0) {
		return fmt.Errorf("meanfield: InitUniform interval [%v, %v]", lo, hi)
	}
	r := rand.New(src)
	for i := range p.W {
		p.W[i] = lo + (hi-lo)*r.Float64()
	}
	return nil
}

// InitTorchDefault reproduces PyTorch's default nn.Linear initialisation
// U(−1/√fan_in, 1/√fan_in) for the ReLUUnit layout w = (u, a): u ~ U(±1/√p) (first
// layer, fan_in p) and a ~ U(±1/√N) (output layer, fan_in = width N), so the initial
// law of the output coordinates depends on N and tends to δ_0 (docs/derivations/msgld.md §6).
func (p *Particles) InitTorchDefault(u ReLUUnit, src rand.Source) error {
	if u.Dim() != p.D || u.P < 1 || u.K < 1 {
		return fmt.Errorf("meanfield: InitTorchDefault unit dimension %d (P = %d, K = %d) != Particles.D = %d", u.Dim(), u.P, u.K, p.D)
	}
	r := rand.New(src)
	bu := 1 / math.Sqrt(float64(u.P))
	ba := 1 / math.Sqrt(float64(p.N))
	for k := 0; k < p.N; k++ {
		w := p.Row(k)
		for j := range w {
			b := bu
			if j >= u.P {
				b = ba
			}
			w[j] = b * (2*r.Float64() - 1)
		}
	}
	return nil
}

// GaussHermiteParticles returns the tensor Gauss–Hermite quadrature of the product law
// ⊗_j N(mean[j], std[j]²) with m nodes per coordinate: m^d weighted particles with
// Σ_k ω_k g(W^k) = ∫ g dλ_0 exactly for polynomials of degree ≤ 2m−1 in each coordinate.
// It is the weighted particle system behind the deterministic mean-field limit. It returns
// an error for m < 1, lengths that differ, a non-finite mean or a std that is negative or
// not finite (std = 0 puts every node of that coordinate at the mean).
func GaussHermiteParticles(m int, mean, std []float64) (*Particles, error) {
	d := len(mean)
	if d < 1 || len(std) != d {
		return nil, fmt.Errorf("meanfield: GaussHermiteParticles len(mean) = %d, len(std) = %d", d, len(std))
	}
	if m < 1 {
		return nil, fmt.Errorf("meanfield: GaussHermiteParticles m = %d, want >= 1", m)
	}
	for j := range d {
		if math.IsNaN(mean[j]) || math.IsInf(mean[j], 0) {
			return nil, fmt.Errorf("meanfield: GaussHermiteParticles mean[%d] = %v, want finite", j, mean[j])
		}
		if !(std[j] >= 0) || math.IsInf(std[j], 0) {
			return nil, fmt.Errorf("meanfield: GaussHermiteParticles std[%d] = %v, want finite >= 0", j, std[j])
		}
	}
	n := 1
	for range d {
		n *= m
		if n > 1<<24 {
			return nil, fmt.Errorf("meanfield: GaussHermiteParticles m^d = %d^%d is too large", m, d)
		}
	}
	x := make([]float64, m)
	w := make([]float64, m)
	gaussHermiteStd(x, w)
	ps, err := NewParticles(n, d)
	if err != nil {
		return nil, err
	}
	ps.Weight = make([]float64, n)
	for k := range n {
		row := ps.Row(k)
		om := 1.0
		idx := k
		for j := d - 1; j >= 0; j-- {
			i := idx % m
			idx /= m
			row[j] = mean[j] + std[j]*x[i]
			om *= w[i]
		}
		ps.Weight[k] = om
	}
	return ps, nil
}
