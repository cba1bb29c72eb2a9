package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/sdeml/sdeml/internal/parallel"
)

// study runs the adaptation study: for every intrinsic dimension d of -d the grid over the
// ambient dimensions D > d, sizes n and seeds; then the bootstrap slope tests, the tables,
// study.csv, slopes.csv and one w1_vs_n_d<d>.png per d.
func study(c *config) error {
	fmt.Printf("reflected diffusion, adaptation study: d ∈ %v, D ∈ %v (D > d), n ∈ %v, %d seeds\n", c.ds, c.Ds, c.ns, c.seeds)
	fmt.Printf("  ReLU net %v, embedding %d freqs; Adam lr %g (cosine), %d steps × batch %d, EMA %g; sampler %v, %d steps, t₀ = %g, Tweedie\n",
		c.hidden, c.freqs, c.lr, c.steps, c.batch, c.ema, c.scheme, c.samplerSteps, c.t0)
	nmax := slicesMax(c.ns)
	fmt.Printf("  evaluation size: d ≥ 2 m = %d (at n = %d: %d for d = 2, %d for d = 3); d = 1 %d generated points (at n = %d: %d)\n",
		c.m, nmax, c.evalMFor(2, nmax), c.evalMFor(3, nmax), c.genMFor(1), nmax, c.evalMFor(1, nmax))
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
		var base []row
		for _, r := range rows {
			if r.steps == c.steps {
				base = append(base, r)
			}
		}
		report(&sub, base)
		all = append(all, rows...)
	}
	fits := fitAll(c, all)
	printStudy(c, fits)
	if err := writeStudy(c, all, fits); err != nil {
		return err
	}
	return plotStudy(c, all, fits)
}

// cellFit is the fitted slope of log W on log n for one (d, D) cell, W = √(seed mean of
// the debiased Q = W1_m² − F̂²) (debias.go).
type cellFit struct {
	d, D     int
	ns       []float64
	mean     []float64   // W per n
	raw      []float64   // seed-mean raw W1_m per n
	lo, hi   []float64   // bootstrap 95% band of W per n
	floor    []float64   // seed-mean W1 between the training set and independent n-samples
	rawFloor float64     // mean null W1 at the largest n's evaluation size: the raw estimator's floor
	estFloor float64     // √(seed mean of s) at the largest n: the debiased estimator's floor (one evaluation)
	cellFl   float64     // the floor of the seed-mean estimate at the largest n, √(s/√S)
	floors   []float64   // per n: the one-evaluation floor √s at that n's evaluation size
	cellFls  []float64   // per n: the floor of the seed-mean estimate √(s/√S); W is clipped there
	ms       []int       // per n: the evaluation size
	clipped  []bool      // W at this n was clipped at its cell floor
	slope    float64     // fitted on W
	rawSlope float64     // fitted on the raw seed means
	boot     []float64   // bootstrap slopes
	ciLo     float64     // 2.5% bootstrap quantile of the slope
	ciHi     float64     // 97.5%
	floorSl  float64     // slope of the n-sample floor: the empirical-measure rate
	q        [][]float64 // Q per n, per seed
	off      []float64   // seed-mean distance of the samples to the subspace per n (d = 1: W1 ∈ [max(W, off), W + off])
	// budget check at the largest n (NaN without it)
	wBase, wBig       float64 // W at the study's budget and at -budget × it
	dLo, dHi          float64 // bootstrap 95% CI of wBig − wBase (paired seeds)
	baseLo, baseHi    float64 // bootstrap 95% CI of wBase
	bigSteps, nBudget int
}

// cellW returns W = √max(mean q, lo²) of a set of debiased squares: a mean below lo², the
// floor of the seed-mean estimate, is reported as lo (an upper bound; it flattens the slope,
// never steepens it). atFloor says which values were clipped.
func cellW(q []float64, lo float64) float64 {
	return math.Sqrt(max(meanOf(q), lo*lo))
}

// floorRatios returns the largest ratio, over the sizes n of the cell, of the one-evaluation
// floor √s and of the seed-mean floor √(s/√S) to the cell value W at that n (criterion (b):
// at most 1/3), and the smallest W.
func (f *cellFit) floorRatios() (one, cell, minW float64) {
	minW = math.Inf(1)
	for i, w := range f.mean {
		one = max(one, f.floors[i]/w)
		cell = max(cell, f.cellFls[i]/w)
		minW = min(minW, w)
	}
	return one, cell, minW
}

