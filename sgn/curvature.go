package sgn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// HVPFunc writes the Hessian–vector product H v into dst (both of length d). Functions in
// this package call it from several goroutines at once with distinct dst and v, so it must
// be safe for concurrent use in that sense (nn.HVP is).
type HVPFunc func(dst, v []float64)

// Estimate is a Monte Carlo mean with its standard error over Probes probes.
type Estimate struct {
	Value, StdErr float64
	Probes        int
}

// HutchinsonSettings configure the probe loops; nil or zero fields mean defaults.
type HutchinsonSettings struct {
	// MaxProbes caps the number of probes (default 100, PyHessian's maxIter).
	MaxProbes int
	// MinProbes is the number of probes before the stopping rule is checked (default 10,
	// or MaxProbes if that is smaller). A MinProbes set above MaxProbes is an error.
	MinProbes int
	// Tol stops the loop once StdErr <= Tol·|Value| (default 1e-3; negative: never stop
	// early).
	Tol float64
}

func (s *HutchinsonSettings) resolve() (maxP, minP int, tol float64, err error) {
	maxP, minP, tol = 100, 10, 1e-3
	if s != nil {
		if s.MaxProbes < 0 || s.MinProbes < 0 {
			return 0, 0, 0, fmt.Errorf("sgn: HutchinsonSettings: MaxProbes = %d, MinProbes = %d must be non-negative", s.MaxProbes, s.MinProbes)
		}
		if s.MaxProbes > 0 {
			maxP = s.MaxProbes
		}
		if s.MinProbes > 0 {
			minP = s.MinProbes
		}
		if s.Tol != 0 {
			tol = s.Tol
		}
	}
	if maxP < 2 {
		return 0, 0, 0, fmt.Errorf("sgn: HutchinsonSettings: MaxProbes = %d, need at least 2", maxP)
	}
	if s != nil && s.MinProbes > maxP {
		return 0, 0, 0, fmt.Errorf("sgn: HutchinsonSettings: MinProbes = %d exceeds MaxProbes = %d", s.MinProbes, maxP)
	}
	minP = max(2, min(minP, maxP))
	return maxP, minP, tol, nil
}

// probeRound is the number of probes evaluated in parallel between stopping checks. It is
// fixed (not GOMAXPROCS) so the stopping point, and hence the result, is deterministic.
const probeRound = 8

// HutchinsonResult holds Hutchinson estimates of tr H = E[zᵀHz] and tr H² = E‖Hz‖² from the
// same Rademacher probes z.
type HutchinsonResult struct {
	Trace, TraceSq Estimate
}

// Hutchinson estimates tr H and tr H² of the d×d Hessian behind hvp with Rademacher probes
// z (entries ±1), probe j drawn from parallel.Stream(seed, j). The variance of zᵀHz is
// 2(‖H‖_F² − Σᵢ Hᵢᵢ²). The loop stops by the rule of HutchinsonSettings, applied to tr H.
// The first probe runs on the caller's goroutine: if hvp panics there (typically because
// dim is not its dimension), Hutchinson returns an error naming dim and the panic.
func Hutchinson(hvp HVPFunc, dim int, s *HutchinsonSettings, seed uint64) (HutchinsonResult, error) {
	if dim < 1 {
		return HutchinsonResult{}, fmt.Errorf("sgn: Hutchinson: dim = %d, need at least 1", dim)
	}
	est, err := probeLoop("Hutchinson", dim, s, seed, 2, func(out, z, hz []float64) {
		hvp(hz, z)
		out[0] = floats.Dot(z, hz)
		out[1] = floats.Dot(hz, hz)
	})
	if err != nil {
		return HutchinsonResult{}, err
	}
	return HutchinsonResult{Trace: est[0], TraceSq: est[1]}, nil
}

// TraceHSigmaHutchinson estimates Tr(HΣ) = E_z[(Hz)ᵀ(Σz)] with Rademacher probes, where
// Σz = (1/n) Dᵀ(Dz) and the rows of dev are the deviations δᵢ = gᵢ − ḡ. It needs one HVP
// per probe instead of one per sample (TraceHSigma).
func TraceHSigmaHutchinson(hvp HVPFunc, dev *mat.Dense, s *HutchinsonSettings, seed uint64) (Estimate, error) {
	n, d := dev.Dims()
	if err := checkDev("TraceHSigmaHutchinson", dev); err != nil {
		return Estimate{}, err
	}
	est, err := probeLoop("TraceHSigmaHutchinson", d, s, seed, 1, func(out, z, hz []float64) {
		hvp(hz, z)
		// (Hz)ᵀ Σ z = (1/n) (D Hz)·(D z).
		var acc float64
		for i := 0; i < n; i++ {
			r := dev.RawRowView(i)
			acc += floats.Dot(r, hz) * floats.Dot(r, z)
		}
		out[0] = acc / float64(n)
	})
	if err != nil {
		return Estimate{}, err
	}
	return est[0], nil
}

