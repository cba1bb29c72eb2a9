package sde

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sdeml/sdeml/internal/parallel"
)

// TestImplicitConsistentRootDeterministic: for dX = −10(1 − X²) dt from
// X₀ = ½, a θ = 1 step solves 10h y² − y − (10h − x) = 0, whose roots are
// (1 ± √(1 + 40h(10h − x)))/(20h). The consistent root (the one that tends
// to x as h → 0) takes the minus sign; the plus root has
// 1 − h f'(y) = 1 − 20hy < 0. At h = ¼ the first step is (1 − √21)/5. The
// solve must follow the minus-sign recursion (to rounding: 1e-12), not land
// on (1 + √21)/5 = 1.1165 as an undamped Newton from X₀ did.
func TestImplicitConsistentRootDeterministic(t *testing.T) {
	sys := &System{Dim: 1, Noise: Additive,
		Drift:     func(d []float64, _ float64, x []float64) { d[0] = -10 * (1 - x[0]*x[0]) },
		Diffusion: func(d []float64, _ float64, _ []float64) { d[0] = 0 }}
	for _, h := range []float64{0.25, 0.125, 0.0625} {
		n := int(math.Round(1 / h))
		ts := make([]float64, n+1)
		for k := range ts {
			ts[k] = float64(k) * h
		}
		for _, m := range []Method{ImplicitEuler{}, ImplicitMilstein{}} {
			sol, err := Solve(sys, m, []float64{0.5}, ts, &Settings{Step: h})
			if err != nil {
				t.Fatalf("%s h = %v: %v", m.Name(), h, err)
			}
			x := 0.5
			for k := 1; k <= n; k++ {
				x = (1 - math.Sqrt(1+40*h*(10*h-x))) / (20 * h)
				if got := sol.X.At(k, 0); math.Abs(got-x) > 1e-12 {
					t.Errorf("%s h = %v: X(%v) = %v, want the consistent root %v", m.Name(), h, ts[k], got, x)
				}
			}
		}
	}
	// The value the issue names.
	sol, _ := Solve(sys, ImplicitEuler{}, []float64{0.5}, []float64{0, 0.25, 1}, &Settings{Step: 0.25})
	if want := (1 - math.Sqrt(21)) / 5; math.Abs(sol.X.At(1, 0)-want) > 1e-12 {
		t.Errorf("X(0.25) = %v, want (1 − √21)/5 = %v", sol.X.At(1, 0), want)
	}
}

// recordingBM records the increments it hands out.
type recordingBM struct {
	Brownian
	dw []float64
}

func (r *recordingBM) Increment(dw, u []float64, t0, t1 float64) {
	r.Brownian.Increment(dw, u, t0, t1)
	r.dw = append(r.dw, dw[0])
}

// refConsistentRoot is an independent computation of the consistent root
// of F(y) = y − th·f(y) − c in one dimension, by scanning instead of
// Newton. On the branch y(λ) of y − λ·th·f(y) = c (λ: 0 → 1, y(0) = c) the
// point moves away from c in the direction of f(c), and λ is read off
// φ(y) = F(y)/(c − y) = (1 − λ)/λ, which must fall from +∞ to 0. So the
// branch reaches λ = 1 at the first root of F in that direction iff φ
// decreases on the way there; if φ rises first, the branch folds and there
// is no consistent root. The scan uses steps of 1e-4 and bisects the root.
func refConsistentRoot(f func(float64) float64, th, c float64) (float64, bool) {
	fc := f(c)
	if fc == 0 {
		return c, true // a fixed point; not met with continuous noise
	}
	dir := math.Copysign(1, fc)
	F := func(y float64) float64 { return y - th*f(y) - c }
	const step = 1e-4
	phi := math.Inf(1)
	prev := c
	for k := 1; k < 1e6; k++ {
		y := c + dir*float64(k)*step
		v := F(y)
		if v*dir >= 0 { // F changed sign (F(c) = −th·f(c) has the sign of −dir)
			lo, hi := prev, y
			for range 200 {
				mid := 0.5 * (lo + hi)
				if F(mid)*dir >= 0 {
					hi = mid
				} else {
					lo = mid
				}
			}
			return 0.5 * (lo + hi), true
		}
		p := v / (c - y)
		if p > phi {
			return y, false // φ rises: the branch folds before λ = 1
		}
		phi, prev = p, y
	}
	return math.NaN(), false
}

