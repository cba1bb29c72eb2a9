package main

import (
	"fmt"
	"io"

	"github.com/sdeml/sdeml/internal/atomicfile"
)

// fmPaired compares one chosen configuration with a reference configuration seed by seed:
// the mean and 95% t-interval of (configuration − reference) over the seeds both finished.
// A seed gives every method the same initialisation and batch order, so the spread from
// one seed to the next, which dominates the intervals of the main table, largely cancels.
type fmPaired struct {
	name             string
	n                int
	acc, lmax, trace [2]float64 // mean, CI half-width of the difference
}

// paired returns the paired differences of every configuration in best against ref.
func (r *fmReport) paired(best []fmStat, ref fmStat) []fmPaired {
	type id struct {
		name string
		rho  float64
		seed uint64
	}
	units := map[id]fmUnit{}
	for k, key := range r.keys {
		if r.res.Done[k] && r.res.Values[k].ok() {
			units[id{key.m.name, key.rho, key.seed}] = r.res.Values[k]
		}
	}
	var out []fmPaired
	for _, s := range best {
		p := fmPaired{name: s.m.name}
		var d [3][]float64
		for _, seed := range r.cfg.seeds {
			u, ok := units[id{s.m.name, s.rho, seed}]
			v, okRef := units[id{ref.m.name, ref.rho, seed}]
			if !ok || !okRef {
				continue
			}
			p.n++
			d[0] = append(d[0], float64(u.TestAcc-v.TestAcc))
			d[1] = append(d[1], float64(u.LambdaMax-v.LambdaMax))
			d[2] = append(d[2], float64(u.TraceH-v.TraceH))
		}
		for q, dst := range []*[2]float64{&p.acc, &p.lmax, &p.trace} {
			dst[0], dst[1] = ci95(d[q])
		}
		out = append(out, p)
	}
	return out
}

// references returns the chosen SGD and SAM (m = B) configurations, the baselines of the
// paired comparisons (ok false if either has none).
func references(best []fmStat) (sgd, samB fmStat, ok bool) {
	var haveSGD, haveSAM bool
	for _, s := range best {
		switch {
		case !s.m.rho:
			sgd, haveSGD = s, true
		case s.m.m == fmB:
			samB, haveSAM = s, true
		}
	}
	return sgd, samB, haveSGD && haveSAM
}

// fmPairedTable writes the paired differences against SGD and against SAM (m = B).
func fmPairedTable(w io.Writer, vsSGD, vsSAM []fmPaired, sgd, samB fmStat) {
	fmt.Fprintf(w, "\nPaired differences, seed by seed (same initialisation and batch order), mean ± 95%% t-interval: test accuracy against %s, and test accuracy, top λ(H) and tr H against %s (ρ = %g)\n\n", sgd.m.name, samB.m.name, samB.rho)
	fmt.Fprintln(w, "| method | seeds | Δ test acc vs SGD (points) | Δ test acc vs SAM | Δ top λ(H) vs SAM | Δ tr H vs SAM |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	ref := func(name, refName, v string) string {
		if name == refName {
			return "—"
		}
		return v
	}
	for i, a := range vsSGD {
		b := vsSAM[i]
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", a.name, min(a.n, b.n), ref(a.name, sgd.m.name, pm(a.acc, 2)),
			ref(a.name, samB.m.name, pm(b.acc, 2)), ref(a.name, samB.m.name, pm(b.lmax, 2)), ref(a.name, samB.m.name, pm(b.trace, 1)))
	}
}

// writePaired writes the paired differences as CSV.
func writePaired(path string, vsSGD, vsSAM []fmPaired) error {
	return atomicfile.WriteFile(path, 0, func(w io.Writer) error {
		fmt.Fprintln(w, "method,seeds,d_test_acc_vs_sgd,d_test_acc_vs_sgd_ci95,d_test_acc_vs_sam,d_test_acc_vs_sam_ci95,d_lambda_max_vs_sam,d_lambda_max_vs_sam_ci95,d_trace_h_vs_sam,d_trace_h_vs_sam_ci95")
		for i, a := range vsSGD {
			b := vsSAM[i]
			fmt.Fprintf(w, "%s,%d,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g,%.4g\n", a.name, min(a.n, b.n),
				a.acc[0], a.acc[1], b.acc[0], b.acc[1], b.lmax[0], b.lmax[1], b.trace[0], b.trace[1])
		}
		return nil
	})
}
