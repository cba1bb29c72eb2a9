package meanfield

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// SlopeFit is a least-squares fit log e = Intercept + Slope·log N with a bootstrap
// confidence interval [Lo, Hi] for the slope.
type SlopeFit struct {
	Slope, Intercept float64
	Lo, Hi           float64
}

// LogLogSlope fits log(mean_r errs[i][r]) = a + s·log ns[i] by least squares over the
// sizes ns (natural logs) and returns s, a and a percentile bootstrap interval at level
// (e.g. 0.95): B times, the replicates at every size are resampled with replacement and
// the fit repeated. Every size needs at least one positive replicate mean.
func LogLogSlope(ns []float64, errs [][]float64, level float64, B int, src rand.Source) (SlopeFit, error) {
	if len(ns) < 2 || len(errs) != len(ns) {
		return SlopeFit{}, fmt.Errorf("meanfield: LogLogSlope needs >= 2 sizes with errors (got %d sizes, %d error lists)", len(ns), len(errs))
	}
	if !(level > 0 && level < 1) {
		return SlopeFit{}, fmt.Errorf("meanfield: LogLogSlope level = %v, want in (0, 1)", level)
	}
	if B < 1 {
		return SlopeFit{}, fmt.Errorf("meanfield: LogLogSlope B = %d, want >= 1", B)
	}
	lx := make([]float64, len(ns))
	ly := make([]float64, len(ns))
	for i, n := range ns {
		if !(n > 0) || len(errs[i]) == 0 {
			return SlopeFit{}, fmt.Errorf("meanfield: LogLogSlope size %v has %d replicates", n, len(errs[i]))
		}
		lx[i] = math.Log(n)
		m := mean(errs[i])
		if !(m > 0) || math.IsInf(m, 0) {
			return SlopeFit{}, fmt.Errorf("meanfield: LogLogSlope mean error %v at size %v, want finite > 0", m, n)
		}
		ly[i] = math.Log(m)
	}
	var fit SlopeFit
	fit.Slope, fit.Intercept = lineFit(lx, ly)
	r := rand.New(src)
	slopes := make([]float64, B)
	for b := range slopes {
		for i, e := range errs {
			var s float64
			for range e {
				s += e[r.IntN(len(e))]
			}
			ly[i] = math.Log(s / float64(len(e)))
		}
		slopes[b], _ = lineFit(lx, ly)
	}
	sort.Float64s(slopes)
	fit.Lo = quantileSorted(slopes, (1-level)/2)
	fit.Hi = quantileSorted(slopes, 1-(1-level)/2)
	return fit, nil
}

// lineFit returns the least-squares slope and intercept of y on x.
func lineFit(x, y []float64) (slope, intercept float64) {
	mx, my := mean(x), mean(y)
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	slope = sxy / sxx
	return slope, my - slope*mx
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// quantileSorted returns the linear-interpolation quantile u of sorted x.
func quantileSorted(x []float64, u float64) float64 {
	p := u * float64(len(x)-1)
	i := int(math.Floor(p))
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	f := p - float64(i)
	return x[i]*(1-f) + x[i+1]*f
}