// cellFloor is the floor of a mean of S debiased squares: √(s/√S), s the null RMS of one.
func cellFloor(s float64, S int) float64 { return math.Sqrt(s / math.Sqrt(float64(S))) }

// theoryExponent is (α+1)/(2α+d) at α = ∞, the smoothness of the cosine targets (a finite
// cosine series is in every Sobolev class of the cosine basis): 1/2 for every d.
func theoryExponent(alpha float64, d int) float64 {
	if math.IsInf(alpha, 1) {
		return 0.5
	}
	return (alpha + 1) / (2*alpha + float64(d))
}

// fitAll fits every (d, D) cell with a seed bootstrap: each resample draws, for every n
// independently, the seeds with replacement, and refits the slope of log W. Cell k uses the
// stream parallel.Stream(baseSeed, k), so the result is reproducible. The budget-check rows
// (steps ≠ -steps) enter only the budget comparison, with one paired resample of the seeds.
func fitAll(c *config, rows []row) []cellFit {
	var fits []cellFit
	for _, d := range c.ds {
		for _, D := range c.Ds {
			if D <= d {
				continue
			}
			f := cellFit{d: d, D: D, wBase: math.NaN(), wBig: math.NaN(), dLo: math.NaN(), dHi: math.NaN(), baseLo: math.NaN(), baseHi: math.NaN()}
			for _, n := range c.ns {
				var q, w []float64
				var fl, off, s float64
				m := 0
				for _, r := range rows {
					if r.d == d && r.D == D && r.n == n && r.steps == c.steps {
						q = append(q, (nullStat{f2: r.f2}).debias(r.w1))
						w = append(w, r.w1)
						fl += r.floorN
						off += r.offT
						f.rawFloor = r.floorMean
						s += r.nullS
						m = r.m
					}
				}
				if len(q) == 0 {
					continue
				}
				s /= float64(len(q))
				f.ns = append(f.ns, float64(n))
				f.q = append(f.q, q)
				f.raw = append(f.raw, meanOf(w))
				f.floor = append(f.floor, fl/float64(len(q)))
				f.off = append(f.off, off/float64(len(q)))
				f.floors = append(f.floors, math.Sqrt(s))
				f.cellFls = append(f.cellFls, cellFloor(s, len(q)))
				f.ms = append(f.ms, m)
			}
			if k := len(f.q); k > 0 {
				f.estFloor, f.cellFl = f.floors[k-1], f.cellFls[k-1]
			}
			for i, q := range f.q {
				f.mean = append(f.mean, cellW(q, f.cellFls[i]))
				f.clipped = append(f.clipped, meanOf(q) < f.cellFls[i]*f.cellFls[i])
			}
			fits = append(fits, f)
		}
	}
	for k := range fits {
		f := &fits[k]
		f.slope = slope(f.ns, f.mean)
		f.rawSlope = slope(f.ns, f.raw)
		f.floorSl = slope(f.ns, f.floor)
		rnd := rand.New(parallel.Stream(baseSeed, k))
		f.boot = make([]float64, c.boot)
		means := make([]float64, len(f.ns))
		perN := make([][]float64, len(f.ns))
		res := make([]float64, 0, c.seeds)
		for b := range f.boot {
			for i, q := range f.q {
				res = res[:0]
				for range q {
					res = append(res, q[rnd.IntN(len(q))])
				}
				means[i] = cellW(res, f.cellFls[i])
				perN[i] = append(perN[i], means[i])
			}
			f.boot[b] = slope(f.ns, means)
		}
		f.ciLo, f.ciHi = quantile(f.boot, 0.025), quantile(f.boot, 0.975)
		for _, p := range perN {
			f.lo = append(f.lo, quantile(p, 0.025))
			f.hi = append(f.hi, quantile(p, 0.975))
		}
		budgetFit(c, f, rows, rand.New(parallel.Stream(baseSeed, 1000+k)))
	}
	return fits
}

