package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/meanfield"
)

// configA is Experiment A of docs/derivations/msgld.md §7: propagation of chaos of full-batch GD
// (the β < 1 limit, gradient flow) with Euler step dt over [0, T].
type configA struct {
	Ns         []int
	reps       int     // replicates per N (at least)
	biasBudget int     // replicates at small N are raised to biasBudget/N for the weak bias
	T, dt      float64 // horizon and step
	gh         int     // Gauss–Hermite nodes per coordinate for the limit
	nref       int     // Monte Carlo check of the limit (0 skips it)
	nsample    int     // size of the iid sample of λ_T for the marginal W1 distances
	seed       uint64
}

type resultA struct {
	Ns                                []float64
	coupling, supCoup, field, w1, w1x [][]float64
	bias, biasFloor                   []float64
	biasCV, biasCVFloor               []float64 // bias with regression control variates of the initial sample (cvBias)
	w2                                []float64 // mean exact W2(μ^N_T, μ̄^N_T) over up to 4 replicates (0: not computed)
	limit                             *meanfield.Particles
	last                              *meanfield.Particles // one N = Ns[len-1] system at T
	slopes                            map[string]meanfield.SlopeFit
}

func runA(p *problem, c configA, out string) *resultA {
	steps := int(math.Round(c.T / c.dt))
	sched := func(N int) meanfield.Schedule { return meanfield.Schedule{Gamma: c.dt, Beta: 1, N: N} }
	fmt.Printf("\n== Experiment A: GD propagation of chaos (tanh units, sin πx, T = %g, dt = %g, %d steps) ==\n", c.T, c.dt, steps)
	path, lim := p.limit(sched(1), steps, c.gh)
	fmt.Printf("limit: %d³ = %d Gauss–Hermite weighted particles, risk at T %.5f\n", c.gh, lim.N, risk(p, path.Final()))

	// T7: the quadrature limit against a finer quadrature and a large Monte Carlo system.
	fine, _ := p.limit(sched(1), steps, c.gh+4)
	fmt.Printf("check: sup_q |f_T(GH %d³) − f_T(GH %d³)| = %.2e\n", c.gh, c.gh+4, supDiff(path.Final(), fine.Final()))
	if c.nref > 0 {
		ps := p.initParticles(c.nref, c.seed, 1<<40)
		check(p.trainer(meanfield.GD, sched(c.nref), 0, 0).Run(ps, 0, steps, nil))
		f := meanfield.ComputeField(nil, p.unit, ps, p.data)
		fmt.Printf("check: sup_q |f_T(GH) − f_T(MC, N = %d)| = %.2e (Monte Carlo scale N^-1/2 = %.1e)\n", c.nref, supDiff(path.Final(), f), 1/math.Sqrt(float64(c.nref)))
	}

	// An iid sample of λ_T: iid draws of λ0 moved by the limit field (twins of nothing).
	// The Gauss–Hermite nodes represent λ_T for integrals of smooth functions, but their
	// b-marginal is lumpy (16 initial values per coordinate), so W1 distances use this sample.
	sample := p.initParticles(c.nsample, c.seed, 1<<43)
	st := p.trainer(meanfield.GD, sched(c.nsample), 0, 0)
	st.Limit = path
	check(st.Run(sample, 0, steps, nil))
	fmt.Printf("limit sample: %d iid draws of λ_T (its own W1 sampling error ≈ %.1e in 1-D)\n", c.nsample, 1/math.Sqrt(float64(c.nsample)))

	csv := newCSV(out, "expA.csv", "N", "rep", "coupling_mean", "coupling_rms", "coupling_max", "sup_t_coupling_mean", "field_L2", "w1_b_raw", "w1_b_twins")
	defer csv.close()
	res := &resultA{limit: sample, slopes: map[string]meanfield.SlopeFit{}}
	id := fmt.Sprintf("meanfield A seed=%d reps=%d biasBudget=%d T=%g dt=%g gh=%d nsample=%d", c.seed, c.reps, c.biasBudget, c.T, c.dt, c.gh, c.nsample)
	units, err := sweepA(out, id, c.Ns, func(N int) unitA {
		R := max(c.reps, c.biasBudget/N)
		u := unitA{Coup: make([]float64, R), RMS: make([]float64, R), Max: make([]float64, R), Sup: make([]float64, R),
			Field: make([]float64, R), W1: make([]float64, R), W1T: make([]float64, R),
			W2:     make([]float64, min(R, 4)), // exact W2(μ^N_T, μ̄^N_T) by optimal assignment, first replicates, N ≤ 1024
			Finals: make([][]float64, R), Feats: make([][]float64, R)}
		parallel.For(R, func(_, r int) {
			ps := p.initParticles(N, c.seed, uint64(N)<<20|uint64(r))
			tw := ps.Clone()
			u.Feats[r] = initFeatures(p, ps, path.F[0])
			gd := p.trainer(meanfield.GD, sched(N), 0, 0)
			twin := p.trainer(meanfield.GD, sched(N), 0, 0)
			twin.Limit = path
			var sc meanfield.SupCoupling
			for n := range steps {
				_, err := gd.Step(ps, n)
				check(err)
				_, err = twin.Step(tw, n)
				check(err)
				_, err = sc.Observe(ps, tw)
				check(err)
			}
			cp, err := meanfield.CouplingError(ps, tw)
			check(err)
			u.Coup[r], u.RMS[r], u.Max[r], u.Sup[r] = cp.Mean, cp.RMS, cp.Max, sc.Sup.Mean
			u.Finals[r] = meanfield.ComputeField(nil, p.unit, ps, p.data)
			u.Field[r] = meanfield.FieldL2(u.Finals[r], path.Final(), p.data)
			u.W1[r], err = meanfield.MarginalW1(ps, sample, 1)
			check(err)
			u.W1T[r], err = meanfield.MarginalW1(tw, sample, 1)
			check(err)
			if r < len(u.W2) && N <= 1024 {
				u.W2[r], err = meanfield.ExactW2(ps, tw)
				check(err)
			}
			if r == 0 {
				u.Last = ps.W
			}
		})
		return u
	})
	check(err)
	for i, N := range c.Ns {
		if !units.Done[i] {
			continue // another shard's width, or not run yet: left out of the partial tables
		}
		u := units.Values[i]
		R := len(u.Coup)
		coup, sup, fld, w1, w1t, w2, finals, feats := u.Coup, u.Sup, u.Field, u.W1, u.W1T, u.W2, u.Finals, u.Feats
		diffs := make([][]float64, R)
		for r := range diffs {
			diffs[r] = make([]float64, len(finals[r]))
		}
		for r := range R {
			csv.row(N, r, coup[r], u.RMS[r], u.Max[r], sup[r], fld[r], w1[r], w1t[r])
		}
		x := make([]float64, R)
		for r := range x {
			x[r] = w1[r] - w1t[r]
		}
		res.Ns = append(res.Ns, float64(N))
		res.coupling = append(res.coupling, coup)
		res.supCoup = append(res.supCoup, sup)
		res.field = append(res.field, fld)
		res.w1 = append(res.w1, w1)
		res.w1x = append(res.w1x, x)
		res.w2 = append(res.w2, mean(w2))
		res.bias = append(res.bias, meanfield.WeakBias(finals, path.Final(), p.data))
		// Monte Carlo floor of the bias: Σ_q π_q sd_r(f_q)/√R, the size of the bias
		// estimate when the true bias is zero.
		res.biasFloor = append(res.biasFloor, math.Sqrt(meanfield.AcrossRunVariance(finals, p.data)/float64(R)))
		for r := range finals {
			for q := range diffs[r] {
				diffs[r][q] = finals[r][q] - path.Final()[q]
			}
		}
		b, fl := cvBias(diffs, feats, p.data)
		res.biasCV = append(res.biasCV, b)
		res.biasCVFloor = append(res.biasCVFloor, fl)
		res.last = &meanfield.Particles{N: N, D: p.unit.Dim(), W: u.Last}
	}
	if !units.Complete() {
		fmt.Printf("\nPARTIAL: Experiment A has %d of %d widths (the others are in other shards or not run yet; see %s)\n",
			len(res.Ns), len(c.Ns), filepath.Join(out, "A", "PARTIAL"))
	}
	fmt.Printf("\n%6s %5s %11s %11s %11s %11s %11s %11s %11s %11s %11s\n", "N", "reps", "coupling", "sup_t coup", "field L2", "bias", "floor", "bias (CV)", "floor (CV)", "W1(b) raw", "W1(b) exc.")
	for i, N := range res.Ns {
		fmt.Printf("%6.0f %5d %11.3e %11.3e %11.3e %11.3e %11.3e %11.3e %11.3e %11.3e %11.3e\n", N, len(res.coupling[i]), mean(res.coupling[i]), mean(res.supCoup[i]),
			mean(res.field[i]), res.bias[i], res.biasFloor[i], res.biasCV[i], res.biasCVFloor[i], mean(res.w1[i]), mean(res.w1x[i]))
	}
	fmt.Println("exact W2 between the particle cloud and its twins' cloud at T (optimal assignment, first 4 replicates):")
	var w2n []float64
	var w2e [][]float64
	for i, N := range res.Ns {
		if res.w2[i] > 0 {
			fmt.Printf("  N = %4.0f: W2 = %.4e\n", N, res.w2[i])
			w2n = append(w2n, N)
			w2e = append(w2e, []float64{res.w2[i]})
		}
	}
	if len(w2n) >= 2 {
		if f, err := meanfield.LogLogSlope(w2n, w2e, 0.95, 1, rand.NewPCG(c.seed, 4)); err == nil {
			fmt.Printf("  W2 slope %+.3f (bounded by the RMS coupling, N^-1/2)\n", f.Slope)
		}
	}
	fmt.Println("fitted log-log slopes in N (bootstrap over replicates):")
	res.slopes["coupling"] = fitLine("coupling E|W−W̄| at T", res.Ns, res.coupling, c.seed)
	res.slopes["sup coupling"] = fitLine("sup_t coupling", res.Ns, res.supCoup, c.seed)
	res.slopes["field"] = fitLine("field L2 error at T", res.Ns, res.field, c.seed)
	res.slopes["w1"] = fitLine("W1 of the b-marginal (raw)", res.Ns, res.w1, c.seed)
	if allPositiveMeans(res.w1x) {
		res.slopes["w1x"] = fitLine("W1(b) excess over twins", res.Ns, res.w1x, c.seed)
	} else {
		fmt.Println("  W1(b) excess over twins: some means ≤ 0 (the interaction part is below the iid sampling error)")
	}
	// The weak bias is fitted on the sizes where it stands above 3× its Monte Carlo floor.
	fitBias := func(name string, bias, floor []float64) {
		var bn []float64
		var be [][]float64
		for i := range res.Ns {
			if bias[i] > 3*floor[i] {
				bn = append(bn, res.Ns[i])
				be = append(be, []float64{bias[i]})
			}
		}
		if len(bn) < 3 {
			fmt.Printf("  %-28s not resolved: %d size(s) above 3× the Monte Carlo floor (the -bias run measures it at small N)\n", name, len(bn))
			return
		}
		fit, err := meanfield.LogLogSlope(bn, be, 0.95, 1, rand.NewPCG(c.seed, 3))
		check(err)
		res.slopes[name] = fit
		fmt.Printf("  %-28s slope %+.3f  (N = %v, where bias > 3× floor; no CI)\n", name, fit.Slope, bn)
	}
	fitBias("weak bias |E f − f_λ|", res.bias, res.biasFloor)
	fitBias("weak bias, control variates", res.biasCV, res.biasCVFloor)
	return res
}

func risk(p *problem, f []float64) float64 {
	var s float64
	for q := range p.data.Len() {
		_, y, w := p.data.At(q)
		s += w * p.loss.ValueGrad(nil, f[q:q+1], y)
	}
	return s
}

func supDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func allPositiveMeans(x [][]float64) bool {
	for _, v := range x {
		if !(mean(v) > 0) {
			return false
		}
	}
	return true
}