// TestImplicitConsistentRootNoisy: dX = −(a + b²X)(1 − X²) dt + b(1 − X²) dW
// from X₀ = ½, whose exact solution stays in (−1, 1) and, for a = 20, is
// near −1 at T = 1. With θ = 1 the stage is y − h f(y) = c with c = X_n +
// g ΔW (+ ½ g g'(ΔW² − h) for Milstein). Each path is replayed with its own
// increments and refConsistentRoot: the solve must agree with it at every
// step (1e-8: the reference's bisection is exact to rounding, the solve's
// Newton to Tol² ≈ 1e-20, and 16 steps contract the difference), or stop
// with a "no consistent root" error at the step where the reference finds
// the branch folding. No path may fail with Newton's non-convergence: that
// was 37–44 of 200 seeds at a = b = 1, h = ¼ before, and for a = 20 every
// path ended near +1, on roots with 1 − h f'(y) < 0.
func TestImplicitConsistentRootNoisy(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 50
	}
	for _, c := range []struct {
		a, b, h float64
	}{{20, 1, 0.25}, {20, 1, 0.0625}, {1, 1, 0.25}, {1, 1, 0.0625}} {
		a, b, h := c.a, c.b, c.h
		f := func(x float64) float64 { return -(a + b*b*x) * (1 - x*x) }
		sys := &System{Dim: 1, Noise: Diagonal,
			Drift:          func(d []float64, _ float64, x []float64) { d[0] = f(x[0]) },
			Diffusion:      func(d []float64, _ float64, x []float64) { d[0] = b * (1 - x[0]*x[0]) },
			DiffusionDeriv: func(d []float64, _ float64, x []float64) { d[0] = b * (1 - x[0]*x[0]) * (-2 * b * x[0]) },
		}
		n := int(math.Round(1 / h))
		ts := make([]float64, n+1)
		for k := range ts {
			ts[k] = float64(k) * h
		}
		for _, m := range []Method{ImplicitEuler{}, ImplicitMilstein{}} {
			_, milstein := m.(ImplicitMilstein)
			stopped, negative := 0, 0
			for seed := range uint64(seeds) {
				bm := &recordingBM{Brownian: NewIncrements(parallel.Stream(seed, 0), 1)}
				sol, err := Solve(sys, m, []float64{0.5}, ts, &Settings{Step: h, Brownian: bm})
				x := 0.5
				for k := 1; k <= n; k++ {
					dw := bm.dw[k-1]
					g := b * (1 - x*x)
					cc := x + g*dw
					if milstein {
						cc += 0.5 * g * (-2 * b * x) * (dw*dw - h)
					}
					y, ok := refConsistentRoot(f, h, cc)
					if !ok {
						want := fmt.Sprintf("no consistent root of the implicit stage in the step from t = %v to %v (h = %v)", ts[k-1], ts[k], h)
						if err == nil || !strings.Contains(err.Error(), want) {
							t.Fatalf("a = %v, h = %v, %s, seed %d: error %v, want one containing %q", a, h, m.Name(), seed, err, want)
						}
						stopped++
						break
					}
					if err != nil && k == n {
						t.Fatalf("a = %v, h = %v, %s, seed %d: error %v; the reference has a consistent root at every step", a, h, m.Name(), seed, err)
					}
					if got := sol.X.At(k, 0); !(math.Abs(got-y) <= 1e-8) {
						t.Fatalf("a = %v, h = %v, %s, seed %d: X(%v) = %v, want the consistent root %v (err %v)", a, h, m.Name(), seed, ts[k], got, y, err)
					}
					x = y
					if k == n && x < 0 {
						negative++
					}
				}
			}
			t.Logf("a = %v, b = %v, h = %v, %s: %d of %d paths stop at a step without a consistent root; %d end below 0", a, b, h, m.Name(), stopped, seeds, negative)
			if a == 20 && negative != seeds-stopped {
				t.Errorf("a = 20, h = %v, %s: %d of %d completed paths end below 0, want all (the exact X_1 is near −1)", h, m.Name(), negative, seeds-stopped)
			}
		}
	}
}
