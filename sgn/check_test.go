package sgn

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// diagHVP is a user-written HVP of H = 2·I_10 that trusts its caller about lengths: called
// with vectors of another length it indexes out of range, as a closure over a fixed-size
// model would.
func diagHVP(dst, v []float64) {
	var h [10]float64
	for i := range dst {
		h[i] = 2 // panics for len(dst) > 10
	}
	for i := range 10 {
		dst[i] = h[i] * v[i] // panics for len(dst) < 10
	}
}

// TestHVPWrongDimensionIsError: an HVP whose dimension is not dim must give an error that
// names dim, from every HVP entry point, never a panic (before the fix Hutchinson's panic
// happened on a worker goroutine and killed the process). Both a too-long and a too-short
// dim are tried, on 1 and 2 procs.
func TestHVPWrongDimensionIsError(t *testing.T) {
	for _, procs := range []int{1, 2} {
		withProcs(procs, func() {
			for _, dim := range []int{12, 5} {
				want := "dim = " + itoa(dim)
				_, err := Hutchinson(diagHVP, dim, nil, 1)
				checkErr(t, "Hutchinson", err, want)
				_, err = TraceHSigmaHutchinson(diagHVP, randDense(3, dim, 1), nil, 1)
				checkErr(t, "TraceHSigmaHutchinson", err, want)
				_, err = TraceHSigma(diagHVP, randDense(3, dim, 1))
				checkErr(t, "TraceHSigma", err, want)
				_, _, _, err = TopEigen(diagHVP, dim, 1, nil, rand.NewPCG(1, 2))
				checkErr(t, "TopEigen", err, want)
			}
		})
	}
	// The right dimension still works: tr(2·I_10) = 20 exactly for every Rademacher probe.
	r, err := Hutchinson(diagHVP, 10, nil, 1)
	if err != nil || r.Trace.Value != 20 {
		t.Fatalf("dim 10: trace %v, err %v; want exactly 20", r.Trace.Value, err)
	}
}

// TestGraderLengthsAreErrors: a parameter vector of the wrong length or a pool index outside
// the objective's samples is an error up front, not a panic inside a worker.
func TestGraderLengthsAreErrors(t *testing.T) {
	g := randDense(10, 4, 31)
	obj := lenGrader{rowGrader{g}, 10}
	pool := []int{0, 1, 2, 3}
	w := make([]float64, 4)
	dst := mat.NewDense(3, 4, nil)
	checkErr(t, "MinibatchGrads w", MinibatchGrads(dst, obj, w[:3], pool, 2, 1), "len(w) = 3")
	checkErr(t, "MinibatchGrads pool", MinibatchGrads(dst, obj, w, []int{0, 10}, 2, 1), "pool[1] = 10")
	_, err := MicroBatchNormsGrad(obj, w[:2], pool, 2, 10, 1)
	checkErr(t, "MicroBatchNormsGrad w", err, "len(w) = 2")
	_, err = MicroBatchNormsGrad(obj, w, []int{0, -1, 2}, 2, 10, 1)
	checkErr(t, "MicroBatchNormsGrad pool", err, "pool[1] = -1")
	_, err = StreamMoments(psg{g}, w[:1], pool, 0)
	checkErr(t, "StreamMoments w", err, "len(w) = 1")
}

// lenGrader adds a sample count (as nn.Objective has) to a BatchGrader.
type lenGrader struct {
	rowGrader
	n int
}

func (l lenGrader) Len() int { return l.n }

func checkErr(t *testing.T, name string, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "sgn: "+strings.Fields(name)[0]+":") {
		t.Errorf("%s: error %v, want \"sgn: %s: ...\" mentioning %q", name, err, strings.Fields(name)[0], want)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
