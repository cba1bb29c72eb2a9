package meanfield

import (
	"fmt"
	"math"
)

// Schedule is the width-dependent step-size schedule of the paper's code
// (fonfonx/MeanFieldSGD run.py/main.py; docs/derivations/msgld.md §2). With γ = Gamma, β = Beta,
// α = Alpha and width N, torch's learning rate at iteration n is γN^β(n + 1/g_N)^{−α},
// and because the network output is divided by N, the per-neuron step is
//
//	h_n = g_N (1 + n g_N)^{−α},   g_N = (γ N^{β−1})^{1/(1−α)}.
//
// Iteration n sits at mean-field time t_n = n g_N, so h_n = g_N(1+t_n)^{−α}.
//
// β is the exponent of the torch learning rate, as in the paper's code: β < 1 gives
// g_N → 0 and a deterministic mean-field limit (RegimeDeterministic); β = 1 keeps
// g_N = γ^{1/(1−α)} and a noisy limit (RegimeNoisy); β > 1 is outside the framework.
// The per-neuron step exponent is 1 − β (PerNeuronExponent).
type Schedule struct {
	Gamma, Beta, Alpha float64
	N                  int
}

// Regime is the kind of mean-field limit a schedule leads to.
type Regime int

const (
	// RegimeDeterministic (β < 1): the limit is the McKean–Vlasov ODE (gradient flow).
	RegimeDeterministic Regime = iota
	// RegimeNoisy (β = 1): the step does not vanish and the limit keeps noise of size (γ/M)^{1/2}.
	RegimeNoisy
)

// String names the regime.
func (r Regime) String() string {
	if r == RegimeNoisy {
		return "noisy"
	}
	return "deterministic"
}

// Validate returns an error naming the first invalid field: N < 1, γ not finite and
// positive, β > 1 or not finite, α outside [0, 1).
func (s Schedule) Validate() error {
	switch {
	case s.N < 1:
		return fmt.Errorf("meanfield: Schedule.N = %d, want >= 1", s.N)
	case !(s.Gamma > 0) || math.IsInf(s.Gamma, 0):
		return fmt.Errorf("meanfield: Schedule.Gamma = %v, want finite > 0", s.Gamma)
	case math.IsNaN(s.Beta) || math.IsInf(s.Beta, 0) || s.Beta > 1:
		return fmt.Errorf("meanfield: Schedule.Beta = %v, want finite <= 1 (beta > 1 is outside the mean-field framework)", s.Beta)
	case !(s.Alpha >= 0 && s.Alpha < 1):
		return fmt.Errorf("meanfield: Schedule.Alpha = %v, want in [0, 1)", s.Alpha)
	}
	return nil
}

// Regime returns RegimeDeterministic for β < 1 and RegimeNoisy for β = 1, or the
// validation error.
func (s Schedule) Regime() (Regime, error) {
	if err := s.Validate(); err != nil {
		return 0, err
	}
	if s.Beta == 1 {
		return RegimeNoisy, nil
	}
	return RegimeDeterministic, nil
}

// G returns g_N = (γ N^{β−1})^{1/(1−α)}, the mean-field time per iteration at n = 0.
func (s Schedule) G() float64 {
	return math.Pow(s.Gamma*math.Pow(float64(s.N), s.Beta-1), 1/(1-s.Alpha))
}

// Step returns the per-neuron step h_n = g_N (1 + n g_N)^{−α}.
func (s Schedule) Step(n int) float64 {
	g := s.G()
	return g * math.Pow(1+float64(n)*g, -s.Alpha)
}

// TorchLR returns torch's learning rate γ N^β (n + 1/g_N)^{−α} (for α = 0 simply γN^β);
// Step(n) = TorchLR(n)/N.
func (s Schedule) TorchLR(n int) float64 {
	lr := s.Gamma * math.Pow(float64(s.N), s.Beta)
	if s.Alpha == 0 {
		return lr
	}
	return lr * math.Pow(float64(n)+1/s.G(), -s.Alpha)
}

// Time returns the mean-field time t_n = n g_N of iteration n.
func (s Schedule) Time(n int) float64 { return float64(n) * s.G() }

// Iterations returns the paper's iteration count for horizon T in mean-field time,
// int(T/g_N) (run.py: T·(N/lr)^{1/(1−α)}, truncated). It returns −1 if the schedule is
// invalid (Validate says why), T is negative, NaN or infinite, or the count does not fit
// in an int; Trainer.Run refuses a negative step count with an error naming the cause.
func (s Schedule) Iterations(T float64) int {
	if s.Validate() != nil || !(T >= 0) || math.IsInf(T, 0) {
		return -1
	}
	lr := s.Gamma * math.Pow(float64(s.N), s.Beta)
	it := T * math.Pow(float64(s.N)/lr, 1/(1-s.Alpha))
	if !(it < math.MaxInt64) {
		return -1
	}
	return int(it)
}

// PerNeuronExponent returns 1 − β: for α = 0 the per-neuron step is γ N^{−(1−β)}.
func (s Schedule) PerNeuronExponent() float64 { return 1 - s.Beta }
