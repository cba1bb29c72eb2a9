package sam

import (
	"math"
	"strings"
	"testing"
)

// The trust ratio bounds the variance-drift part of the step: with δ = d_ref − g_B from
// the uncapped definition (virtualReference), the step is g_B + min(1, τ‖g_B‖/‖δ‖)·δ, so
// ‖d − g_B‖ <= τ‖g_B‖ and, for τ < 1, ⟨d, g_B⟩ >= (1 − τ)‖g_B‖² > 0: the step stays a
// descent direction of the batch loss. A τ above the ratio leaves the step uncapped.
func TestVirtualMicroDriftTrust(t *testing.T) {
	dn, w := smallTask(61, 16, 5)
	batch := seq(16)
	s := []float64{1, -1, -1, 1, 1, -1, 1, -1}
	gB := make([]float64, len(w))
	dn.LossGrad(gB, w, batch)
	want := virtualReference(dn, w, batch, 2, s, 0.5, Normalized)
	delta := make([]float64, len(w))
	for i := range delta {
		delta[i] = want[i] - gB[i]
	}
	ratio := norm(delta) / norm(gB)
	if ratio < 0.2 {
		t.Fatalf("test problem: ‖δ‖/‖g_B‖ = %v, too small for the cap to bind", ratio)
	}
	for _, tau := range []float64{0.1, 0.5 * ratio, 2 * ratio, math.Inf(1)} {
		rec := &recorder{}
		opt := &RWSAM{Base: rec, Rho: 0.5, EquivM: 2, DriftTrust: tau, forceSigns: s}
		if _, err := opt.Step(w, dn, batch); err != nil {
			t.Fatal(err)
		}
		f := math.Min(1, tau/ratio)
		exp := make([]float64, len(w))
		for i := range exp {
			exp[i] = gB[i] + f*delta[i]
		}
		// As TestVirtualMicroMatchesDefinition: sums of ≤ 16 O(1) terms in another order.
		if e := dist(rec.g, exp); e > 1e-13*(1+norm(exp)) {
			t.Errorf("τ = %v: ‖d − (g_B + %.3g δ)‖ = %g", tau, f, e)
		}
		dev := make([]float64, len(w))
		for i := range dev {
			dev[i] = rec.g[i] - gB[i]
		}
		if nd := norm(dev); nd > tau*norm(gB)*(1+1e-12) {
			t.Errorf("τ = %v: ‖d − g_B‖ = %v > τ‖g_B‖ = %v", tau, nd, tau*norm(gB))
		}
		if tau < 1 && dot(rec.g, gB) < (1-tau)*dot(gB, gB)*(1-1e-12) {
			t.Errorf("τ = %v: ⟨d, g_B⟩ = %v < (1 − τ)‖g_B‖² = %v", tau, dot(rec.g, gB), (1-tau)*dot(gB, gB))
		}
	}
}

func TestVirtualMicroDriftTrustBadInput(t *testing.T) {
	obj, w := smallTask(62, 8, 3)
	for _, c := range []struct {
		opt  *RWSAM
		want string
	}{
		{&RWSAM{Base: &SGD{}, Rho: 0.1, DriftTrust: -1}, "RWSAM.DriftTrust = -1 must be > 0"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, DriftTrust: math.NaN()}, "RWSAM.DriftTrust = NaN"},
		{&RWSAM{Base: &SGD{}, Rho: 0.1, DriftTrust: math.Inf(-1)}, "RWSAM.DriftTrust = -Inf"},
		{&RWSAM{Form: GibbsAscent, Base: &SGD{}, Rho: 0.1, DriftTrust: 2}, "RWSAM.DriftTrust = 2 applies to Form = VirtualMicro only"},
	} {
		if _, err := c.opt.Step(w, obj, seq(8)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", *c.opt, err, c.want)
		}
	}
}
