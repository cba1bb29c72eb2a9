package main

import (
	"math"
	"testing"

	"github.com/sdeml/sdeml/internal/sweep"
)

// TestPairedHand checks the paired differences against a case worked by hand: a method
// whose accuracy is the reference's plus 1, 2, 3 on three seeds (one more seed failed for
// the method, one is missing for the reference) has the mean difference 2 over the three
// shared seeds, s = 1, and half-width t_{0.975,2}·1/√3, where for 2 degrees of freedom the
// quantile has the closed form t_p = (2p − 1)/√(2p(1 − p)) = 0.95/√0.04875 =
// 4.302652729749464; the top eigenvalue differences are all −1 (half-width 0).
func TestPairedHand(t *testing.T) {
	ref := method{name: "SGD"}
	m := method{name: "m-SAM m=4", m: 4, rho: true}
	r := &fmReport{cfg: fmnistConfig{seeds: []uint64{1, 2, 3, 4, 5}}, res: &sweep.Result[fmUnit]{}}
	add := func(mt method, rho float64, seed uint64, acc, lmax float64, done bool, err string) {
		r.keys = append(r.keys, fmKey{mt, rho, seed})
		r.res.Values = append(r.res.Values, fmUnit{TestAcc: sweep.Float(acc), LambdaMax: sweep.Float(lmax), TraceH: 1, Err: err})
		r.res.Done = append(r.res.Done, done)
	}
	for seed, acc := range map[uint64]float64{1: 80, 2: 81, 3: 79, 4: 80} {
		add(ref, 0, seed, acc, 5, true, "")
	}
	add(ref, 0, 5, 0, 0, false, "") // missing
	for seed, d := range map[uint64]float64{1: 1, 2: 2, 3: 3} {
		add(m, 0.1, seed, map[uint64]float64{1: 80, 2: 81, 3: 79}[seed]+d, 4, true, "")
	}
	add(m, 0.1, 4, 0, 0, true, "diverged") // failed
	add(m, 0.1, 5, 90, 4, true, "")        // its reference is missing
	got := r.paired([]fmStat{{m: m, rho: 0.1}}, fmStat{m: ref, rho: 0})[0]
	wantHalf := 4.302652729749464 / math.Sqrt(3)
	if got.n != 3 || got.acc[0] != 2 || math.Abs(got.acc[1]-wantHalf) > 1e-12 {
		t.Fatalf("Δacc = %v ± %v over %d seeds, want 2 ± %v over 3", got.acc[0], got.acc[1], got.n, wantHalf)
	}
	if got.lmax[0] != -1 || got.lmax[1] != 0 || got.trace[0] != 0 {
		t.Fatalf("Δλ = %v ± %v, Δtr = %v, want −1 ± 0 and 0", got.lmax[0], got.lmax[1], got.trace[0])
	}
}
