package main

import (
	"fmt"
	"io"
	"strconv"

	"encoding/csv"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/internal/sweep"
)

// report prints the metric table: the held-out floor, then each model.
func report(w io.Writer, c *config, floor metrics, res *sweep.Result[unitResult]) {
	fmt.Fprintf(w, "\n%-22s %8s %6s %6s %7s %5s %8s %8s %9s %7s %9s %9s\n", "model", "FD", "prec", "recall", "conf≥.9", "cover", "minshare", "χ²", "p", "NN/held", "train CPU", "sample CPU")
	row := func(name string, m metrics, tr, sa float64) {
		fmt.Fprintf(w, "%-22s %8.3f %6.3f %6.3f %7.3f %5d %8.3f %8.1f %9.2g %7.3f %9.0f %9.0f\n", name,
			float64(m.FD), float64(m.Precision), float64(m.Recall), float64(m.Confident), m.Covered,
			float64(m.MinShare), float64(m.Chi2), float64(m.P), float64(m.NNRatio), tr, sa)
	}
	row("held-out (floor)", floor, 0, 0)
	for k, md := range models {
		if !res.Done[k] {
			fmt.Fprintf(w, "%-22s (not computed)\n", md.key())
			continue
		}
		v := res.Values[k]
		row(md.key(), v.Metrics, float64(v.TrainCPU), float64(v.SampleCPU))
	}
	for k, md := range models {
		if res.Done[k] {
			fmt.Fprintf(w, "%-22s class counts %v, DSM loss %.4g, %d parameters\n", md.key(), res.Values[k].Metrics.Counts, float64(res.Values[k].Loss), res.Values[k].Params)
		}
	}
	fmt.Fprintf(w, "%-22s class counts %v\n", "held-out", floor.Counts)
}

// writeCSV writes one row per set of images.
func writeCSV(path string, floor metrics, res *sweep.Result[unitResult]) error {
	return atomicfile.WriteFile(path, 0, func(f io.Writer) error {
		w := csv.NewWriter(f)
		w.Write([]string{"model", "fd", "precision", "recall", "confident", "covered", "min_share", "chi2", "p", "nn_ratio", "train_cpu_s", "sample_cpu_s"})
		g := func(v sweep.Float) string { return strconv.FormatFloat(float64(v), 'g', 6, 64) }
		row := func(name string, m metrics, tr, sa sweep.Float) {
			w.Write([]string{name, g(m.FD), g(m.Precision), g(m.Recall), g(m.Confident), strconv.Itoa(m.Covered), g(m.MinShare), g(m.Chi2), g(m.P), g(m.NNRatio), g(tr), g(sa)})
		}
		row("held-out", floor, 0, 0)
		for k, md := range models {
			if res.Done[k] {
				v := res.Values[k]
				row(md.key(), v.Metrics, v.TrainCPU, v.SampleCPU)
			}
		}
		w.Flush()
		return w.Error()
	})
}
