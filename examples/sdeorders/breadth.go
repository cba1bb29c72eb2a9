package main

import (
	"fmt"
	"log"

	"github.com/sdeml/sdeml/sde"
	"github.com/sdeml/sdeml/sgn"
)

// breadthStudy reports the methods beyond Brownian-driven diagonal noise:
// MilsteinGeneral's and SRIGeneral's strong order on non-commuting noise
// (with Lévy areas), S-ROCK's mean-square stability interval (ours and with
// the published damping), and the α-stable round trip
// through sgn.TailIndex.
func breadthStudy(paths int, seed uint64) {
	// Non-commuting 2-D problem: L¹g_·2 = (0, 0.3) ≠ L²g_·1 = (0, 0.12 x1).
	p := &sde.Problem{Name: "noncommuting2D", X0: []float64{1, 0.5}, T: 1, Sys: &sde.System{Dim: 2, NoiseDim: 2, Noise: sde.General,
		Drift: func(dst []float64, _ float64, x []float64) {
			dst[0] = 0.1*x[1] - 0.5*x[0]
			dst[1] = -0.5 * x[1]
		},
		Diffusion: func(dst []float64, _ float64, x []float64) {
			dst[0], dst[1] = 0.5, 0
			dst[2], dst[3] = 0.2*x[1], 0.6*x[0]
		}}}
	fmt.Printf("\ngeneral (non-commuting) noise, %d paths, reference MilsteinGeneral on 2048 steps of the same path and areas:\n", paths)
	for _, m := range []sde.Method{sde.MilsteinGeneral{}, sde.SRIGeneral{}, sde.EulerMaruyama{}} {
		r, err := sde.ConvergenceStudy(p, m, &sde.ConvergenceSettings{Steps: []int{16, 32, 64, 128}, FineSteps: 2048, Paths: paths, Seed: seed, Reference: sde.MilsteinGeneral{}})
		if err != nil {
			log.Fatal(err)
		}
		th, _ := m.Order(sde.General)
		fmt.Printf("%-24s %-20s %8.3f %8.1f\n", p.Name, m.Name(), r.StrongOrder, th)
	}

	fmt.Printf("\nS-ROCK mean-square stability on dX = λX dt + μX dW along q = −p (p = λh, q = μ²h):\n")
	fmt.Printf("%6s %8s %10s %8s\n", "stages", "η", "L", "L/s²")
	for _, s := range []int{2, 5, 10, 20, 50, 100, 200} {
		m := sde.SROCK{}
		top := 2 * float64(s*s)
		l := top
		for k := 1; k <= 4000; k++ {
			q := top * float64(k) / 4000
			if m.MSAmplification(s, -q, q) >= 1 {
				l = q
				break
			}
		}
		fmt.Printf("%6d %8.2f %10.1f %8.3f\n", s, sde.SROCKEta(s), l, l/float64(s*s))
	}
	fmt.Printf("(Euler–Maruyama: L = 1)\n")
	fmt.Printf("\nS-ROCK with the published damping, along the exact region's boundary q = −2p, against the published L:\n")
	fmt.Printf("%6s %8s %10s %10s\n", "stages", "η", "L", "published")
	for _, c := range []struct{ s, eta, l float64 }{{3, 3.7, 7}, {10, 5.9, 58.9}, {50, 10.8, 1074}, {100, 13.5, 3840}, {150, 15.8, 7938}, {200, 17, 13584}} {
		s, m := int(c.s), sde.SROCK{Eta: c.eta}
		p := 0.0
		for m.MSAmplification(s, p-0.125, -2*(p-0.125)) < 1 && p > -3*c.s*c.s {
			p -= 0.125
		}
		fmt.Printf("%6d %8.1f %10.1f %10.1f\n", s, c.eta, -p, c.l)
	}

	fmt.Printf("\nα-stable round trip: dX = −0.1X dt + 0.5 dL^α, h = 1e-3, 1e5 Euler steps, α̂ = sgn.TailIndex of the increments:\n")
	n := 100000
	ts := make([]float64, n+1)
	for i := range ts {
		ts[i] = float64(i) * 1e-3
	}
	sys := &sde.System{Dim: 1, Noise: sde.Additive,
		Drift:     func(dst []float64, _ float64, x []float64) { dst[0] = -0.1 * x[0] },
		Diffusion: func(dst []float64, _ float64, _ []float64) { dst[0] = 0.5 }}
	for _, a := range []float64{1.2, 1.5, 1.8} {
		sol, err := sde.Solve(sys, sde.EulerMaruyama{}, []float64{0}, ts, &sde.Settings{Step: 1e-3, Seed: seed, Driver: sde.Stable{Alpha: a}})
		if err != nil {
			log.Fatal(err)
		}
		dx := make([]float64, n)
		for i := range dx {
			dx[i] = sol.X.At(i+1, 0) - sol.X.At(i, 0)
		}
		est, err := sgn.TailIndex(dx, 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("α = %.1f: α̂ = %.3f\n", a, est)
	}
}
