package reflected

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/sdeml/sdeml/internal/parallel"
)

// Precond is the preconditioning of Karras et al. (2022, "EDM") adapted to the reflected
// kernel (docs/derivations/reflected.md §5.1). With a network F, the score model is
//
//	s(x, t)ᵢ = skipᵢ(x, t) + c_out(t)·Fᵢ(c_in,ᵢ(t)·(xᵢ − μᵢ), e(t)),
//	skipᵢ(x, t) = ∂ₓ log p_{t+σᵢ²}(xᵢ, μᵢ),
//
// where μᵢ, σᵢ² are the mean and variance of coordinate i of the training data.
//
// The skip term is the exact score, at time t, of the reference law whose coordinate i is
// fold(μᵢ + σᵢ·Z): reflected Brownian motion started there is at time t the same fold of a
// Gaussian of variance σᵢ² + t, so its score is the reflected kernel's at time t + σᵢ². For
// small t + σᵢ², away from the walls, it is −(xᵢ − μᵢ)/(t + σᵢ²), EDM's skip connection
// (c_skip − 1)·x/σ² written as a score; near the walls and for large t it is the reflected
// kernel, not a Gaussian. The network therefore learns only the residual beyond what the
// kernel gives. With Free, the skip is the Gaussian −(xᵢ − μᵢ)/(t + σᵢ²) and the reference
// law is N(μ, diag σ²).
//
// c_in,ᵢ(t) = 1/√vᵢ(t), vᵢ = (σᵢ² + t)/(1 + 12(σᵢ² + t)), makes the input variance ≈ 1: vᵢ
// is σᵢ² + t (the variance of the noised coordinate) while that is small and tends to 1/12,
// the variance of Uniform[0,1], as t grows (Free: vᵢ = σᵢ² + t).
//
// c_out(t) is calibrated on the training data: c_out(t)² = E‖∇ log qₜ(Xₜ|X₀) − skip(Xₜ, t)‖²/D,
// estimated by Monte Carlo on a grid of times and interpolated linearly in log t, so the
// regression target (∇ log qₜ(Xₜ|X₀) − skip)/c_out of F has unit mean square at every t by
// construction. For Gaussian data of variance σ² this is EDM's c_out/σ² = σ_data/(σ·√(σ² +
// σ_data²)) in score units; for the reflected kernel and real data the calibration includes
// the walls and the data's shape. The DSM loss weight λ(t) = 1/c_out(t)² (WeightUnit) then
// makes every noise level count equally in the loss.
type Precond struct {
	// Mean and Var are μᵢ and σᵢ² per coordinate (len D).
	Mean, Var []float64
	// LogT is the increasing grid of log t on which LogCOut = log c_out is tabulated; outside
	// the grid c_out is held at the end values.
	LogT, LogCOut []float64
	// Free selects the Gaussian skip and input scaling (Process = Free).
	Free bool
}

// precondGrid is the number of calibration times.
const precondGrid = 41

