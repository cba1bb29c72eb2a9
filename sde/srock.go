package sde

import (
	"fmt"
	"math"
)

// SROCK is Abdulle and Cirilli's stabilized explicit method S-ROCK for stiff
// Itô SDEs (SIAM J. Sci. Comput. 30(2), 2008), in its strong order ½,
// weak order 1 form. With s stages, damping η, ω₀ = 1 + η/s²,
// ω₁ = T_s(ω₀)/T′_s(ω₀) and the Chebyshev polynomials T_j:
//
//	K₀ = X_n,   K₁ = X_n + h (ω₁/ω₀) f(K₀),
//	K_j = 2h ω₁ (T_{j−1}/T_j) f(K_{j−1}) + 2ω₀ (T_{j−1}/T_j) K_{j−1} − (T_{j−2}/T_j) K_{j−2},
//	X_{n+1} = K_s + g(K_{s−1}) ΔW                      (T_j = T_j(ω₀)),
//
// (f at the stage times t + c_j h, c_j = ω₁T′_j(ω₀)/T_j(ω₀)). On the linear
// test equation dX = λX dt + μX dW, with p = λh and q = μ²h, the stages are
// K_j = R_j(p) X_n, R_j(p) = T_j(ω₀ + ω₁p)/T_j(ω₀), and
//
//	E X_{n+1}² = (R_s(p)² + q R_{s−1}(p)²) E X_n²    (MSAmplification),
//
// and the damping η keeps R_s and R_{s−1} small along the stability
// interval, which makes the scheme mean-square stable on a portion of the
// exact region 2p + q < 0 whose length grows like s² when η grows slowly
// with s (SROCKEta; docs/derivations/sde.md). Each step chooses
//
//	s = min(MaxSROCKStages, max(2, ⌈√(h ρ / c)⌉)),   c = SROCKStabilityConst,
//
// from a bound ρ on the spectral radius of the drift's Jacobian: the user's
// SpectralRadius, or power iteration on finite-difference Jacobian–vector
// products (f(x + εv) − f(x))/ε, warm-started from the previous step's
// vector, times a safety factor 1.2. Stages, if set, fixes s instead.
type SROCK struct {
	// Stages fixes the stage count s ≥ 2 (must not be negative; 1 is
	// refused: one stage is Euler–Maruyama). 0 chooses s per step.
	Stages int
	// SpectralRadius, if > 0, is a bound on the spectral radius of ∂f/∂x
	// used instead of power iteration. It must not be negative.
	SpectralRadius float64
	// Eta is the damping η; 0 means SROCKEta(s), chosen per stage count
	// for mean-square stability on 0 ≤ q ≤ −p. The published S-ROCK
	// damping (η = 3.7, 5.9, 10.8, 13.5, 15.8, 17 at s = 3, 10, 50, 100,
	// 150, 200) covers the whole exact region q < −2p on p ∈ [−L, 0] with
	// L ≈ 0.34–0.78 s², at the price of a shorter interval on q ≤ −p
	// (TestSROCKPublishedStability, docs/derivations/sde.md §7).
	Eta float64
}

// MaxSROCKStages caps the stage count chosen per step.
const MaxSROCKStages = 200

// srockEtaTable holds (s, η) pairs: for each s, the damping on a 0.25 grid
// that maximises the length of the mean-square stable interval
// {p ∈ [−L, 0]: R_s(p)² − p R_{s−1}(p)² < 1} (docs/derivations/sde.md).
var srockEtaTable = [][2]float64{
	{2, 0.25}, {3, 2.5}, {4, 3.25}, {5, 3.75}, {7, 4.25}, {10, 5}, {15, 5.75},
	{20, 6.5}, {30, 7.75}, {50, 9.25}, {100, 12}, {200, 15.25},
}

