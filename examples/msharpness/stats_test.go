package main

import (
	"encoding/csv"
	"math"
	"strings"
	"testing"
)

// TestCI95Hand checks ci95 against a case computed by hand: for {1, 2, 3, 4, 5} the mean
// is 3, s² = (4+1+0+1+4)/4 = 2.5, s/√5 = √0.5, and t_{0.975,4} = 2.7764451051977987
// (printed tables give 2.776), so the half-width is 2.7764451051977987·√0.5 = 1.96324...
// The tolerance 1e-12 allows for the rounding of the quantile's numerical inverse.
func TestCI95Hand(t *testing.T) {
	m, h := ci95([]float64{1, 2, 3, 4, 5})
	want := 2.7764451051977987 * math.Sqrt(0.5)
	if m != 3 || math.Abs(h-want) > 1e-12 {
		t.Fatalf("ci95 = %v ± %v, want 3 ± %v", m, h, want)
	}
	// Two values: t_{0.975,1} = tan(0.475π) = 12.7062047361747 exactly in closed form
	// (the Student-t with 1 degree of freedom is Cauchy); s = |a−b|/√2, s/√2 = |a−b|/2.
	m, h = ci95([]float64{1, 3})
	want = math.Tan(0.475*math.Pi) * 1
	if m != 2 || math.Abs(h-want) > 1e-9*want {
		t.Fatalf("ci95 = %v ± %v, want 2 ± %v", m, h, want)
	}
	if _, h := ci95([]float64{7}); !math.IsNaN(h) {
		t.Fatalf("one value: half-width %v, want NaN", h)
	}
	if m, _ := ci95(nil); !math.IsNaN(m) {
		t.Fatalf("no values: mean %v, want NaN", m)
	}
}

// TestCSVField checks the RFC 4180 quoting of csvField with encoding/csv as the reader.
func TestCSVField(t *testing.T) {
	for _, s := range []string{"SGD", "RW-SAM (IS, k=4, u=16)", `loss "NaN" at step 3`, "two\nlines", ""} {
		rec, err := csv.NewReader(strings.NewReader(csvField(s) + ",x\n")).Read()
		if err != nil || len(rec) != 2 || rec[0] != s {
			t.Errorf("csvField(%q) = %q reads back as %q (%v)", s, csvField(s), rec, err)
		}
	}
}
