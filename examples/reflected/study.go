package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/sdeml/sdeml/internal/parallel"
)

// study runs the adaptation study: for every intrinsic dimension d of -d the grid over the
// ambient dimensions D > d, sizes n and seeds; then the bootstrap slope tests, the tables,
// study.csv, slopes.csv and one w1_vs_n_d<d>.png per d.
func study(c *config) error {
	fmt.Printf("reflected diffusion, adaptation study: d ∈ %v, D ∈ %v (D > d), n ∈ %v, %d seeds\n", c.ds, c.Ds, c.ns, c.seeds)
	fmt.Printf("  ReLU net %v, embedding %d freqs; Adam lr %g (cosine), %d steps × batch %d, EMA %g; sampler %d steps, t₀ = %g, Tweedie; m = %d\n",
		c.hidden, c.freqs, c.lr, c.steps, c.batch, c.ema, c.samplerSteps, c.t0, c.m)
	var all []row
	for _, d := range c.ds {
		sub := *c
		sub.d = d
		sub.Ds = nil
		for _, D := range c.Ds {
			if D > d {
				sub.Ds = append(sub.Ds, D)
			}
		}
		if len(sub.Ds) == 0 {
			return fmt.Errorf("-d %d: no ambient dimension in -D %v exceeds it", d, c.Ds)
		}
		rows, err := grid(&sub)
		if err != nil {
			return err
		}
		report(&sub, rows)
		all = append(all, rows...)
	}
	fits := fitAll(c, all)
	printStudy(c, fits)
	if err := writeStudy(c, all, fits); err != nil {
		return err
	}
	return plotStudy(c, all, fits)
}

// cellFit is the fitted slope of log W1 on log n for one (d, D) cell.
type cellFit struct {
	d, D     int
	ns       []float64
	mean     []float64   // seed-mean W1 per n
	lo, hi   []float64   // bootstrap 95% band of the seed mean per n
	floor    []float64   // seed-mean W1 between two independent n-samples of the target
	refFloor float64     // seed-mean W1 between two independent m-samples (the estimator's floor)
	slope    float64     // fitted on the seed means
	boot     []float64   // bootstrap slopes
	ciLo     float64     // 2.5% bootstrap quantile of the slope
	ciHi     float64     // 97.5%
	floorSl  float64     // slope of the n-sample floor
	w        [][]float64 // W1 per n, per seed
}

// theoryExponent is (α+1)/(2α+d) at α = ∞, the smoothness of the cosine targets (a finite
// cosine series is in every Sobolev class of the cosine basis): 1/2 for every d.
func theoryExponent(alpha float64, d int) float64 {
	if math.IsInf(alpha, 1) {
		return 0.5
	}
	return (alpha + 1) / (2*alpha + float64(d))
}

// fitAll fits every (d, D) cell with a seed bootstrap: each resample draws, for every n
// independently, the seeds with replacement, and refits the slope of the log seed-mean.
// Cell k uses the stream parallel.Stream(baseSeed, k), so the result is reproducible.
func fitAll(c *config, rows []row) []cellFit {
	var fits []cellFit
	for _, d := range c.ds {
		for _, D := range c.Ds {
			if D <= d {
				continue
			}
			f := cellFit{d: d, D: D}
			for _, n := range c.ns {
				var w []float64
				var fl, rf float64
				for _, r := range rows {
					if r.d == d && r.D == D && r.n == n {
						w = append(w, r.w1)
						fl += r.floorN
						rf += r.floorMean
					}
				}
				if len(w) == 0 {
					continue
				}
				f.ns = append(f.ns, float64(n))
				f.w = append(f.w, w)
				f.mean = append(f.mean, stat.Mean(w, nil))
				f.floor = append(f.floor, fl/float64(len(w)))
				f.refFloor = rf / float64(len(w))
			}
			fits = append(fits, f)
		}
	}
	for k := range fits {
		f := &fits[k]
		f.slope = slope(f.ns, f.mean)
		f.floorSl = slope(f.ns, f.floor)
		rnd := rand.New(parallel.Stream(baseSeed, k))
		f.boot = make([]float64, c.boot)
		means := make([]float64, len(f.ns))
		perN := make([][]float64, len(f.ns))
		for b := range f.boot {
			for i, w := range f.w {
				var s float64
				for range w {
					s += w[rnd.IntN(len(w))]
				}
				means[i] = s / float64(len(w))
				perN[i] = append(perN[i], means[i])
			}
			f.boot[b] = slope(f.ns, means)
		}
		f.ciLo, f.ciHi = quantile(f.boot, 0.025), quantile(f.boot, 0.975)
		for _, p := range perN {
			f.lo = append(f.lo, quantile(p, 0.025))
			f.hi = append(f.hi, quantile(p, 0.975))
		}
	}
	return fits
}

// quantile returns the p-quantile of x (linear interpolation between order statistics).
func quantile(x []float64, p float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	h := p * float64(len(s)-1)
	i := int(h)
	if i+1 >= len(s) {
		return s[len(s)-1]
	}
	return s[i] + (h-float64(i))*(s[i+1]-s[i])
}

