package main

import (
	"encoding/csv"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// writeCSV writes header and rows to dir/name.
func writeCSV(dir, name string, header []string, rows [][]string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func ff(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

// writeAblation writes ablation.csv (one row per variant and seed).
func writeAblation(dir string, rows []ablationRow) error {
	var out [][]string
	for _, r := range rows {
		out = append(out, []string{r.variant, strconv.Itoa(r.seed), ff(r.heldLoss), ff(r.heldLossByBand[0]), ff(r.heldLossByBand[1]),
			ff(r.heldLossByBand[2]), ff(r.w1), ff(r.off), ff(r.floor), ff(r.trainS)})
	}
	return writeCSV(dir, "ablation.csv", []string{"variant", "seed", "held_dsm", "held_small_t", "held_mid_t", "held_large_t", "w1", "off", "floor", "train_s"}, out)
}

// writeSamplers writes samplers.csv and samplers.png (W1 against score evaluations, one
// line per model and scheme, ±1 standard error bars over the sampler seeds).
func writeSamplers(dir string, rows []samplerRow) error {
	var out [][]string
	for _, r := range rows {
		out = append(out, []string{r.model, r.scheme, strconv.Itoa(r.steps), strconv.Itoa(r.evals), ff(r.w1), ff(r.w1se), ff(r.on), ff(r.off), ff(r.floor)})
	}
	if err := writeCSV(dir, "samplers.csv", []string{"model", "scheme", "steps", "evals", "w1", "w1_se", "on_curve_w1", "off", "floor"}, out); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "2-D segment: W1(samples, reference) vs score evaluations (±1 SE)"
	p.X.Label.Text = "score evaluations per sample"
	p.Y.Label.Text = "W1"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	palette := []color.Color{color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 255, G: 127, B: 14, A: 255},
		color.RGBA{R: 44, G: 160, B: 44, A: 255}, color.RGBA{R: 214, G: 39, B: 40, A: 255}}
	dashes := map[string][]vg.Length{}
	models := []string{}
	for _, r := range rows {
		if _, ok := dashes[r.model]; !ok {
			dashes[r.model] = [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(2), vg.Points(2)}}[len(models)%3]
			models = append(models, r.model)
		}
	}
	type key struct{ model, scheme string }
	lines := map[key]plotter.XYs{}
	errs := map[key]plotter.YErrors{}
	var order []key
	floor := 0.0
	for _, r := range rows {
		k := key{r.model, r.scheme}
		if _, ok := lines[k]; !ok {
			order = append(order, k)
		}
		lines[k] = append(lines[k], plotter.XY{X: float64(r.evals), Y: r.w1})
		errs[k] = append(errs[k], struct{ Low, High float64 }{r.w1se, r.w1se})
		if r.floor > 0 {
			floor = r.floor
		}
	}
	schemes := map[string]int{}
	for _, k := range order {
		if _, ok := schemes[k.scheme]; !ok {
			schemes[k.scheme] = len(schemes)
		}
		l, s, err := plotter.NewLinePoints(lines[k])
		if err != nil {
			return err
		}
		col := palette[schemes[k.scheme]%len(palette)]
		l.Color, s.Color = col, col
		l.Dashes = dashes[k.model]
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{lines[k], errs[k]})
		if err == nil {
			eb.Color = col
			p.Add(eb)
		}
		p.Add(l, s)
		p.Legend.Add(fmt.Sprintf("%s, %s", k.model, k.scheme), l)
	}
	if floor > 0 {
		fl, err := plotter.NewLine(plotter.XYs{{X: 10, Y: floor}, {X: 2000, Y: floor}})
		if err == nil {
			fl.Color = color.Gray{Y: 120}
			fl.Dashes = []vg.Length{vg.Points(2), vg.Points(4)}
			p.Add(fl)
			p.Legend.Add("W1 floor (two reference samples)", fl)
		}
	}
	p.Legend.Top = true
	return p.Save(10*vg.Inch, 7*vg.Inch, filepath.Join(dir, "samplers.png"))
}
