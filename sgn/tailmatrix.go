package sgn

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TailMode selects how TailIndexMatrix turns a noise matrix into scalar samples.
type TailMode int

const (
	// Pooled flattens all n·d entries (row-major, so blocks sum neighbouring coordinates of
	// the same noise vector) into one sample, as Simsekli et al. do.
	Pooled TailMode = iota
	// PerCoordinate estimates one α̂ⱼ per column from its n entries (across batches or
	// iterations) and summarises them by their median.
	PerCoordinate
)

// String returns "pooled" or "per-coordinate".
func (m TailMode) String() string {
	switch m {
	case Pooled:
		return "pooled"
	case PerCoordinate:
		return "per-coordinate"
	}
	return fmt.Sprintf("TailMode(%d)", int(m))
}

// TailSettings configure TailIndexMatrix; the zero value (or nil) is the pooled mean-of-logs
// estimator of Simsekli et al. with the default K1.
type TailSettings struct {
	// Mode is Pooled (default) or PerCoordinate.
	Mode TailMode
	// Standardize centres and scales each column to unit standard deviation before pooling,
	// so coordinates of different scales do not make a heavy-tailed scale mixture. Constant
	// columns are then left out. The estimator is scale invariant, so this only changes the
	// Pooled mode.
	Standardize bool
	// K1 is the block size (0: the default of TailIndex).
	K1 int
	// OrderStat selects the order-statistic variant TailIndexOrder.
	OrderStat bool
	// K is the order k of the order-statistic variant (0: the median block, ⌈K2/2⌉).
	K int
}

// TailResult is the output of TailIndexMatrix.
type TailResult struct {
	// Alpha is the pooled α̂ (Pooled) or the median of the per-coordinate α̂ⱼ (PerCoordinate).
	Alpha float64
	// PerCoord holds α̂ⱼ for each column in PerCoordinate mode; degenerate columns (in the
	// sense of TailIndex: constant, fewer than 3 distinct values, or half zeros) get NaN.
	PerCoord []float64
	// Used is the number of pooled samples (Pooled) or of non-degenerate columns (PerCoordinate).
	Used int
}

// TailIndexMatrix estimates the tail index of the noise matrix x (rows = noise vectors,
// e.g. centred minibatch gradients; columns = coordinates). It returns an error on
// non-finite entries, invalid block settings, degenerate pooled samples (Pooled; see
// TailIndex), or (PerCoordinate) when every column is degenerate.
func TailIndexMatrix(x *mat.Dense, s *TailSettings) (TailResult, error) {
	var set TailSettings
	if s != nil {
		set = *s
	}
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		if bad := firstNonFinite(x.RawRowView(i)); bad >= 0 {
			return TailResult{}, fmt.Errorf("sgn: TailIndexMatrix: x[%d][%d] = %v", i, bad, x.At(i, bad))
		}
	}
	switch set.Mode {
	case Pooled:
		return tailPooled(x, set)
	case PerCoordinate:
		return tailPerCoord(x, set)
	}
	return TailResult{}, fmt.Errorf("sgn: TailIndexMatrix: Mode = %v is not a TailMode", set.Mode)
}

func tailPooled(x *mat.Dense, s TailSettings) (TailResult, error) {
	n, d := x.Dims()
	cols := make([]int, 0, d)
	mu := make([]float64, d)
	inv := make([]float64, d)
	for j := 0; j < d; j++ {
		if !s.Standardize {
			cols = append(cols, j)
			inv[j] = 1
			continue
		}
		var m, v float64
		for i := 0; i < n; i++ {
			m += x.At(i, j)
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			e := x.At(i, j) - m
			v += e * e
		}
		if v > 0 {
			cols = append(cols, j)
			mu[j], inv[j] = m, 1/math.Sqrt(v/float64(n))
		}
	}
	nc := len(cols)
	at := func(i int) float64 {
		r, c := i/nc, cols[i%nc]
		return (x.At(r, c) - mu[c]) * inv[c]
	}
	if raw := x.RawMatrix(); !s.Standardize && raw.Stride == d {
		data := raw.Data
		at = func(i int) float64 { return data[i] }
	}
	k1, k2, err := tailBlocks(n*nc, s.K1)
	if err != nil {
		return TailResult{}, err
	}
	if why := tailDegenerate(at, k1*k2); why != "" {
		return TailResult{}, fmt.Errorf("sgn: TailIndexMatrix: degenerate pooled samples: %s", why)
	}
	res := TailResult{Used: k1 * k2}
	if s.OrderStat {
		k := s.K
		if k <= 0 {
			k = (k2 + 1) / 2
		}
		if k > k2 {
			return TailResult{}, fmt.Errorf("sgn: TailIndexMatrix: K = %d exceeds the number of blocks K2 = %d", k, k2)
		}
		res.Alpha = tailOrder(at, k1, k2, k, make([]float64, k2), make([]float64, k1*k2))
	} else {
		res.Alpha = tailMean(at, k1, k2)
	}
	return res, nil
}

func tailPerCoord(x *mat.Dense, s TailSettings) (TailResult, error) {
	n, d := x.Dims()
	k1, k2, err := tailBlocks(n, s.K1)
	if err != nil {
		return TailResult{}, err
	}
	k := s.K
	if s.OrderStat {
		if k <= 0 {
			k = (k2 + 1) / 2
		}
		if k > k2 {
			return TailResult{}, fmt.Errorf("sgn: TailIndexMatrix: K = %d exceeds the number of blocks K2 = %d", k, k2)
		}
	}
	type scratch struct{ col, ly, lx []float64 }
	sc := make([]scratch, parallel.Workers(d))
	for i := range sc {
		sc[i] = scratch{make([]float64, n), make([]float64, k2), make([]float64, k1*k2)}
	}
	alpha := make([]float64, d)
	parallel.For(d, func(w, j int) {
		c := sc[w].col
		for i := range c {
			c[i] = x.At(i, j)
		}
		at := func(i int) float64 { return c[i] }
		if tailDegenerate(at, k1*k2) != "" {
			alpha[j] = math.NaN()
			return
		}
		if s.OrderStat {
			alpha[j] = tailOrder(at, k1, k2, k, sc[w].ly, sc[w].lx)
		} else {
			alpha[j] = tailMean(at, k1, k2)
		}
	})
	finite := make([]float64, 0, d)
	for _, a := range alpha {
		if !math.IsNaN(a) {
			finite = append(finite, a)
		}
	}
	if len(finite) == 0 {
		return TailResult{}, fmt.Errorf("sgn: TailIndexMatrix: all %d columns are degenerate (constant, fewer than 3 distinct values, or half zeros)", d)
	}
	slices.Sort(finite)
	return TailResult{Alpha: median(finite), PerCoord: alpha, Used: len(finite)}, nil
}

// median returns the median of the sorted slice s.
func median(s []float64) float64 {
	h := len(s) / 2
	if len(s)%2 == 1 {
		return s[h]
	}
	return (s[h-1] + s[h]) / 2
}
