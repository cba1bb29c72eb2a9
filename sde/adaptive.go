package sde

import (
	"fmt"
	"math"
)

// adaptive holds the buffers and controller state of step doubling.
type adaptive struct {
	rtol, atol, minStep float64
	yFull, yHalf        []float64
	wa, wm, wb          []float64
	prevRatio           float64
}

func newAdaptive(sys *System, m Method, set *Settings, span float64) (*adaptive, error) {
	ad := &adaptive{rtol: set.RTol, atol: set.ATol, minStep: set.MinStep}
	for _, v := range []struct {
		name string
		p    *float64
		def  float64
	}{{"RTol", &ad.rtol, 1e-3}, {"ATol", &ad.atol, 1e-6}, {"MinStep", &ad.minStep, 1e-12 * span}} {
		if math.IsNaN(*v.p) || *v.p < 0 || math.IsInf(*v.p, 0) {
			return nil, fmt.Errorf("sde: Settings.%s = %v, want ≥ 0 and finite", v.name, *v.p)
		}
		if *v.p == 0 {
			*v.p = v.def
		}
	}
	d, mdim := sys.Dim, sys.M()
	ad.yFull, ad.yHalf = padded(d), padded(d)
	ad.wa, ad.wm, ad.wb = padded(mdim), padded(mdim), padded(mdim)
	return ad, nil
}

// errNorm is the RMS of (yFull − yHalf)/(atol + rtol·max(|yFull|, |yHalf|)),
// floored at 1e-7 (torchsde adaptive_stepping.py).
func (ad *adaptive) errNorm() float64 {
	var s float64
	for i, a := range ad.yFull {
		b := ad.yHalf[i]
		e := (a - b) / (ad.atol + ad.rtol*math.Max(math.Abs(a), math.Abs(b)))
		s += e * e
	}
	e := math.Sqrt(s / float64(len(ad.yFull)))
	if !(e >= 1e-7) { // also catches NaN
		if math.IsNaN(e) {
			return e
		}
		e = 1e-7
	}
	return e
}

// factor is the PI step-size update of torchsde: with r = 0.9/err,
// r^{1/4.5}(r/r_prev)^{0.13} clipped to [1, 1.4] on acceptance and
// r^{1/1.5} clipped to [0.2, 1.4] on rejection.
func (ad *adaptive) factor(err float64) float64 {
	r := 0.9 / err
	if ad.prevRatio == 0 {
		ad.prevRatio = r
	}
	if err > 1 {
		return math.Min(1.4, math.Max(0.2, math.Pow(r, 1/1.5)))
	}
	f := math.Pow(r, 1/4.5) * math.Pow(r/ad.prevRatio, 0.13)
	ad.prevRatio = r
	return math.Min(1.4, math.Max(1, f))
}

// newTree returns the default Brownian motion of an adaptive solve: the
// BrownianTree of seed on [ts[0], ts[last]] with resolution MinStep, below
// which no accepted step goes. Its values depend only on (seed, t), not on
// the order of queries, so every tolerance sees the same path.
// With a single output time no step is taken and a BrownianTree cannot be
// built on an empty interval, so it returns a tree on [ts[0], ts[0]+1].
func (ad *adaptive) newTree(seed uint64, m int, ts []float64) *BrownianTree {
	t0, t1, tol := ts[0], ts[len(ts)-1], ad.minStep
	if t1 == t0 {
		t1, tol = t0+1, 1
	}
	b, err := NewBrownianTree(seed, m, t0, t1, tol)
	if err != nil {
		panic(err) // unreachable: m > 0, ts validated, minStep > 0
	}
	return b
}

// stepOn takes one step from x at t0 to t1 into dst with the increment and
// the Lévy areas the method needs, queried from the Brownian over [t0, t1]
// (a path that stores areas refines them consistently).
func (sv *solver) stepOn(dst, x []float64, t0, t1 float64) {
	if sv.a != nil {
		sv.abm.IncrementArea(sv.dw, sv.a, t0, t1)
		sv.ast.StepArea(dst, t0, t1-t0, x, sv.dw, sv.a)
		return
	}
	sv.bm.Increment(sv.dw, sv.u, t0, t1)
	sv.st.Step(dst, t0, t1-t0, x, sv.dw, sv.u)
}

// runAdaptive is the step-doubling loop of run.
func (sv *solver) runAdaptive(ts []float64, out func(k int, x []float64)) error {
	ad, p, x, dw := sv.ad, sv.path, sv.x, sv.dw
	ad.prevRatio = 0
	t, h := ts[0], sv.h
	p.At(ad.wa, t) // W(t), carried from step to step (a Path's W(t) is fixed)
	for k := 1; k < len(ts); k++ {
		end := ts[k]
		for t < end {
			if sv.steps+sv.rejected >= sv.maxSteps {
				return fmt.Errorf("sde: Settings.MaxSteps = %d reached at t = %v before ts[%d] = %v", sv.maxSteps, t, k, end)
			}
			hh, t1 := h, t+h
			if t1 >= end {
				hh, t1 = end-t, end
			}
			tm := t + 0.5*hh
			if sv.a != nil || sv.u != nil {
				sv.stepOn(ad.yFull, x, t, t1)
				sv.stepOn(ad.yHalf, x, t, tm)
				sv.stepOn(ad.yHalf, ad.yHalf, tm, t1)
			} else {
				p.At(ad.wm, tm)
				p.At(ad.wb, t1)
				for i := range dw {
					dw[i] = ad.wb[i] - ad.wa[i]
				}
				sv.st.Step(ad.yFull, t, hh, x, dw, nil)
				for i := range dw {
					dw[i] = ad.wm[i] - ad.wa[i]
				}
				sv.st.Step(ad.yHalf, t, tm-t, x, dw, nil)
				for i := range dw {
					dw[i] = ad.wb[i] - ad.wm[i]
				}
				sv.st.Step(ad.yHalf, tm, t1-tm, ad.yHalf, dw, nil)
			}
			e := ad.errNorm()
			if math.IsNaN(e) || !finite(ad.yHalf) {
				if err := stageError(sv.st); err != nil {
					return fmt.Errorf("%w (step %d)", err, sv.steps+1)
				}
				return fmt.Errorf("sde: non-finite state at t = %v (step %d)", t1, sv.steps+1)
			}
			if e <= 1 || hh <= ad.minStep {
				copy(x, ad.yHalf)
				if sv.set.Domain != nil {
					sv.set.Domain.Project(x)
				}
				sv.steps++
				t = t1
				copy(ad.wa, ad.wb)
			} else {
				sv.rejected++
			}
			h = math.Max(hh*ad.factor(e), ad.minStep)
		}
		out(k, x)
	}
	return nil
}