// SROCKEta returns the default damping for s stages: the table of
// maximisers interpolated linearly in log s (constant beyond its ends).
func SROCKEta(s int) float64 {
	tb := srockEtaTable
	x := float64(s)
	if x <= tb[0][0] {
		return tb[0][1]
	}
	for k := 1; k < len(tb); k++ {
		if x <= tb[k][0] {
			a, b := tb[k-1], tb[k]
			r := math.Log(x/a[0]) / math.Log(b[0]/a[0])
			return a[1] + r*(b[1]-a[1])
		}
	}
	return tb[len(tb)-1][1]
}

// SROCKStabilityConst is c in the stage choice s = ⌈√(hρ/c)⌉: with the
// default damping SROCKEta(s), the scheme is mean-square stable on the
// linear test equation for 0 ≤ q ≤ −p (half the exact region 2p + q < 0)
// and p ∈ [−c s², 0], for every s from 2 to MaxSROCKStages (checked by
// TestSROCKMSStability).
const SROCKStabilityConst = 0.3

// Name returns "SROCK".
func (SROCK) Name() string { return "SROCK" }

// Calculus returns Ito.
func (SROCK) Calculus() Calculus { return Ito }

// Order returns strong ½ and weak 1 for every noise kind.
func (SROCK) Order(k NoiseKind) (strong, weak float64) {
	switch k {
	case Diagonal, Additive, Scalar, General:
		return 0.5, 1
	}
	return 0, 0
}

// LevyArea returns false.
func (SROCK) LevyArea() bool { return false }

func (m SROCK) eta(s int) float64 {
	if m.Eta == 0 {
		return SROCKEta(s)
	}
	return m.Eta
}

// Validate returns an error naming the field for a negative or unit stage
// count, a negative or non-finite spectral radius, or a negative damping.
func (m SROCK) Validate() error {
	switch {
	case m.Stages < 0 || m.Stages == 1:
		return fmt.Errorf("sde: SROCK.Stages = %d, want ≥ 2 (or 0 to choose per step)", m.Stages)
	case !(m.SpectralRadius >= 0) || math.IsInf(m.SpectralRadius, 0):
		return fmt.Errorf("sde: SROCK.SpectralRadius = %v, want finite and ≥ 0", m.SpectralRadius)
	case !(m.Eta >= 0) || math.IsInf(m.Eta, 0):
		return fmt.Errorf("sde: SROCK.Eta = %v, want finite and ≥ 0", m.Eta)
	}
	return nil
}

// chebCoeffs returns ω₀, ω₁ and T_j(ω₀), T′_j(ω₀) for j = 0…s into t, dt.
func chebCoeffs(s int, eta float64, t, dt []float64) (w0, w1 float64) {
	w0 = 1 + eta/float64(s*s)
	t[0], t[1] = 1, w0
	dt[0], dt[1] = 0, 1
	for j := 2; j <= s; j++ {
		t[j] = 2*w0*t[j-1] - t[j-2]
		dt[j] = 2*t[j-1] + 2*w0*dt[j-1] - dt[j-2]
	}
	return w0, t[s] / dt[s]
}

// MSAmplification returns R_s(p)² + q R_{s−1}(p)², the factor by which
// S-ROCK with s stages multiplies E X² on dX = λX dt + μX dW (p = λh,
// q = μ²h); the scheme is mean-square stable there iff it is < 1.
func (m SROCK) MSAmplification(s int, p, q float64) float64 {
	t, dt := make([]float64, s+1), make([]float64, s+1)
	w0, w1 := chebCoeffs(s, m.eta(s), t, dt)
	return msAmp(s, w0, w1, t[s], t[s-1], p, q)
}

// msAmp is MSAmplification given ω₀, ω₁, T_s(ω₀) and T_{s−1}(ω₀).
func msAmp(s int, w0, w1, ts, ts1, p, q float64) float64 {
	// R_j(p) = T_j(ω₀ + ω₁p)/T_j(ω₀) by the three-term recurrence.
	z := w0 + w1*p
	a, b := 1.0, z // T_0(z), T_1(z)
	for j := 2; j <= s; j++ {
		a, b = b, 2*z*b-a
	}
	rs, rs1 := b/ts, a/ts1
	return rs*rs + q*rs1*rs1
}

