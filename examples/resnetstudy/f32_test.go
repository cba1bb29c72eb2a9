package main

import (
	"math"
	"testing"

	"github.com/sdeml/sdeml/nn/data"
)

// -f32 trains the same unit in mixed precision: after one epoch (4 m-SAM steps) the
// training loss agrees with the float64 run's to 1e-4 relative (the float32 gradients
// differ by about 1e-6 relative, nn's TestGraphSupervised32*, so four steps move the
// parameters and the loss by far less), yet not exactly (the float32 path ran), and the
// validation and test accuracies agree to 2 of the 64 images (a prediction can flip only
// where two outputs tie to about 1e-6).
func TestStudyFloat32(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small networks")
	}
	if _, err := data.FashionMNISTDir(); err != nil {
		t.Skip(err)
	}
	c := config{epochs: 1, nTrain: 128, nVal: 64, nTest: 64, width: 2, batch: 32, micro: 8, pad: 2,
		blocks: []int{1, 1}, lr: 0.05, wd: 5e-4, jobs: 1, quiet: true}
	o64, err := runUnits(c, "m-SAM/0.05/0")
	if err != nil {
		t.Fatal(err)
	}
	c.f32 = true
	o32, err := runUnits(c, "m-SAM/0.05/0")
	if err != nil {
		t.Fatal(err)
	}
	a, b := o32[0], o64[0]
	if d := math.Abs(a.trainLoss - b.trainLoss); d > 1e-4*b.trainLoss || d == 0 {
		t.Errorf("training loss %v (f32) vs %v (f64): difference %g, want in (0, 1e-4 relative]", a.trainLoss, b.trainLoss, d)
	}
	if math.Abs(a.val-b.val) > 2.0/64 || math.Abs(a.test-b.test) > 2.0/64 {
		t.Errorf("accuracies val %v / %v, test %v / %v (f32 / f64) differ by more than 2 of 64", a.val, b.val, a.test, b.test)
	}
	t.Logf("train loss %v / %v, val %v / %v, test %v / %v (f32 / f64)", a.trainLoss, b.trainLoss, a.val, b.val, a.test, b.test)
}
