package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/sdeml/sdeml/internal/atomicfile"
	"github.com/sdeml/sdeml/meanfield"
)

// problem is the common setup of docs/derivations/msgld.md §7: x ~ U[−1, 1], 32-point
// Gauss–Legendre population risk, target sin πx, units a·tanh(bx + c), squared loss,
// λ0 = N(0, I3).
type problem struct {
	data    *meanfield.Points
	unit    meanfield.ScalarUnit
	loss    meanfield.Squared
	sampler meanfield.FuncSampler
}

func newProblem() (*problem, error) {
	target := func(x float64) float64 { return math.Sin(math.Pi * x) }
	data, err := meanfield.Quadrature1D(32, -1, 1, target)
	if err != nil {
		return nil, err
	}
	return &problem{
		data: data,
		unit: meanfield.TanhUnit(1),
		sampler: meanfield.FuncSampler{P: 1, K: 1, Draw: func(x, y []float64, r *rand.Rand) {
			x[0] = 2*r.Float64() - 1
			y[0] = target(x[0])
		}},
	}, nil
}

// trainer returns a Trainer for method m with schedule s, batch M and seed.
func (p *problem) trainer(m meanfield.Method, s meanfield.Schedule, M int, seed uint64) *meanfield.Trainer {
	tr := &meanfield.Trainer{Unit: p.unit, Loss: p.loss, Method: m, Schedule: s, Batch: M, Seed: seed, Data: p.data}
	if m == meanfield.SGD {
		tr.Data, tr.Sampler = nil, p.sampler
	}
	return tr
}

// initParticles draws N particles from λ0 = N(0, I3) with a stream keyed by (seed, tag).
func (p *problem) initParticles(N int, seed, tag uint64) *meanfield.Particles {
	ps, err := meanfield.NewParticles(N, p.unit.Dim())
	check(err)
	check(ps.InitGaussian(0, 1, rand.NewPCG(seed, tag)))
	return ps
}

// limit returns the deterministic mean-field limit for GD with schedule s over steps
// iterations: the field path and the weighted particles at the end, from the m³-node
// Gauss–Hermite quadrature of λ0.
func (p *problem) limit(s meanfield.Schedule, steps, m int) (*meanfield.FieldPath, *meanfield.Particles) {
	ref, err := meanfield.GaussHermiteParticles(m, []float64{0, 0, 0}, []float64{1, 1, 1})
	check(err)
	tr := p.trainer(meanfield.GD, s, 0, 0)
	tr.ReferenceSystem = true // the quadrature stands for the limit of width s.N
	path, err := meanfield.RecordField(tr, ref, steps)
	check(err)
	return path, ref
}

func stepsFor(s meanfield.Schedule, T float64) int { return int(math.Round(T / s.G())) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "meanfield example:", err)
		os.Exit(1)
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func sd(x []float64) float64 {
	m := mean(x)
	var s float64
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(max(len(x)-1, 1)))
}

// csvWriter collects rows of mixed values; close writes the file atomically.
type csvWriter struct {
	path string
	buf  bytes.Buffer
	w    *csv.Writer
}

func newCSV(dir, name string, header ...string) *csvWriter {
	c := &csvWriter{path: filepath.Join(dir, name)}
	c.w = csv.NewWriter(&c.buf)
	check(c.w.Write(header))
	return c
}

func (c *csvWriter) row(vals ...any) {
	rec := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case float64:
			rec[i] = strconv.FormatFloat(x, 'g', 10, 64)
		default:
			rec[i] = fmt.Sprint(x)
		}
	}
	check(c.w.Write(rec))
}

func (c *csvWriter) close() {
	c.w.Flush()
	check(c.w.Error())
	check(atomicfile.WriteBytes(c.path, 0, c.buf.Bytes()))
}

// progress prints a progress line to stderr at most every 2 s.
type progress struct {
	name  string
	total int
	done  int
	last  time.Time
	start time.Time
}

func newProgress(name string, total int) *progress {
	return &progress{name: name, total: total, start: time.Now(), last: time.Now()}
}

func (p *progress) add(n int) {
	p.done += n
	if time.Since(p.last) > 2*time.Second || p.done == p.total {
		p.last = time.Now()
		fmt.Fprintf(os.Stderr, "\r%s: %d/%d (%.0fs)   ", p.name, p.done, p.total, time.Since(p.start).Seconds())
		if p.done == p.total {
			fmt.Fprintln(os.Stderr)
		}
	}
}

func fitLine(name string, ns []float64, errs [][]float64, seed uint64) meanfield.SlopeFit {
	fit, err := meanfield.LogLogSlope(ns, errs, 0.95, 1000, rand.NewPCG(seed, 7))
	if err != nil {
		fmt.Printf("  %-28s slope: %v\n", name, err)
		return fit
	}
	fmt.Printf("  %-28s slope %+.3f  95%% CI [%+.3f, %+.3f]\n", name, fit.Slope, fit.Lo, fit.Hi)
	return fit
}
