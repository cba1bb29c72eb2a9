package main

import (
	"math"
	"slices"
	"testing"
)

// TestEvalMSizes checks the study's evaluation sizes: the base size below the largest n,
// -mbig (d ≥ 2) or -m1big (d = 1) at it, the base size when those are 0, and never a larger
// size outside the study.
func TestEvalMSizes(t *testing.T) {
	c := &config{exp: "study", m: 4000, mBig: []int{10000, 12000}, m1Big: 64000, ns: []int{100, 300, 1000}}
	for _, tc := range []struct{ d, n, want int }{
		{1, 100, 8000}, {1, 300, 8000}, {1, 1000, 64000},
		{2, 100, 4000}, {2, 1000, 10000}, {3, 300, 4000}, {3, 1000, 12000}, {4, 1000, 12000},
	} {
		if got := c.evalMFor(tc.d, tc.n); got != tc.want {
			t.Errorf("evalM(d = %d, n = %d) = %d, want %d", tc.d, tc.n, got, tc.want)
		}
	}
	c.d = 2
	if got := c.maxEvalM(); got != 10000 {
		t.Errorf("maxEvalM(d = 2) = %d, want 10000", got)
	}
	c.mBig, c.m1Big = nil, 0
	if got, got1 := c.evalMFor(2, 1000), c.evalMFor(1, 1000); got != 4000 || got1 != 8000 {
		t.Errorf("without -mbig, -m1big: evalM at the largest n = %d (d = 2), %d (d = 1), want 4000, 8000", got, got1)
	}
	a := &config{exp: "A", d: 2, m: 2000, mBig: []int{12000}, ns: []int{100, 1000}}
	if got := a.evalM(1000); got != 2000 {
		t.Errorf("Experiment A: evalM = %d, want m = 2000", got)
	}
}

// TestReferencePrefix checks what the study relies on when a run of size m uses the first m
// points of the reference sample of the largest size: Subspace.Sample draws the points one
// after another, so the prefix is the m-sample the same stream gives (and the base-size
// references are the earlier studies' ones).
func TestReferencePrefix(t *testing.T) {
	c := &config{exp: "study", d: 3}
	target, err := c.target(8)
	if err != nil {
		t.Fatal(err)
	}
	long, short := make([]float64, 300*8), make([]float64, 100*8)
	target.Sample(long, stream(c.kind(kindRef), 2, 0, 0))
	target.Sample(short, stream(c.kind(kindRef), 2, 0, 0))
	if !slices.Equal(long[:len(short)], short) {
		t.Fatal("the first 100 points of a 300-sample differ from the 100-sample of the same stream")
	}
}

// TestNullFloorScaling checks the d = 1 floor's dependence on the evaluation size against
// its law: the one-sample W1 of m points to the law is m^{-1/2} ∫|B(F(z))|dz to leading
// order (B a Brownian bridge), so the null Q = W1² − F̂² and its RMS s scale as 1/m and the
// floor √s as m^{-1/2}: quadrupling m halves it. With 64 null draws per size the estimate
// of √s has a relative standard error of ≈ 10% (W1² is a quadratic functional of a bridge,
// with kurtosis ≈ 10), so the ratio of two independent estimates lies in 2 × [0.6, 1.6]
// with a margin of more than four standard errors.
func TestNullFloorScaling(t *testing.T) {
	c := &config{exp: "study", d: 1, m: 1000, m1: 2000, m1Big: 8000, ns: []int{100, 1000}}
	target, err := c.target(4)
	if err != nil {
		t.Fatal(err)
	}
	small, err := c.nullFloor(target, 11, c.evalM(100))
	if err != nil {
		t.Fatal(err)
	}
	big, err := c.nullFloor(target, 11, c.evalM(1000))
	if err != nil {
		t.Fatal(err)
	}
	ratio := small.floor() / big.floor()
	if ratio < 1.2 || ratio > 3.2 {
		t.Errorf("floor at m = 2000 / floor at m = 8000 = %.3f (%.5f / %.5f), want ≈ 2 (m^{-1/2})", ratio, small.floor(), big.floor())
	}
	// F̂ (the RMS null W1) scales the same way; it has a far smaller relative error (≈ 2%).
	if r := math.Sqrt(small.f2 / big.f2); math.Abs(r-2) > 0.3 {
		t.Errorf("null RMS W1 ratio %.3f, want 2 ± 0.3", r)
	}
	t.Logf("floor %.5f → %.5f (ratio %.3f), null RMS W1 ratio %.3f", small.floor(), big.floor(), ratio, math.Sqrt(small.f2/big.f2))
}
