package sam

import "testing"

// PerEpoch evaluates its schedule at the epoch count, and StepsPerEpoch agrees with the
// number of updates Train actually takes per epoch (with and without the partial batch).
func TestPerEpoch(t *testing.T) {
	p := PerEpoch{Steps: 5, Of: StepDecay{Gamma: 0.5, Every: 2}}
	for _, c := range []struct {
		t    int
		want float64
	}{{0, 1}, {4, 1}, {9, 1}, {10, 0.5}, {19, 0.5}, {20, 0.25}} {
		if got := p.Factor(c.t); got != c.want {
			t.Errorf("Factor(%d) = %v, want %v", c.t, got, c.want)
		}
	}
	if got := (PerEpoch{Of: StepDecay{Gamma: 0.5, Every: 2}}).Factor(3); got != 0.5 {
		t.Errorf("Steps = 0: Factor(3) = %v, want the plain schedule's 0.5", got)
	}
	if got := (PerEpoch{Steps: 3}).Factor(7); got != 1 {
		t.Errorf("nil Of: %v, want 1", got)
	}
	obj, w0 := smallTask(31, 40, 6)
	for _, keep := range []bool{false, true} {
		w := append([]float64(nil), w0...)
		h, err := Train(w, obj, &SGD{LR: 0.01}, &TrainSettings{Epochs: 3, Batch: 6, Seed: 1, KeepLast: keep})
		if err != nil {
			t.Fatal(err)
		}
		if want := 3 * StepsPerEpoch(40, 6, keep); h.Steps != want {
			t.Errorf("KeepLast = %v: Train took %d steps, StepsPerEpoch gives %d", keep, h.Steps, want)
		}
	}
	if StepsPerEpoch(0, 6, true) != 0 || StepsPerEpoch(10, 0, false) != 0 {
		t.Error("non-positive sizes must give 0")
	}
}
