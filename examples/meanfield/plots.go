package main

import (
	"math"
	"path/filepath"

	"github.com/sdeml/sdeml/examples/internal/plotfile"
	"github.com/sdeml/sdeml/meanfield"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

type curve struct {
	name string
	x, y []float64
}

// logLogPlot draws curves on log-log axes plus dashed reference lines c·x^s through the
// last point of the curve named in refs.
func logLogPlot(file, title, xlabel string, curves []curve, refs map[string]float64, legendTop bool) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = "error"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = legendTop, true
	for i, c := range curves {
		xy := make(plotter.XYs, 0, len(c.x))
		for j := range c.x {
			if c.y[j] > 0 {
				xy = append(xy, plotter.XY{X: c.x[j], Y: c.y[j]})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xy)
		check(err)
		l.Color, s.Color = plotutil.Color(i), plotutil.Color(i)
		p.Add(l, s)
		p.Legend.Add(c.name, l, s)
		if slope, ok := refs[c.name]; ok {
			ref := make(plotter.XYs, len(xy))
			for j := range xy {
				last := xy[len(xy)-1]
				ref[j] = plotter.XY{X: xy[j].X, Y: last.Y * math.Pow(xy[j].X/last.X, slope)}
			}
			rl, err := plotter.NewLine(ref)
			check(err)
			rl.Color = plotutil.Color(i)
			rl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(rl)
		}
	}
	check(plotfile.Save(p, 7*vg.Inch, 5*vg.Inch, file))
}

// marginalPlot overlays the density histograms of coordinate j of several (weighted)
// particle systems.
func marginalPlot(file, title string, j int, names []string, systems []*meanfield.Particles) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "b (coordinate 1 of w = (a, b, c))"
	p.Y.Label.Text = "density"
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ps := range systems {
		for k := range ps.N {
			lo, hi = math.Min(lo, ps.Row(k)[j]), math.Max(hi, ps.Row(k)[j])
		}
	}
	const bins = 60
	w := (hi - lo) / bins
	for i, ps := range systems {
		d := make([]float64, bins)
		for k := range ps.N {
			b := min(int((ps.Row(k)[j]-lo)/w), bins-1)
			d[b] += ps.Omega(k) / w
		}
		xy := make(plotter.XYs, bins)
		for b := range xy {
			xy[b] = plotter.XY{X: lo + (float64(b)+0.5)*w, Y: d[b]}
		}
		l, err := plotter.NewLine(xy)
		check(err)
		l.Color = plotutil.Color(i)
		l.Width = vg.Points(1.5)
		if i > 0 {
			l.Dashes = plotutil.Dashes(i)
		}
		p.Add(l)
		p.Legend.Add(names[i], l)
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	check(plotfile.Save(p, 7*vg.Inch, 5*vg.Inch, file))
}

func writePlots(out string, a *resultA, b []*seriesB, sweep []sweepRow, msgld, sweepLim *meanfield.Particles) {
	if a != nil {
		cs := []curve{
			{"coupling E|W−W̄| at T", a.Ns, means(a.coupling)},
			{"sup_t coupling", a.Ns, means(a.supCoup)},
			{"field L2 error", a.Ns, means(a.field)},
			{"W1 of b-marginal", a.Ns, means(a.w1)},
			{"weak bias", a.Ns, a.bias},
			{"bias Monte Carlo floor", a.Ns, a.biasFloor},
		}
		logLogPlot(filepath.Join(out, "expA_rates.png"), "Experiment A: GD, tanh units (dashed: N^-1/2, N^-1)", "N", cs,
			map[string]float64{"coupling E|W−W̄| at T": -0.5, "field L2 error": -0.5, "weak bias": -1}, false)
		marginalPlot(filepath.Join(out, "expA_marginal.png"), "b-marginal at T: N-particle GD vs mean-field limit", 1,
			[]string{"N-particle system (largest N)", "limit (iid sample of λ_T)"}, []*meanfield.Particles{a.last, a.limit})
	}
	if b != nil {
		var cs []curve
		refs := map[string]float64{}
		want := map[string]float64{"B1 |SGD − GD| β=0.5": -0.25, "B2 SGD β=1 vs ODE twin": 0, "B3 mSGLD β=1 vs SDE twin": -0.5}
		for _, s := range b {
			cs = append(cs, curve{s.name, s.Ns, means(s.errs)})
			if v, ok := want[s.name]; ok {
				refs[s.name] = v
			}
		}
		logLogPlot(filepath.Join(out, "expB_rates.png"), "Experiment B: coupling errors (dashed: N^-1/4, N^0, N^-1/2)", "N", cs, refs, false)
	}
	if sweep != nil {
		x := make([]float64, len(sweep))
		y1, y2, y3, y4 := make([]float64, len(sweep)), make([]float64, len(sweep)), make([]float64, len(sweep)), make([]float64, len(sweep))
		for i, r := range sweep {
			x[i], y1[i], y2[i], y3[i], y4[i] = r.gm, r.coupMSGLD, r.coupSGD, r.w1MSGLD, r.dVar
		}
		logLogPlot(filepath.Join(out, "sweep.png"), "β = 1 against GD from the same init (dashed: (γ/M)^1/2, (γ/M)^1)", "γ/M",
			[]curve{{"|mSGLD − GD|", x, y1}, {"|SGD − GD|", x, y2}, {"W1(b) mSGLD vs GD", x, y3}, {"Δ cloud variance", x, y4}},
			map[string]float64{"|mSGLD − GD|": 0.5, "Δ cloud variance": 1}, true)
		marginalPlot(filepath.Join(out, "sweep_marginal.png"), "b-marginal at T: β = 1 mSGLD (largest γ/M) vs GD", 1,
			[]string{"mSGLD", "GD (same init)"}, []*meanfield.Particles{msgld, sweepLim})
	}
}

func means(x [][]float64) []float64 {
	m := make([]float64, len(x))
	for i, v := range x {
		m[i] = mean(v)
	}
	return m
}