// NewPrecond fits a Precond to data (n×D row-major, points in [0,1]^D) for times in
// [lo, hi]: the coordinate means and variances and the calibrated c_out on a grid of
// precondGrid times log-spaced from lo to hi. The Monte Carlo draws come from the streams
// parallel.Stream(seed, g) (one per grid time), so the result does not depend on
// GOMAXPROCS. It returns an error for bad data or times.
func NewPrecond(data []float64, D int, lo, hi float64, process Process, seed uint64) (*Precond, error) {
	if err := checkPoints("NewPrecond", "data", data, D); err != nil {
		return nil, err
	}
	if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("reflected: NewPrecond: times lo = %v, hi = %v, need 0 < lo < hi < ∞", lo, hi)
	}
	if !process.valid() {
		return nil, fmt.Errorf("reflected: NewPrecond: Process = %d, need Reflected or Free", int(process))
	}
	n := len(data) / D
	p := &Precond{Mean: make([]float64, D), Var: make([]float64, D), Free: process == Free}
	for r := 0; r < n; r++ {
		for i, v := range data[r*D : r*D+D] {
			p.Mean[i] += v
		}
	}
	for i := range p.Mean {
		p.Mean[i] /= float64(n)
	}
	for r := 0; r < n; r++ {
		for i, v := range data[r*D : r*D+D] {
			d := v - p.Mean[i]
			p.Var[i] += d * d
		}
	}
	for i := range p.Var {
		p.Var[i] /= float64(n)
	}
	p.LogT = make([]float64, precondGrid)
	p.LogCOut = make([]float64, precondGrid)
	la, lb := math.Log(lo), math.Log(hi)
	for g := range p.LogT {
		p.LogT[g] = la + (lb-la)*float64(g)/float64(precondGrid-1)
	}
	k := max(256, 8192/D) // Monte Carlo draws per grid time: ≥ 8192 coordinates, ≈ 1.6% relative error
	parallel.For(precondGrid, func(_, g int) {
		t := math.Exp(p.LogT[g])
		st := math.Sqrt(t)
		rnd := rand.New(parallel.Stream(seed, g))
		x := make([]float64, D)
		var sum float64
		for j := 0; j < k; j++ {
			y := data[rnd.IntN(n)*D:][:D]
			for i, yi := range y {
				z := rnd.NormFloat64()
				var target float64
				if p.Free {
					x[i] = yi + st*z
					target = -z / st
				} else {
					x[i] = Fold(yi + st*z)
					target = Score1D(x[i], yi, t)
				}
				r := target - p.skip1(x[i], i, t)
				sum += r * r
			}
		}
		ms := sum / float64(k*D)
		p.LogCOut[g] = 0.5 * math.Log(max(ms, 1e-12/t))
	})
	return p, nil
}

// validate checks the tables' shapes for dimension D.
func (p *Precond) validate(D int) error {
	switch {
	case len(p.Mean) != D || len(p.Var) != D:
		return fmt.Errorf("reflected: Precond: len(Mean) = %d, len(Var) = %d, want D = %d", len(p.Mean), len(p.Var), D)
	case len(p.LogT) < 1 || len(p.LogT) != len(p.LogCOut):
		return fmt.Errorf("reflected: Precond: len(LogT) = %d, len(LogCOut) = %d, need equal and ≥ 1", len(p.LogT), len(p.LogCOut))
	case !slices.IsSorted(p.LogT):
		return fmt.Errorf("reflected: Precond: LogT is not increasing")
	}
	for i := range p.Mean {
		if !(p.Mean[i] >= 0 && p.Mean[i] <= 1) || !(p.Var[i] >= 0 && p.Var[i] <= 1) {
			return fmt.Errorf("reflected: Precond: Mean[%d] = %v, Var[%d] = %v, need both in [0,1]", i, p.Mean[i], i, p.Var[i])
		}
	}
	for g, v := range p.LogCOut {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.IsNaN(p.LogT[g]) || math.IsInf(p.LogT[g], 0) {
			return fmt.Errorf("reflected: Precond: LogT[%d] = %v, LogCOut[%d] = %v, need finite", g, p.LogT[g], g, v)
		}
	}
	return nil
}

// skip1 returns coordinate i of the skip score at x (that coordinate's value) and time t.
func (p *Precond) skip1(x float64, i int, t float64) float64 {
	if p.Free {
		return -(x - p.Mean[i]) / (t + p.Var[i])
	}
	return Score1D(x, p.Mean[i], t+p.Var[i])
}

// cIn returns the input scaling of coordinate i at time t.
func (p *Precond) cIn(i int, t float64) float64 {
	v := t + p.Var[i]
	if !p.Free {
		v /= 1 + 12*v
	}
	return 1 / math.Sqrt(v)
}

// COut returns the calibrated output scaling c_out(t).
func (p *Precond) COut(t float64) float64 {
	lt := math.Log(t)
	g := p.LogT
	switch {
	case lt <= g[0]:
		return math.Exp(p.LogCOut[0])
	case lt >= g[len(g)-1]:
		return math.Exp(p.LogCOut[len(g)-1])
	}
	j, _ := slices.BinarySearch(g, lt) // g[j-1] < lt ≤ g[j]
	a := (lt - g[j-1]) / (g[j] - g[j-1])
	return math.Exp((1-a)*p.LogCOut[j-1] + a*p.LogCOut[j])
}

// input writes the network's coordinate inputs c_in,ᵢ(t)·(xᵢ − μᵢ) into dst.
func (p *Precond) input(dst, x []float64, t float64) {
	for i, v := range x {
		dst[i] = p.cIn(i, t) * (v - p.Mean[i])
	}
}
