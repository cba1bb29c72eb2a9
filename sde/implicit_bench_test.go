package sde

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkImplicitStep: one step of the implicit methods and Weak2 (with
// fresh increments) on a stiff diagonal system of size d,
// f_i = −100 x_i + 0.1 x_{i+1}², g_i = 0.1 x_i, with the analytic Jacobian
// (jac) or forward differences (fd). 0 allocs/op.
func BenchmarkImplicitStep(b *testing.B) {
	for _, d := range []int{1, 10} {
		sys := &System{
			Dim: d,
			Drift: func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = -100 * v
					if i+1 < len(x) {
						dst[i] += 0.1 * x[i+1] * x[i+1]
					}
				}
			},
			Diffusion: func(dst []float64, _ float64, x []float64) {
				for i, v := range x {
					dst[i] = 0.1 * v
				}
			},
		}
		jac := func(j []float64, _ float64, x []float64) {
			clear(j)
			for i := range x {
				j[i*d+i] = -100
				if i+1 < d {
					j[i*d+i+1] = 0.2 * x[i+1]
				}
			}
		}
		for _, c := range []struct {
			name string
			m    Method
			jac  bool
		}{
			{"ImplicitEuler/jac", ImplicitEuler{}, true},
			{"ImplicitEuler/fd", ImplicitEuler{}, false},
			{"ImplicitMilsteinDF/jac", ImplicitMilstein{DerivativeFree: true}, true},
			{"Weak2", Weak2{}, false},
			{"EM", EulerMaruyama{}, false},
		} {
			if c.name == "Weak2" && d > 1 {
				continue
			}
			b.Run(fmt.Sprintf("%s/d=%d", c.name, d), func(b *testing.B) {
				s := *sys
				if c.jac {
					s.DriftJacobian = jac
				}
				st, err := c.m.NewStepper(&s)
				if err != nil {
					b.Fatal(err)
				}
				inc := NewIncrements(rand.NewPCG(1, 1), d)
				x, dw := make([]float64, d), make([]float64, d)
				for i := range x {
					x[i] = 1
				}
				cpu0 := cpuTime()
				for b.Loop() {
					inc.Increment(dw, nil, 0, 0.05)
					st.Step(x, 0, 0.05, x, dw, nil)
					if x[0] == 0 {
						x[0] = 1
					}
				}
				reportCPU(b, cpu0, 1)
			})
		}
	}
}
