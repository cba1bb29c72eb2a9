package main

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/sam"
)

// fmnistVariants lists the SAM variants of the fmnist study, each with its paper's
// defaults and ρ from the study's grid (GSAM: ρ_max, with ρ_min = 0 and the base's cosine
// schedule, so ρ_t ∝ lr_t; WSAM: ρ/9, see below); base makes the study's base updater, total is the number of
// steps of its cosine schedule. m = 0: drawn as horizontal lines against m.
func fmnistVariants(base func() sam.Updater, total int) []method {
	return []method{
		{"GSAM (α=0.4)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.GSAM{Base: base(), Rho: rho, Schedule: sam.Cosine{Total: total}}
		}},
		// WSAM's direction is g + (γ/(1−γ))(g_p − g), SAM's at radius γρ/(1−γ) to first
		// order: the grid's ρ is that radius, so WSAM runs at ρ(1−γ)/γ = ρ/9.
		{"WSAM (γ=0.9, ρ_W=ρ/9)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.WSAM{Base: base(), Rho: rho / 9}
		}},
		{"ESAM (β=0.6, κ=0.5)", 0, true, func(rho float64, seed uint64) sam.Optimizer {
			return &sam.ESAM{Base: base(), Rho: rho, Seed: seed}
		}},
		{"LookSAM (k=5, α=0.7)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.LookSAM{Base: base(), Rho: rho}
		}},
		{"F-SAM (σ=1, λ=0.9)", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.FriendlySAM{Base: base(), Rho: rho}
		}},
		{"SAM every 5 steps", 0, true, func(rho float64, _ uint64) sam.Optimizer {
			return &sam.IntervalSAM{Base: base(), Rho: rho}
		}},
	}
}

// forest is a set of points with horizontal 95% CI bars.
type forest struct {
	plotter.XYs
	plotter.XErrors
}

// plotPairedForest draws, for every chosen method but SAM, the paired difference from SAM
// (same seed) of test accuracy (left) and of tr H (right) with its 95% t-interval as a
// horizontal bar, one row per method: the "forest plot" of the paired table.
func plotPairedForest(path string, vsSAM []fmPaired, samB fmStat) error {
	var rows []fmPaired
	for _, p := range vsSAM {
		if p.name != samB.m.name && p.n > 0 {
			rows = append(rows, p)
		}
	}
	var ticks plot.ConstantTicks
	for i, p := range rows {
		ticks = append(ticks, plot.Tick{Value: float64(len(rows) - 1 - i), Label: p.name})
	}
	panel := func(title, xlabel string, val func(fmPaired) [2]float64) (*plot.Plot, error) {
		pl := plot.New()
		pl.Title.Text = title
		pl.X.Label.Text = xlabel
		pl.Y.Tick.Marker = ticks
		f := forest{XYs: make(plotter.XYs, len(rows)), XErrors: make(plotter.XErrors, len(rows))}
		for i, p := range rows {
			v := val(p)
			h := v[1]
			if math.IsNaN(h) {
				h = 0
			}
			f.XYs[i] = plotter.XY{X: v[0], Y: float64(len(rows) - 1 - i)}
			f.XErrors[i].Low, f.XErrors[i].High = h, h
		}
		if len(rows) > 0 {
			bars, err := plotter.NewXErrorBars(f)
			if err != nil {
				return nil, err
			}
			pts, err := plotter.NewScatter(f.XYs)
			if err != nil {
				return nil, err
			}
			pl.Add(bars, pts)
		}
		zero, err := plotter.NewLine(plotter.XYs{{X: 0, Y: -0.5}, {X: 0, Y: float64(len(rows)) - 0.5}})
		if err != nil {
			return nil, err
		}
		zero.Dashes = []vg.Length{vg.Points(2), vg.Points(3)}
		pl.Add(zero)
		pl.Y.Min, pl.Y.Max = -0.5, float64(len(rows))-0.5
		return pl, nil
	}
	acc, err := panel("test accuracy − SAM's, same seed (95% CI)", "Δ test accuracy (points)", func(p fmPaired) [2]float64 { return p.acc })
	if err != nil {
		return err
	}
	tr, err := panel("tr H − SAM's, same seed (95% CI)", "Δ tr H", func(p fmPaired) [2]float64 { return p.trace })
	if err != nil {
		return err
	}
	tr.Y.Tick.Marker = plot.ConstantTicks{} // the names once, on the left panel
	const w, h = 12 * vg.Inch, 6 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	canvases := plot.Align([][]*plot.Plot{{acc, tr}}, draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(12)}, dc)
	acc.Draw(canvases[0][0])
	tr.Draw(canvases[0][1])
	return atomicfile.WriteTo(path, 0, vgimg.PngCanvas{Canvas: img})
}