// diffCI returns the 95% bootstrap interval of a − b for paired bootstrap vectors.
func diffCI(a, b []float64) (lo, hi float64) {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return quantile(d, 0.025), quantile(d, 0.975)
}

// pooled returns, per bootstrap resample, the mean slope over the cells of intrinsic
// dimension d.
func pooled(fits []cellFit, d int) (point float64, boot []float64) {
	var k int
	for _, f := range fits {
		if f.d != d {
			continue
		}
		if boot == nil {
			boot = make([]float64, len(f.boot))
		}
		for i, v := range f.boot {
			boot[i] += v
		}
		point += f.slope
		k++
	}
	for i := range boot {
		boot[i] /= float64(k)
	}
	return point / float64(k), boot
}

// ciVerdict names where the 95% interval [lo, hi] of a difference lies relative to 0.
func ciVerdict(lo, hi float64) string {
	switch {
	case hi < 0:
		return "< 0"
	case lo > 0:
		return "> 0"
	}
	return "contains 0"
}

// printStudy prints the slope table and tests (a) and (b).
func printStudy(c *config, fits []cellFit) {
	fmt.Printf("\nadaptation study: slope of log W1(gen, ref) on log n, seed means, bootstrap 95%% CI (%d resamples of the seeds)\n", c.boot)
	fmt.Printf("%2s %3s | %8s %19s | %8s | %10s %10s | %s\n", "d", "D", "slope", "95% CI", "theory", "floor(n)", "floor(m)", "W1 per n (seed mean)")
	for _, f := range fits {
		var per []string
		for i := range f.ns {
			per = append(per, fmt.Sprintf("%.0f: %.4f", f.ns[i], f.mean[i]))
		}
		fmt.Printf("%2d %3d | %+8.3f [%+7.3f, %+7.3f] | %+8.3f | %+10.3f %10.4f | %s\n",
			f.d, f.D, f.slope, f.ciLo, f.ciHi, -theoryExponent(math.Inf(1), f.d), f.floorSl, f.refFloor, strings.Join(per, "  "))
	}
	fmt.Println("theory: −(α+1)/(2α+d) at α = ∞ (cosine target); floor(n): slope of W1 between two independent n-samples of the target (the empirical-measure rate, −1/2 for d = 1, ≈ −1/2 up to log for d = 2, −1/3 for d = 3); floor(m): W1 of two independent m-samples, the estimator's noise floor at the evaluation size")
	fmt.Println("\n(a) same d, different D: 95% CI of slope(D) − slope(D′); agreement means the CI contains 0")
	for _, d := range c.ds {
		for i, f := range fits {
			for _, g := range fits[i+1:] {
				if f.d == d && g.d == d {
					lo, hi := diffCI(f.boot, g.boot)
					fmt.Printf("  d=%d  D=%-2d vs D=%-2d  diff %+7.3f  CI [%+7.3f, %+7.3f]  %s\n", d, f.D, g.D, f.slope-g.slope, lo, hi, ciVerdict(lo, hi))
				}
			}
		}
	}
	fmt.Println("\n(b) across d: 95% CI of pooled slope(d) − pooled slope(d′), d < d′ (pooled = mean over D);")
	fmt.Println("    the theory's direction for any finite smoothness is < 0 (steeper decay for smaller d); for α = ∞ both exponents are 1/2")
	for i, d := range c.ds {
		for _, e := range c.ds[i+1:] {
			pd, bd := pooled(fits, d)
			pe, be := pooled(fits, e)
			lo, hi := diffCI(bd, be)
			fmt.Printf("  d=%d vs d=%d  pooled %+7.3f vs %+7.3f  diff %+7.3f  CI [%+7.3f, %+7.3f]  %s\n", d, e, pd, pe, pd-pe, lo, hi, ciVerdict(lo, hi))
		}
	}
}

// writeStudy writes study.csv (every run) and slopes.csv (every cell).
func writeStudy(c *config, rows []row, fits []cellFit) error {
	var b strings.Builder
	fmt.Fprintln(&b, "d,D,n,seed,m,steps,w1,floor_mean_m,floor_n,w1_online,online_floor,memo_online,off_tweedie,train_loss,train_s,sample_s")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%d,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.2f,%.2f\n",
			r.d, r.D, r.n, r.seed, c.m, c.steps, r.w1, r.floorMean, r.floorN, r.on, r.onFloor, r.memo, r.offT, r.loss, r.trainS, r.sampleS)
	}
	if err := writeFileAtomic(c.out+"/study.csv", []byte(b.String())); err != nil {
		return err
	}
	b.Reset()
	fmt.Fprintln(&b, "d,D,slope,ci_lo,ci_hi,theory,floor_n_slope,floor_m")
	for _, f := range fits {
		fmt.Fprintf(&b, "%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.5g\n", f.d, f.D, f.slope, f.ciLo, f.ciHi, -theoryExponent(math.Inf(1), f.d), f.floorSl, f.refFloor)
	}
	return writeFileAtomic(c.out+"/slopes.csv", []byte(b.String()))
}