// probeLoop evaluates f on Rademacher probes in parallel rounds of probeRound, then adds
// their q outputs in probe order and applies the stopping rule to output 0. Probe 0 runs
// first on the caller's goroutine (firstHVP), so an HVP of the wrong dimension is an
// error naming the entry point (name) and dim.
func probeLoop(name string, dim int, s *HutchinsonSettings, seed uint64, q int, f func(out, z, hz []float64)) ([]Estimate, error) {
	maxP, minP, tol, err := s.resolve()
	if err != nil {
		return nil, err
	}
	ws := parallel.Workers(probeRound)
	zs := make([][]float64, ws)
	hzs := make([][]float64, ws)
	for i := range zs {
		zs[i] = make([]float64, dim)
		hzs[i] = make([]float64, dim)
	}
	outs := make([]float64, probeRound*q)
	sum := make([]float64, q)
	sumSq := make([]float64, q)
	count := 0
	done := false
	for base := 0; base < maxP && !done; base += probeRound {
		m := min(probeRound, maxP-base)
		lo := 0
		if base == 0 {
			if err := firstHVP(name, dim, func() {
				rademacher(zs[0], parallel.Stream(seed, 0))
				f(outs[:q], zs[0], hzs[0])
			}); err != nil {
				return nil, err
			}
			lo = 1
		}
		parallel.For(m-lo, func(w, i int) {
			i += lo
			rademacher(zs[w], parallel.Stream(seed, base+i))
			f(outs[i*q:(i+1)*q], zs[w], hzs[w])
		})
		for i := 0; i < m; i++ {
			for c := 0; c < q; c++ {
				v := outs[i*q+c]
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("sgn: probe %d gave non-finite value %v", base+i, v)
				}
				sum[c] += v
				sumSq[c] += v * v
			}
			count++
			if count >= minP && tol > 0 {
				mean := sum[0] / float64(count)
				if se := stdErr(sum[0], sumSq[0], count); se <= tol*math.Abs(mean) {
					done = true
					break
				}
			}
		}
	}
	est := make([]Estimate, q)
	for c := range est {
		est[c] = Estimate{Value: sum[c] / float64(count), StdErr: stdErr(sum[c], sumSq[c], count), Probes: count}
	}
	return est, nil
}

// stdErr returns the standard error of the mean from running sums of v and v².
func stdErr(sum, sumSq float64, n int) float64 {
	fn := float64(n)
	m := sum / fn
	v := (sumSq - fn*m*m) / (fn - 1)
	return math.Sqrt(max(v, 0) / fn)
}

// rademacher fills z with independent ±1 entries from src.
func rademacher(z []float64, src rand.Source) {
	var bits uint64
	for i := range z {
		if i%64 == 0 {
			bits = src.Uint64()
		}
		z[i] = float64(int(bits&1)*2 - 1)
		bits >>= 1
	}
}

// TraceHSigma returns Tr(HΣ) = (1/n) Σᵢ δᵢᵀ H δᵢ exactly, with one HVP per row of dev (the
// deviations δᵢ = gᵢ − ḡ), evaluated in parallel. This is Zhu et al.'s (ICML 2019) indicator
// of the escaping efficiency of the noise.
func TraceHSigma(hvp HVPFunc, dev *mat.Dense) (float64, error) {
	n, d := dev.Dims()
	if err := checkDev("TraceHSigma", dev); err != nil {
		return 0, err
	}
	ws := parallel.Workers(n)
	buf := make([][]float64, ws)
	for i := range buf {
		buf[i] = make([]float64, d)
	}
	q := make([]float64, n)
	row := func(w, i int) {
		r := dev.RawRowView(i)
		hvp(buf[w], r)
		q[i] = floats.Dot(r, buf[w])
	}
	if err := firstHVP("TraceHSigma", d, func() { row(0, 0) }); err != nil {
		return 0, err
	}
	parallel.For(n-1, func(w, i int) { row(w, i+1) })
	var t float64
	for i, v := range q {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("sgn: TraceHSigma: δᵀHδ for row %d is %v", i, v)
		}
		t += v
	}
	return t / float64(n), nil
}

func checkDev(name string, dev *mat.Dense) error {
	n, _ := dev.Dims()
	if n < 1 {
		return fmt.Errorf("sgn: %s: no deviation rows", name)
	}
	for i := 0; i < n; i++ {
		if bad := firstNonFinite(dev.RawRowView(i)); bad >= 0 {
			return fmt.Errorf("sgn: %s: dev[%d][%d] = %v", name, i, bad, dev.At(i, bad))
		}
	}
	return nil
}
