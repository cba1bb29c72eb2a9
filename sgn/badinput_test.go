package sgn

import (
	"strings"
	"testing"
)

// TestTopEigenNilSource checks that a nil random source is an error, not a panic inside
// math/rand/v2.
func TestTopEigenNilSource(t *testing.T) {
	hvp := func(dst, v []float64) { copy(dst, v) }
	_, _, _, err := TopEigen(hvp, 4, 1, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "src is nil") {
		t.Errorf("nil source: error %v, want one naming src", err)
	}
}

// TestHutchinsonMinAboveMax checks that MinProbes set above MaxProbes is an error (it used
// to run MaxProbes probes silently), while the default MinProbes (10) still gives way to a
// smaller MaxProbes.
func TestHutchinsonMinAboveMax(t *testing.T) {
	_, _, _, err := (&HutchinsonSettings{MaxProbes: 5, MinProbes: 50}).resolve()
	if err == nil || !strings.Contains(err.Error(), "MinProbes = 50 exceeds MaxProbes = 5") {
		t.Errorf("MinProbes 50, MaxProbes 5: error %v", err)
	}
	maxP, minP, _, err := (&HutchinsonSettings{MaxProbes: 5}).resolve()
	if err != nil || maxP != 5 || minP != 5 {
		t.Errorf("MaxProbes 5 alone: max %d, min %d, %v; want 5, 5, nil", maxP, minP, err)
	}
}
