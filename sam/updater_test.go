package sam

import (
	"math"
	"testing"
)

// With a constant gradient g the heavy-ball velocity is v_t = g(1−μ^t)/(1−μ), so after T
// steps w_T = w_0 − lr·g·Σ_{t=1..T}(1−μ^t)/(1−μ); Nesterov adds μ v_t to each step.
func TestSGDConstantGradient(t *testing.T) {
	const lr, mu, T = 0.1, 0.9, 25
	g := []float64{1, -2, 0.5}
	for _, nest := range []bool{false, true} {
		s := &SGD{LR: lr, Momentum: mu, Nesterov: nest}
		w := make([]float64, 3)
		for range T {
			s.Update(w, g)
		}
		var sum float64
		for k := 1; k <= T; k++ {
			vk := (1 - math.Pow(mu, float64(k))) / (1 - mu)
			if nest {
				sum += 1 + mu*vk
			} else {
				sum += vk
			}
		}
		for i := range w {
			want := -lr * g[i] * sum
			// 25 steps of O(1) rounding each on values of size ~1e1: 1e-12 relative is generous.
			if math.Abs(w[i]-want) > 1e-12*math.Abs(want) {
				t.Errorf("nesterov=%v w[%d] = %v, want %v", nest, i, w[i], want)
			}
		}
	}
}

// Coupled L2 with a zero loss gradient gives w_T = w_0(1 − lr λ)^T (no momentum);
// decoupled decay gives the same factor per step.
func TestSGDWeightDecay(t *testing.T) {
	const lr, lam, T = 0.1, 0.5, 10
	for _, dec := range []bool{false, true} {
		s := &SGD{LR: lr}
		if dec {
			s.DecoupledWD = lam
		} else {
			s.WeightDecay = lam
		}
		w := []float64{2, -1}
		for range T {
			s.Update(w, []float64{0, 0})
		}
		f := math.Pow(1-lr*lam, T)
		for i, w0 := range []float64{2, -1} {
			// 10 multiplications: 1e-14 relative bounds their rounding.
			if math.Abs(w[i]-w0*f) > 1e-14 {
				t.Errorf("decoupled=%v w[%d] = %v, want %v", dec, i, w[i], w0*f)
			}
		}
	}
}

// With a constant gradient Adam's bias-corrected moments are exactly m̂ = g, v̂ = g², so
// every step moves each coordinate by −lr·g/(|g|+eps).
func TestAdamConstantGradient(t *testing.T) {
	const lr, T = 0.01, 30
	g := []float64{3, -0.2, 1e-3}
	a := &Adam{LR: lr}
	w := make([]float64, 3)
	for range T {
		a.Update(w, g)
	}
	for i, gi := range g {
		want := -T * lr * gi / (math.Abs(gi) + 1e-8)
		// The bias corrections 1−β^t are inexact in floating point (rel. 1e-16 each);
		// 30 steps: 1e-12 relative.
		if math.Abs(w[i]-want) > 1e-12*math.Abs(want) {
			t.Errorf("w[%d] = %v, want %v", i, w[i], want)
		}
	}
}

// AdamW: with a zero gradient Adam's step is 0/(0+eps) = 0 and only the decoupled decay acts.
func TestAdamWDecay(t *testing.T) {
	a := &Adam{LR: 0.1, DecoupledWD: 0.2}
	w := []float64{1, -3}
	for range 5 {
		a.Update(w, []float64{0, 0})
	}
	f := math.Pow(1-0.1*0.2, 5)
	for i, w0 := range []float64{1, -3} {
		if math.Abs(w[i]-w0*f) > 1e-14 { // 5 roundings of O(1) values
			t.Errorf("w[%d] = %v, want %v", i, w[i], w0*f)
		}
	}
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		s    Schedule
		t    int
		want float64
	}{
		{nil, 7, 1},
		{Constant{}, 3, 1},
		{StepDecay{Every: 10, Gamma: 0.5}, 25, 0.25},
		{Cosine{Total: 100}, 0, 1},
		{Cosine{Total: 100}, 50, 0.5},
		{Cosine{Total: 100, Floor: 0.1}, 100, 0.1},
		{Cosine{Total: 100, Floor: 0.1}, 1000, 0.1},
		{Warmup{Steps: 4}, 0, 0.25},
		{Warmup{Steps: 4}, 3, 1},
		{Warmup{Steps: 4, Then: Cosine{Total: 10}}, 9, 0.5},
	}
	for _, c := range cases {
		// closed-form values; cos(π/2) rounds to 6e-17.
		if got := factor(c.s, c.t); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%#v.Factor(%d) = %v, want %v", c.s, c.t, got, c.want)
		}
	}
	// The schedule drives the step size: plain SGD with a step schedule.
	s := &SGD{LR: 1, Schedule: StepDecay{Every: 1, Gamma: 0.5}}
	w := []float64{0}
	for range 3 {
		s.Update(w, []float64{1})
	}
	if w[0] != -1.75 { // 1 + 0.5 + 0.25, exact in binary
		t.Errorf("scheduled SGD w = %v, want -1.75", w[0])
	}
}

func TestUpdaterValidate(t *testing.T) {
	bad := []validator{
		&SGD{LR: -1}, &SGD{Momentum: 1}, &SGD{WeightDecay: math.NaN()}, &SGD{Nesterov: true},
		&Adam{Beta1: 1}, &Adam{Beta2: -0.1}, &Adam{LR: math.Inf(1)}, &Adam{DecoupledWD: -1},
	}
	for _, v := range bad {
		if err := v.Validate(); err == nil {
			t.Errorf("%#v: no error", v)
		}
	}
	for _, v := range []validator{&SGD{}, &Adam{}, &SGD{Momentum: 0.9, Nesterov: true}} {
		if err := v.Validate(); err != nil {
			t.Errorf("%#v: %v", v, err)
		}
	}
}

// firstNonFinite finds the first NaN/±Inf anywhere, including past the first block and in
// the odd tail, and reports -1 for finite data (including huge values whose ·0 is 0).
func TestFirstNonFinite(t *testing.T) {
	x := make([]float64, 3001)
	for i := range x {
		x[i] = math.MaxFloat64 * float64(1-2*(i%2))
	}
	if i := firstNonFinite(x); i != -1 {
		t.Errorf("finite data: got %d", i)
	}
	for _, c := range []struct {
		at int
		v  float64
	}{{0, math.NaN()}, {1500, math.Inf(1)}, {3000, math.Inf(-1)}, {1023, math.NaN()}} {
		y := append([]float64(nil), x...)
		y[c.at] = c.v
		if i := firstNonFinite(y); i != c.at {
			t.Errorf("%v at %d: got %d", c.v, c.at, i)
		}
	}
}
