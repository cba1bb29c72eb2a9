package sde

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"
)

// cpuTime returns the CPU time (user + system) used by the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var sinkF float64

// reportCPU reports the process CPU time since cpu0 per op/per, as
// "cpu-ns/op" (per = 1) or "cpu-ns/step" (per > 1): on a shared machine it is
// much less noisy than wall time.
func reportCPU(b *testing.B, cpu0 time.Duration, per int) {
	unit := "cpu-ns/op"
	if per > 1 {
		unit = "cpu-ns/step"
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N)/float64(per), unit)
}

// BenchmarkNormFloat64 is the floor of path-step work: one standard normal
// from rand.Rand over a PCG source.
func BenchmarkNormFloat64(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	var s float64
	cpu0 := cpuTime()
	for b.Loop() {
		s += r.NormFloat64()
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	sinkF = s
}

// BenchmarkNormal is the package's ziggurat on a PCG (used by every
// Brownian type).
func BenchmarkNormal(b *testing.B) {
	g := newNormalGen(rand.NewPCG(1, 2))
	var s float64
	cpu0 := cpuTime()
	for b.Loop() {
		s += g.next()
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	sinkF = s
}

// gbmBench is the GBM of the numpy peer (numpy_peers.py em):
// dX = aX dt + bX dW, a = 1.01, b = 0.87, X0 = 0.5, in one callback form:
// separate Drift and Diffusion, fused DriftDiffusion, or batch
// BatchDriftDiffusion only (overheadSys).
func gbmBench(form string) *System { return overheadSys(1, form) }

// BenchmarkEulerMaruyamaGBM: paths × 1000 Euler–Maruyama steps of GBM,
// all cores, storing the final state of every path, with separate per-path
// Drift and Diffusion callbacks (separate), the per-path fused callback
// (fused) and the batch callback (batch). Reports ns per path-step (wall
// time / (paths·steps)) and CPU ns per path-step.
func BenchmarkEulerMaruyamaGBM(b *testing.B) {
	for _, form := range callbackForms {
		for _, paths := range []int{1, 1000, 10000} {
			b.Run(fmt.Sprintf("%s/paths=%d", form, paths), func(b *testing.B) {
				sys := gbmBench(form)
				const steps = 1000
				e := &Ensemble{Paths: paths, Seed: 1, X0: []float64{0.5}, Store: true}
				set := &Settings{Step: 1.0 / steps}
				ts := []float64{0, 1}
				cpu0 := cpuTime()
				for b.Loop() {
					if _, err := SolveEnsemble(sys, EulerMaruyama{}, e, ts, set); err != nil {
						b.Fatal(err)
					}
				}
				n := float64(b.N) * float64(paths*steps)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/path-step")
				// Process CPU time (user+system, all threads) per path-step: on a
				// shared machine it is far less noisy than wall time; on an idle
				// machine wall ≈ cpu/GOMAXPROCS for the parallel sizes.
				b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/n, "cpu-ns/path-step")
			})
		}
	}
}

// BenchmarkStep: one step of a stepper with fresh increments (the steady
// state of every solve), for diagonal systems of size d. 0 allocs/op.
func BenchmarkStep(b *testing.B) {
	for _, c := range []struct {
		name string
		m    Method
	}{{"EM", EulerMaruyama{}}, {"Milstein", Milstein{DerivativeFree: true}}, {"Heun", Heun{}}} {
		for _, d := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/d=%d", c.name, d), func(b *testing.B) {
				sys := &System{
					Dim: d,
					Drift: func(dst []float64, _ float64, x []float64) {
						for i, v := range x {
							dst[i] = -v
						}
					},
					Diffusion: func(dst []float64, _ float64, x []float64) {
						for i, v := range x {
							dst[i] = 0.1 + 0.05*v
						}
					},
				}
				st, err := c.m.NewStepper(sys)
				if err != nil {
					b.Fatal(err)
				}
				inc := NewIncrements(rand.NewPCG(1, 1), d)
				x, dw := make([]float64, d), make([]float64, d)
				cpu0 := cpuTime()
				for b.Loop() {
					inc.Increment(dw, nil, 0, 1e-3)
					st.Step(x, 0, 1e-3, x, dw, nil)
				}
				reportCPU(b, cpu0, 1)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(d), "ns/component")
			})
		}
	}
}

// BenchmarkSolveDiag100: a full Solve of a diagonal system with d = 100,
// 1000 steps (allocations are per solve, not per step).
func BenchmarkSolveDiag100(b *testing.B) {
	const d = 100
	sys := &System{
		Dim: d,
		Drift: func(dst []float64, _ float64, x []float64) {
			for i, v := range x {
				dst[i] = -v
			}
		},
		Diffusion: func(dst []float64, _ float64, x []float64) {
			for i, v := range x {
				dst[i] = 0.1 + 0.05*v
			}
		},
	}
	x0 := make([]float64, d)
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := Solve(sys, EulerMaruyama{}, x0, []float64{0, 1}, &Settings{Step: 1e-3}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, 1000)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/step")
}

