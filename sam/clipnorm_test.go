package sam

import (
	"math"
	"strings"
	"testing"
)

// TestUpdaterClipNorm: ClipNorm = c replaces the whole gradient g by g·min(1, c/‖g‖). For
// g = (3, 4) (‖g‖ = 5) and c = 1 the clipped gradient is (0.6, 0.8), so one plain SGD step
// of LR 0.1 from 0 lands at (−0.06, −0.08). With momentum, weight decay and Adam the clipped
// updater must match the unclipped one fed the gradient clipped by hand, over steps whose
// norms fall above (5, 2.5) and below (0.5) the threshold; weight decay is not clipped.
func TestUpdaterClipNorm(t *testing.T) {
	s := &SGD{LR: 0.1, ClipNorm: 1}
	w := []float64{0, 0}
	s.Update(w, []float64{3, 4})
	// Three roundings (c/‖g‖, g·f, LR·g) of relative size 2⁻⁵³ each on values ≤ 0.08: 4e-17.
	if math.Abs(w[0]+0.06) > 4e-17 || math.Abs(w[1]+0.08) > 4e-17 {
		t.Errorf("SGD ClipNorm 1 on (3, 4): w = %v, want (−0.06, −0.08)", w)
	}

	grads := [][]float64{{3, 4}, {-1.5, 2}, {0.3, -0.4}}
	byHand := func(g []float64, c float64) []float64 {
		n := math.Hypot(g[0], g[1])
		f := math.Min(1, c/n)
		return []float64{g[0] * f, g[1] * f}
	}
	for _, c := range []struct {
		name            string
		clipped, manual Updater
	}{
		{"SGD momentum + weight decay", &SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 0.1, ClipNorm: 1}, &SGD{LR: 0.05, Momentum: 0.9, WeightDecay: 0.1}},
		{"SGD Nesterov", &SGD{LR: 0.05, Momentum: 0.9, Nesterov: true, ClipNorm: 1}, &SGD{LR: 0.05, Momentum: 0.9, Nesterov: true}},
		{"Adam + weight decay", &Adam{LR: 0.01, WeightDecay: 0.1, ClipNorm: 1}, &Adam{LR: 0.01, WeightDecay: 0.1}},
	} {
		a, b := []float64{0.5, -1}, []float64{0.5, -1}
		for _, g := range grads {
			c.clipped.Update(a, g)
			c.manual.Update(b, byHand(g, 1))
		}
		// The two compute g·f + λw from the same f in the same order, up to the rounding of
		// the clipped gradient, so they agree to a few ulps.
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-15*math.Max(1, math.Abs(b[i])) {
				t.Errorf("%s: w[%d] = %v with ClipNorm, %v with the gradient clipped by hand", c.name, i, a[i], b[i])
			}
		}
	}

	// Through Step, and ClipNorm = 0 leaves the step unchanged bit for bit.
	q := &quad{a: []float64{30, 40}} // gradient at w = (0.1, 0.1) is (3, 4)
	w1, w2 := []float64{0.1, 0.1}, []float64{0.1, 0.1}
	if _, err := (&SGD{LR: 0.1, ClipNorm: 1}).Step(w1, q, []int{0}); err != nil {
		t.Fatal(err)
	}
	if math.Abs(w1[0]-0.04) > 1e-16 || math.Abs(w1[1]-0.02) > 1e-16 {
		t.Errorf("SGD.Step with ClipNorm 1: w = %v, want (0.04, 0.02)", w1)
	}
	(&SGD{LR: 0.1}).Step(w2, q, []int{0})
	w3 := []float64{0.1, 0.1}
	(&SGD{LR: 0.1, ClipNorm: 0}).Step(w3, q, []int{0})
	if w2[0] != w3[0] || w2[1] != w3[1] {
		t.Errorf("ClipNorm 0 changed the step")
	}

	for _, u := range []interface{ Validate() error }{&SGD{ClipNorm: -1}, &Adam{ClipNorm: math.NaN()}} {
		if err := u.Validate(); err == nil || !strings.Contains(err.Error(), "ClipNorm") {
			t.Errorf("%T: error %v, want one naming ClipNorm", u, err)
		}
	}
}