// NewStepper returns an S-ROCK stepper for sys.
func (m SROCK) NewStepper(sys *System) (Stepper, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := checkKind(m, sys); err != nil {
		return nil, err
	}
	d := sys.Dim
	st := &srockStepper{scratch: newScratch(sys), m: m,
		k0: padded(d), k1: padded(d), v: padded(d), fv: padded(d)}
	for i := range st.v {
		st.v[i] = 1 / math.Sqrt(float64(d)) * float64(1+i%3) // generic start vector
	}
	return st, nil
}

type srockStepper struct {
	scratch
	m          SROCK
	k0, k1     []float64 // K_{j−2}, K_{j−1}
	v, fv      []float64 // power-iteration vector and scratch
	t, dt      []float64 // T_j(ω₀), T′_j(ω₀)
	lastStages int       // stage count of the last step
}

// powerIterations is the number of power-iteration steps per S-ROCK step.
const powerIterations = 8

// spectralRadius estimates ρ(∂f/∂x) at (t, x) by power iteration on
// finite-difference Jacobian–vector products; f0 = f(t, x).
func (s *srockStepper) spectralRadius(t float64, x, f0 []float64) float64 {
	var xn float64
	for _, v := range x {
		xn += v * v
	}
	eps := math.Sqrt(0x1p-52) * (1 + math.Sqrt(xn))
	nrm := func(v []float64) float64 {
		var n float64
		for _, a := range v {
			n += a * a
		}
		return math.Sqrt(n)
	}
	if n := nrm(s.v); n == 0 || math.IsNaN(n) {
		for i := range s.v {
			s.v[i] = 1
		}
	}
	var rho float64
	for range powerIterations {
		n := nrm(s.v)
		for i := range s.y {
			s.y[i] = x[i] + eps*s.v[i]/n
		}
		s.sys.drift(s.fv, s.g3, t, s.y)
		for i := range s.v {
			s.v[i] = (s.fv[i] - f0[i]) / eps
		}
		rho = nrm(s.v)
	}
	return rho
}

func (s *srockStepper) Step(dst []float64, t, h float64, x, dw, _ []float64) {
	s.checkLen(dst, x, dw)
	sys := s.sys
	sys.drift(s.f, s.g3, t, x)
	st := s.m.Stages
	if st == 0 {
		rho := s.m.SpectralRadius
		if rho == 0 {
			rho = 1.2 * s.spectralRadius(t, x, s.f)
		}
		st = int(min(MaxSROCKStages, max(2, math.Ceil(math.Sqrt(h*rho/SROCKStabilityConst)))))
	}
	s.lastStages = st
	if len(s.t) < st+1 {
		s.t, s.dt = make([]float64, st+1), make([]float64, st+1)
	}
	w0, w1 := chebCoeffs(st, s.m.eta(st), s.t, s.dt)
	tt, dtt := s.t, s.dt
	km2, km1 := s.k0, s.k1
	copy(km2, x)
	c1 := w1 / w0
	for i := range km1 {
		km1[i] = x[i] + h*c1*s.f[i]
	}
	for j := 2; j <= st; j++ {
		tj := t + h*w1*dtt[j-1]/tt[j-1] // stage time of K_{j−1}
		sys.drift(s.f, s.g3, tj, km1)
		if j == st {
			sys.diffusion(s.f2, s.g, tj, km1)
		}
		mu, nu, ka := 2*w1*tt[j-1]/tt[j], 2*w0*tt[j-1]/tt[j], -tt[j-2]/tt[j]
		for i := range km2 {
			km2[i] = h*mu*s.f[i] + nu*km1[i] + ka*km2[i]
		}
		km2, km1 = km1, km2
	}
	copy(dst, km1)
	sys.addNoise(dst, 1, s.g, dw)
}
