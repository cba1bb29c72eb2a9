package main

import (
	"bytes"
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plotStudy writes w1_vs_n_d<d>.png per d: the debiased W against n on log-log axes, one
// colour per D with its bootstrap 95% band, the n-sample floor (grey, dashed: the
// empirical-measure rate) and the debiased estimator's floor at m (grey, dotted).
func plotStudy(c *config, rows []row, fits []cellFit) error {
	for _, d := range c.ds {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("adaptation study, d = %d: debiased W1 vs n (%d–%d generated points), 95%% bootstrap bands", d, c.evalMFor(d, c.ns[0]), c.evalMFor(d, slicesMax(c.ns)))
		p.X.Label.Text = "training-set size n"
		p.Y.Label.Text = "W1"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
		p.Legend.Left = true
		var last *cellFit
		k := 0
		for i := range fits {
			f := &fits[i]
			if f.d != d {
				continue
			}
			col := palette[k%len(palette)]
			k++
			band := make(plotter.XYs, 0, 2*len(f.ns))
			for j := range f.ns {
				band = append(band, plotter.XY{X: f.ns[j], Y: f.lo[j]})
			}
			for j := len(f.ns) - 1; j >= 0; j-- {
				band = append(band, plotter.XY{X: f.ns[j], Y: f.hi[j]})
			}
			poly, err := plotter.NewPolygon(band)
			if err != nil {
				return err
			}
			poly.Color = bandColor(col)
			poly.LineStyle.Width = 0
			p.Add(poly)
			pts := make(plotter.XYs, len(f.ns))
			for j := range f.ns {
				pts[j] = plotter.XY{X: f.ns[j], Y: f.mean[j]}
			}
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			l.Color, s.Color = col, col
			p.Add(l, s)
			p.Legend.Add(fmt.Sprintf("D=%d  slope %+.2f [%+.2f, %+.2f]", f.D, f.slope, f.ciLo, f.ciHi), l)
			last = f
		}
		if last != nil {
			pts := make(plotter.XYs, len(last.ns))
			for j := range last.ns {
				pts[j] = plotter.XY{X: last.ns[j], Y: last.floor[j]}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			l.Color, l.Dashes = color.Gray{Y: 110}, []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("W1 of two n-samples (D=%d), slope %+.2f", last.D, last.floorSl), l)
			fl := make(plotter.XYs, len(last.ns))
			for j := range last.ns {
				fl[j] = plotter.XY{X: last.ns[j], Y: last.cellFls[j]}
			}
			lf, err := plotter.NewLine(fl)
			if err != nil {
				return err
			}
			lf.Color, lf.Dashes = color.Gray{Y: 60}, []vg.Length{vg.Points(1), vg.Points(2)}
			p.Add(lf)
			p.Legend.Add(fmt.Sprintf("floor of the %d-seed W (m = %d … %d points)", c.seeds, last.ms[0], last.ms[len(last.ms)-1]), lf)
		}
		w, err := p.WriterTo(7*vg.Inch, 5*vg.Inch, "png")
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if _, err := w.WriteTo(&buf); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(c.out, fmt.Sprintf("w1_vs_n_d%d.png", d)), buf.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// bandColor returns col at alpha 60/255 as a non-premultiplied colour. (A color.RGBA with
// full-intensity channels and a small alpha is not a valid premultiplied colour: the bands
// were drawn in wrong hues, the D = 4 band red and the D = 16 band cyan.)
func bandColor(col color.Color) color.Color {
	n := color.NRGBAModel.Convert(col).(color.NRGBA)
	n.A = 60
	return n
}