// BenchmarkBrownianTree: a query at a uniformly random time (cold path
// through ≈ depth levels) and sequential increments on a grid (cached
// descent), tol = 1e-6 on [0, 1] (depth 20).
func BenchmarkBrownianTree(b *testing.B) {
	for _, m := range []int{1, 10} {
		b.Run(fmt.Sprintf("random/m=%d", m), func(b *testing.B) {
			tr, _ := NewBrownianTree(1, m, 0, 1, 1e-6)
			r := rand.New(rand.NewPCG(1, 1))
			v := make([]float64, m)
			cpu0 := cpuTime()
			for b.Loop() {
				tr.At(v, r.Float64())
			}
			reportCPU(b, cpu0, 1)
		})
		b.Run(fmt.Sprintf("sequential/m=%d", m), func(b *testing.B) {
			tr, _ := NewBrownianTree(1, m, 0, 1, 1e-6)
			v := make([]float64, m)
			i := 0
			cpu0 := cpuTime()
			for b.Loop() {
				tr.Increment(v, nil, float64(i)*1e-3, float64(i+1)*1e-3)
				i = (i + 1) % 1000
			}
			reportCPU(b, cpu0, 1)
		})
	}
}

// BenchmarkParticles: one Euler–Maruyama step of N mean-field particles
// (drift −(x_i − mean)), per-particle noise streams; O(N) per step.
func BenchmarkParticles(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			sys, err := t5Particles(n).System()
			if err != nil {
				b.Fatal(err)
			}
			st, err := EulerMaruyama{}.NewStepper(sys)
			if err != nil {
				b.Fatal(err)
			}
			inc := NewParticleIncrements(1, n, 1)
			x, dw := make([]float64, n), make([]float64, n)
			cpu0 := cpuTime()
			for b.Loop() {
				inc.Increment(dw, nil, 0, 1e-2)
				st.Step(x, 0, 1e-2, x, dw, nil)
			}
			reportCPU(b, cpu0, 1)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/particle-step")
		})
	}
}

// BenchmarkGeneralNoiseStep: one step of MilsteinGeneral and SRIGeneral on
// the non-commuting 2-D problem with fresh increments and Lévy areas
// (Increments.IncrementArea at h = 1e-2), the area draw alone, and the
// same step driven by a PathLevy BrownianPath extended step by step.
// 0 allocs/op for the steppers and the area draw.
func BenchmarkGeneralNoiseStep(b *testing.B) {
	p := nonCommuting()
	const h = 1e-2
	b.Run("areas", func(b *testing.B) {
		inc := NewIncrements(rand.NewPCG(1, 1), 2)
		dw, a := make([]float64, 2), make([]float64, 1)
		cpu0 := cpuTime()
		for b.Loop() {
			inc.IncrementArea(dw, a, 0, h)
		}
		reportCPU(b, cpu0, 1)
	})
	for _, m := range []Method{MilsteinGeneral{}, SRIGeneral{}} {
		b.Run(m.Name(), func(b *testing.B) {
			st, err := m.NewStepper(p.Sys)
			if err != nil {
				b.Fatal(err)
			}
			as := st.(areaStepper)
			inc := NewIncrements(rand.NewPCG(1, 1), 2)
			x, dw, a := append([]float64(nil), p.X0...), make([]float64, 2), make([]float64, 1)
			cpu0 := cpuTime()
			for b.Loop() {
				inc.IncrementArea(dw, a, 0, h)
				as.StepArea(x, 0, h, x, dw, a)
				if math.Abs(x[0]) > 1e6 {
					copy(x, p.X0)
				}
			}
			reportCPU(b, cpu0, 1)
		})
	}
	b.Run("MilsteinGeneral/PathLevy", func(b *testing.B) {
		st, _ := MilsteinGeneral{}.NewStepper(p.Sys)
		as := st.(areaStepper)
		path, _ := NewBrownianPathArea(rand.NewPCG(1, 1), 2, 0, PathLevy)
		x, dw, a := append([]float64(nil), p.X0...), make([]float64, 2), make([]float64, 1)
		t := 0.0
		cpu0 := cpuTime()
		for b.Loop() {
			path.IncrementArea(dw, a, t, t+h)
			as.StepArea(x, t, h, x, dw, a)
			t += h
			if path.Len() > 1000 {
				path.Forget(t)
			}
			if math.Abs(x[0]) > 1e6 {
				copy(x, p.X0)
			}
		}
		reportCPU(b, cpu0, 1)
	})
}