// budgetFit compares W at the largest n between the study's budget and the budget check's,
// pairing the seeds (the same seeds are drawn for both in every bootstrap resample).
func budgetFit(c *config, f *cellFit, rows []row, rnd *rand.Rand) {
	if c.budget <= 1 || len(f.ns) == 0 {
		return
	}
	nmax := slicesMax(c.ns)
	f.nBudget, f.bigSteps = nmax, c.budget*c.steps
	base, big := map[int]float64{}, map[int]float64{}
	for _, r := range rows {
		if r.d != f.d || r.D != f.D || r.n != nmax {
			continue
		}
		q := (nullStat{f2: r.f2}).debias(r.w1)
		switch r.steps {
		case c.steps:
			base[r.seed] = q
		case f.bigSteps:
			big[r.seed] = q
		}
	}
	var qa, qb []float64
	for s, q := range base {
		if qq, ok := big[s]; ok {
			qa, qb = append(qa, q), append(qb, qq)
		}
	}
	if len(qa) == 0 {
		return
	}
	f.wBase, f.wBig = cellW(qa, f.cellFl), cellW(qb, f.cellFl)
	var diffs, bases []float64
	ra, rb := make([]float64, len(qa)), make([]float64, len(qa))
	for b := 0; b < c.boot; b++ {
		for i := range ra {
			j := rnd.IntN(len(qa))
			ra[i], rb[i] = qa[j], qb[j]
		}
		wa, wb := cellW(ra, f.cellFl), cellW(rb, f.cellFl)
		bases = append(bases, wa)
		diffs = append(diffs, wb-wa)
	}
	f.dLo, f.dHi = quantile(diffs, 0.025), quantile(diffs, 0.975)
	f.baseLo, f.baseHi = quantile(bases, 0.025), quantile(bases, 0.975)
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

// printStudy prints the slope table, the floors, the budget check and tests (a) and (b).
func printStudy(c *config, fits []cellFit) {
	fmt.Printf("\nadaptation study: slope of log W on log n, W = √(seed mean of W1_m² − F̂²) (debiased), bootstrap 95%% CI (%d resamples of the seeds), m = %d\n", c.boot, c.m)
	fmt.Printf("%2s %3s | %8s %19s | %6s | %8s %6s | %8s | %6s %6s | %s\n", "d", "D", "slope", "95% CI", "theory", "emp.rate", "ratio", "rawSlope", "fl/W", "cfl/W", "per n: m, W (raw W1_m, floor √s, cell floor, off-subspace)")
	for _, f := range fits {
		var per []string
		for i := range f.ns {
			mark := ""
			if f.clipped[i] {
				mark = "≤"
			}
			per = append(per, fmt.Sprintf("%.0f: m %d, %s%.4f (%.4f, %.4f, %.4f, off %.4f)", f.ns[i], f.ms[i], mark, f.mean[i], f.raw[i], f.floors[i], f.cellFls[i], f.off[i]))
		}
		one, cell, _ := f.floorRatios()
		fmt.Printf("%2d %3d | %+8.3f [%+7.3f, %+7.3f] | %+6.3f | %+8.3f %5.0f%% | %+8.3f | %5.0f%% %5.0f%% | %s\n",
			f.d, f.D, f.slope, f.ciLo, f.ciHi, -theoryExponent(math.Inf(1), f.d), f.floorSl, 100*f.slope/f.floorSl, f.rawSlope,
			100*one, 100*cell, strings.Join(per, "  "))
	}
	fmt.Println("theory: −(α+1)/(2α+d) at α = ∞ (cosine target); emp.rate: slope of W1 between the training set and independent n-samples (the empirical-measure rate; −1/2 for d = 1, ≈ −1/2 up to log for d = 2, −1/3 for d = 3); ratio = slope / emp.rate;")
	fmt.Println("floor √s: the debiased estimator's floor at that n's evaluation size m (RMS of Q on null pairs, one evaluation); cell floor √(s/√S): the floor of the S-seed mean W;")
	fmt.Println("fl/W, cfl/W: the largest ratio over n of √s and of √(s/√S) to W at that n (criterion (b): ≤ 33%; the slope is fitted to the seed-mean W, whose floor is the cell floor)")
	fmt.Println("≤: the seed mean of Q is below the cell floor; W is reported as that floor (an upper bound), which can only flatten a slope")
	fmt.Printf("d = 1: W is the exact on-segment W1 against the law (m generated points, debiased by %d one-sample null draws); the full W1 lies in [max(W, off), W + off]\n", nullK1)
	if c.budget > 1 {
		fmt.Printf("\nbudget check at the largest n: W with %d vs %d× steps, paired seeds; optimisation is not the limit when |Δ| < half the 95%% CI of W\n", c.steps, c.budget)
		fmt.Printf("%2s %3s | %8s %19s | %8s | %8s %19s | %s\n", "d", "D", "W", "95% CI", "W(big)", "Δ", "95% CI of Δ", "|Δ| < CI half-width?")
		for _, f := range fits {
			if math.IsNaN(f.wBig) {
				continue
			}
			hw := (f.baseHi - f.baseLo) / 2
			fmt.Printf("%2d %3d | %8.4f [%7.4f, %7.4f] | %8.4f | %+8.4f [%+8.4f, %+8.4f] | %v (half-width %.4f)\n",
				f.d, f.D, f.wBase, f.baseLo, f.baseHi, f.wBig, f.wBig-f.wBase, f.dLo, f.dHi, math.Abs(f.wBig-f.wBase) < hw, hw)
		}
	}
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
	fmt.Println("\ngoal: for every d, the D = 16 slope inside the 95% CI of the D = 4 slope, and both ≥ 60% of the empirical-measure rate")
	for _, d := range c.ds {
		var f4, f16 *cellFit
		for i := range fits {
			if fits[i].d == d && fits[i].D == 4 {
				f4 = &fits[i]
			}
			if fits[i].d == d && fits[i].D == 16 {
				f16 = &fits[i]
			}
		}
		if f4 == nil || f16 == nil {
			continue
		}
		inside := f16.slope >= f4.ciLo && f16.slope <= f4.ciHi
		r4, r16 := f4.slope/f4.floorSl, f16.slope/f16.floorSl
		fmt.Printf("  d=%d  slope D=16 %+.3f in D=4 CI [%+.3f, %+.3f]: %v;  ratio to emp. rate D=4 %.0f%%, D=16 %.0f%%: both ≥ 60%%: %v\n",
			d, f16.slope, f4.ciLo, f4.ciHi, inside, 100*r4, 100*r16, r4 >= 0.6 && r16 >= 0.6)
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

// writeStudy writes study.csv (every run), slopes.csv (every cell, with the floors and the
// budget check).
func writeStudy(c *config, rows []row, fits []cellFit) error {
	var b strings.Builder
	fmt.Fprintln(&b, "d,D,n,seed,m,steps,w1,q_debiased,f2_null,null_s,floor_mean_m,floor_n,w1_online,memo_online,off_tweedie,train_loss,train_s,sample_s")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%d,%d,%d,%d,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.2f,%.2f\n",
			r.d, r.D, r.n, r.seed, r.m, r.steps, r.w1, r.w1*r.w1-r.f2, r.f2, r.nullS, r.floorMean, r.floorN, r.on, r.memo, r.offT, r.loss, r.trainS, r.sampleS)
	}
	if err := writeFileAtomic(c.out+"/study.csv", []byte(b.String())); err != nil {
		return err
	}
	b.Reset()
	fmt.Fprintln(&b, "d,D,m_nmax,slope,ci_lo,ci_hi,theory,emp_rate,ratio_to_emp_rate,raw_slope,est_floor_nmax,cell_floor_nmax,raw_floor_nmax,min_W,max_floor_over_W,max_cell_floor_over_W,off_nmax,W_nmax,W_nmax_lo,W_nmax_hi,budget_steps,W_budget,dW_budget,dW_lo,dW_hi")
	for _, f := range fits {
		one, cell, minW := f.floorRatios()
		fmt.Fprintf(&b, "%d,%d,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.4f,%.5g,%.5g,%.5g,%.5g,%.3f,%.3f,%.5g,%.5g,%.5g,%.5g,%d,%.5g,%.5g,%.5g,%.5g\n",
			f.d, f.D, f.ms[len(f.ms)-1], f.slope, f.ciLo, f.ciHi, -theoryExponent(math.Inf(1), f.d), f.floorSl, f.slope/f.floorSl, f.rawSlope,
			f.estFloor, f.cellFl, f.rawFloor, minW, one, cell, f.off[len(f.off)-1], f.wBase, f.baseLo, f.baseHi, f.bigSteps, f.wBig, f.wBig-f.wBase, f.dLo, f.dHi)
	}
	return writeFileAtomic(c.out+"/slopes.csv", []byte(b.String()))
}

// writeValidation writes validation.csv: the estimator on laws with known W1.
func writeValidation(c *config, rows []validationRow) error {
	var b strings.Builder
	fmt.Fprintln(&b, "d,D,m,case,true_w1,raw_mean,debiased,debiased_sd_single,bias_rel,est_floor,raw_floor")
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%d,%s,%.5g,%.5g,%.5g,%.5g,%.4f,%.5g,%.5g\n", r.d, r.D, c.genMFor(r.d), r.kind, r.truth, r.raw, r.deb, r.debSD, r.deb/r.truth-1, r.floor, r.rawFloor)
	}
	return writeFileAtomic(c.out+"/validation.csv", []byte(b.String()))
}
