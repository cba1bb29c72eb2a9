package sgn

import (
	"flag"
	"testing"

	"gonum.org/v1/gonum/stat"
)

var long = flag.Bool("long", false, "run the long accuracy studies (go test ./sgn -run Long -long -v)")

// TestLongTailIndexAccuracy prints the mean ± sd of α̂ over 50 seeds of symmetric α-stable
// samples (gonum distuv.AlphaStable), for both estimators and two sample sizes, the table
// quoted in docs/REPRODUCTION.md. It fails if a mean is off by more than 4 standard
// errors plus 0.01 (the estimator's small-sample bias).
func TestLongTailIndexAccuracy(t *testing.T) {
	if !*long {
		t.Skip("needs -long")
	}
	const seeds = 50
	for _, n := range []int{10000, 100000} {
		for _, a := range []float64{1.1, 1.3, 1.5, 1.7, 1.9, 2.0} {
			var m, o []float64
			for s := 0; s < seeds; s++ {
				x := alphaStable(n, a, uint64(1000+s))
				v, err := TailIndex(x, 0)
				if err != nil {
					t.Fatal(err)
				}
				w, _ := TailIndexOrder(x, 0, 0)
				m, o = append(m, v), append(o, w)
			}
			mm, ms := stat.MeanStdDev(m, nil)
			om, os := stat.MeanStdDev(o, nil)
			t.Logf("N=%d α=%.1f  mean-of-logs %.3f ± %.3f   order-statistic %.3f ± %.3f", n, a, mm, ms, om, os)
			if d := mm - a; d*d > (4*ms/7.07+0.01)*(4*ms/7.07+0.01) {
				t.Errorf("N=%d α=%v: mean α̂ = %v (sd %v)", n, a, mm, ms)
			}
		}
	}
}
