package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/meanfield"
)

// configB is Experiment B of docs/derivations/msgld.md §7: SGD at β = 0.5 and β = 1 against the
// deterministic limit, and mSGLD at β = 1 against its noisy (SDE) limit.
type configB struct {
	Ns       []int
	reps     int
	M        int
	T        float64
	gamma05  float64 // γ for β = 0.5
	gamma1   float64 // γ for β = 1
	gh       int
	nref     int // size of the independent-noise reference for the noisy limit
	refRuns  int
	seed     uint64
	sweepN   int
	sweepGam float64
	sweepMs  []int
}

type seriesB struct {
	name   string
	Ns     []float64
	errs   [][]float64 // per N, per replicate
	varrun []float64   // across-run variance of f at T with a fixed init
}

func runB(p *problem, c configB, out string) []*seriesB {
	fmt.Printf("\n== Experiment B: the two regimes (online SGD with M = %d, mSGLD; T = %g) ==\n", c.M, c.T)
	csv := newCSV(out, "expB.csv", "setting", "N", "rep", "metric", "value")
	defer csv.close()
	b1 := &seriesB{name: "B1 SGD β=0.5 vs ODE twin"}
	b1n := &seriesB{name: "B1 |SGD − GD| β=0.5"}
	b1g := &seriesB{name: "B1 GD vs ODE twin β=0.5"}
	b2 := &seriesB{name: "B2 SGD β=1 vs ODE twin"}
	b3 := &seriesB{name: "B3 mSGLD β=1 vs SDE twin"}
	prog := newProgress("experiment B", 3*len(c.Ns)+c.refRuns)

	// The noisy limit for B3: the field of an independent-noise system of c.nref
	// particles, averaged over c.refRuns runs.
	s1 := func(N int) meanfield.Schedule { return meanfield.Schedule{Gamma: c.gamma1, Beta: 1, N: N} }
	steps1 := stepsFor(s1(1), c.T)
	paths := make([]*meanfield.FieldPath, c.refRuns)
	for i := range paths {
		ps := p.initParticles(c.nref, c.seed, 1<<41+uint64(i))
		var err error
		paths[i], err = meanfield.RecordField(p.trainer(meanfield.MSGLD, s1(c.nref), c.M, c.seed+1<<50+uint64(i)), ps, steps1)
		check(err)
		prog.add(1)
	}
	noisyLim, err := meanfield.AverageFieldPaths(paths...)
	check(err)
	odeLim1, _ := p.limit(s1(1), steps1, c.gh)

	for _, N := range c.Ns {
		// B1: β = 0.5, h = γ N^{−1/2}; the ODE twin is the discrete-time GD limit at the same h.
		s05 := meanfield.Schedule{Gamma: c.gamma05, Beta: 0.5, N: N}
		steps05 := stepsFor(s05, c.T)
		lim05, _ := p.limit(s05, steps05, c.gh)
		e, noise, gdErr := make([]float64, c.reps), make([]float64, c.reps), make([]float64, c.reps)
		parallel.For(c.reps, func(_, r int) {
			tag := uint64(N)<<20 | uint64(r)
			ps := p.initParticles(N, c.seed, tag)
			gd, tw := ps.Clone(), ps.Clone()
			check(p.trainer(meanfield.SGD, s05, c.M, c.seed+tag).Run(ps, 0, steps05, nil))
			check(p.trainer(meanfield.GD, s05, 0, 0).Run(gd, 0, steps05, nil))
			twin := p.trainer(meanfield.GD, s05, 0, 0)
			twin.Limit = lim05
			check(twin.Run(tw, 0, steps05, nil))
			e[r] = coupling(ps, tw)
			noise[r] = coupling(ps, gd)
			gdErr[r] = coupling(gd, tw)
		})
		b1.add(N, e)
		b1n.add(N, noise)
		b1g.add(N, gdErr)
		b1.varrun = append(b1.varrun, acrossRuns(p, c, meanfield.SGD, s05, steps05, N))
		prog.add(1)

		// B2: β = 1 SGD with shared minibatches against the ODE twin.
		e2 := make([]float64, c.reps)
		parallel.For(c.reps, func(_, r int) {
			tag := uint64(N)<<20 | uint64(r)
			ps := p.initParticles(N, c.seed, tag)
			tw := ps.Clone()
			check(p.trainer(meanfield.SGD, s1(N), c.M, c.seed+tag).Run(ps, 0, steps1, nil))
			twin := p.trainer(meanfield.GD, s1(N), 0, 0)
			twin.Limit = odeLim1
			check(twin.Run(tw, 0, steps1, nil))
			e2[r] = coupling(ps, tw)
		})
		b2.add(N, e2)
		b2.varrun = append(b2.varrun, acrossRuns(p, c, meanfield.SGD, s1(N), steps1, N))
		prog.add(1)

		// B3: β = 1 mSGLD against its SDE twin (same normals, noisy-limit field).
		e3 := make([]float64, c.reps)
		parallel.For(c.reps, func(_, r int) {
			tag := uint64(N)<<20 | uint64(r)
			ps := p.initParticles(N, c.seed, tag)
			tw := ps.Clone()
			check(p.trainer(meanfield.MSGLD, s1(N), c.M, c.seed+tag).Run(ps, 0, steps1, nil))
			twin := p.trainer(meanfield.MSGLD, s1(N), c.M, c.seed+tag)
			twin.Limit = noisyLim
			check(twin.Run(tw, 0, steps1, nil))
			e3[r] = coupling(ps, tw)
		})
		b3.add(N, e3)
		b3.varrun = append(b3.varrun, acrossRuns(p, c, meanfield.MSGLD, s1(N), steps1, N))
		prog.add(1)
	}
	all := []*seriesB{b1, b1n, b1g, b2, b3}
	for _, s := range all {
		for i, N := range s.Ns {
			for r, v := range s.errs[i] {
				csv.row(s.name, N, r, "coupling_mean", v)
			}
			if s.varrun != nil {
				csv.row(s.name, N, -1, "across_run_variance", s.varrun[i])
			}
		}
	}
	fmt.Printf("\n%6s", "N")
	for _, s := range all {
		fmt.Printf(" %26s", s.name)
	}
	fmt.Println()
	for i, N := range c.Ns {
		fmt.Printf("%6d", N)
		for _, s := range all {
			fmt.Printf(" %26.4e", mean(s.errs[i]))
		}
		fmt.Println()
	}
	fmt.Println("fitted log-log slopes of the mean coupling error in N:")
	for _, s := range all {
		fitLine(s.name, s.Ns, s.errs, c.seed)
	}
	// At small N every coupling error has an O(N^{−1/2}) interaction part; the regime
	// shows in the large-N part of the range.
	if h := len(s0(all).Ns) / 2; len(s0(all).Ns)-h >= 3 {
		fmt.Printf("slopes over the upper half of the range, N >= %.0f:\n", s0(all).Ns[h])
		for _, s := range all {
			fitLine(s.name, s.Ns[h:], s.errs[h:], c.seed)
		}
	}
	fmt.Println("across-run variance Σ_q π_q Var(f_T(x_q)) at a fixed initialisation (10 noise seeds):")
	fmt.Printf("%6s %14s %14s %14s\n", "N", "B1 SGD β=0.5", "B2 SGD β=1", "B3 mSGLD β=1")
	for i, N := range c.Ns {
		fmt.Printf("%6d %14.4e %14.4e %14.4e\n", N, b1.varrun[i], b2.varrun[i], b3.varrun[i])
	}
	for _, s := range []*seriesB{b1, b2, b3} {
		v := make([][]float64, len(s.varrun))
		for i, x := range s.varrun {
			v[i] = []float64{x}
		}
		fit, err := meanfield.LogLogSlope(s.Ns, v, 0.95, 1, pcg(c.seed))
		check(err)
		fmt.Printf("  %-28s across-run variance slope %+.3f\n", s.name, fit.Slope)
	}
	return all
}

func (s *seriesB) add(N int, e []float64) {
	s.Ns = append(s.Ns, float64(N))
	s.errs = append(s.errs, e)
}

func coupling(a, b *meanfield.Particles) float64 {
	c, err := meanfield.CouplingError(a, b)
	check(err)
	return c.Mean
}

// acrossRuns returns Σ_q π_q Var_r f_T(x_q) over 10 runs that share one initialisation
// and differ only in their noise seed.
func acrossRuns(p *problem, c configB, m meanfield.Method, s meanfield.Schedule, steps, N int) float64 {
	const R = 10
	fs := make([][]float64, R)
	parallel.For(R, func(_, r int) {
		ps := p.initParticles(N, c.seed, 1<<45|uint64(N))
		check(p.trainer(m, s, c.M, c.seed+1<<46+uint64(r)).Run(ps, 0, steps, nil))
		fs[r] = meanfield.ComputeField(nil, p.unit, ps, p.data)
	})
	return meanfield.AcrossRunVariance(fs, p.data)
}

func pcg(seed uint64) rand.Source { return rand.NewPCG(seed, 9) }

func s0(all []*seriesB) *seriesB { return all[0] }
