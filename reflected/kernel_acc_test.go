package reflected

import (
	"math"
	"testing"
)

func TestKernelAgainstBigReference(t *testing.T) {
	xs := []float64{0, 1e-9, 0.003, 0.25, 0.5, 0.731, 0.999, 1 - 1e-12, 1}
	ts := []float64{1e-8, 1e-6, 1e-4, 0.01, 0.1, 0.5, SwitchTime * (1 - 1e-12), SwitchTime, 1, 3}
	var worstL, worstS float64
	for _, tt := range ts {
		for _, x := range xs {
			for _, y := range xs {
				rl, rs := refLogScore(x, y, tt)
				l, s := Kernel1D(x, y, tt)
				el := math.Abs(l-rl) / math.Max(1, math.Abs(rl))
				es := math.Abs(s-rs) / math.Max(1, math.Abs(rs))
				worstL = math.Max(worstL, el)
				worstS = math.Max(worstS, es)
				if el > 1e-12 || es > 1e-12 {
					t.Errorf("t=%g x=%g y=%g: logp %v ref %v (err %.2e); score %v ref %v (err %.2e)", tt, x, y, l, rl, el, s, rs, es)
				}
			}
		}
	}
	t.Logf("worst log err %.2e, worst score err %.2e", worstL, worstS)
}
