package sam

import (
	"math"
	"strings"
	"testing"
)

// negAfter is a custom schedule without a Validate method whose factor turns negative
// at update 2.
type negAfter struct{}

func (negAfter) Factor(t int) float64 { return 1 - float64(t)/2 - 0.25 }

// TestScheduleValidated checks that a schedule that would make the learning rate negative
// (or zero it for good) is refused at the first Step, before any update, and that a custom
// schedule is stopped at the first update whose factor is negative: 1 − t/2 − ¼ is 0.75,
// 0.25, −0.25 at t = 0, 1, 2, so steps 0 and 1 run and step 2 fails with w unchanged.
func TestScheduleValidated(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Schedule
		want string
	}{
		{"Cosine Floor -2", Cosine{Total: 4, Floor: -2}, "Cosine.Floor = -2"},
		{"Cosine Floor NaN", Cosine{Total: 4, Floor: math.NaN()}, "Cosine.Floor = NaN"},
		{"StepDecay Gamma -1", StepDecay{Every: 2, Gamma: -1}, "StepDecay.Gamma = -1"},
		{"StepDecay Gamma 0", StepDecay{Every: 2, Gamma: 0}, "StepDecay.Gamma = 0"},
		{"Warmup Steps -1", Warmup{Steps: -1}, "Warmup.Steps = -1"},
		{"Warmup Then", Warmup{Steps: 2, Then: Cosine{Total: 4, Floor: -1}}, "Warmup.Then: Cosine.Floor = -1"},
		{"PerEpoch Of", PerEpoch{Steps: 3, Of: StepDecay{Every: 1, Gamma: -0.5}}, "PerEpoch.Of: StepDecay.Gamma = -0.5"},
	} {
		for _, opt := range []Optimizer{
			&SGD{LR: 0.05, Schedule: c.s},
			&Adam{LR: 0.05, Schedule: c.s},
			&SAM{Base: &SGD{LR: 0.05, Schedule: c.s}, Rho: 0.05},
		} {
			w := []float64{1, 2}
			_, err := opt.Step(w, &quad{a: []float64{1, 1}}, []int{0})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s, %T: error %v, want one containing %q", c.name, opt, err, c.want)
			}
			if w[0] != 1 || w[1] != 2 {
				t.Errorf("%s, %T: w moved to %v on a refused step", c.name, opt, w)
			}
		}
	}
	// The zero values and valid parameters pass.
	for _, s := range []Schedule{Constant{}, StepDecay{}, Cosine{}, Warmup{}, PerEpoch{}, Cosine{Total: 4, Floor: 0.1}, StepDecay{Every: 2, Gamma: 0.5}} {
		if err := (&SGD{Schedule: s}).Validate(); err != nil {
			t.Errorf("%#v: %v", s, err)
		}
	}
	opt := &SGD{LR: 0.1, Schedule: negAfter{}}
	w := []float64{1, 2}
	for k := range 3 {
		before := append([]float64(nil), w...)
		_, err := opt.Step(w, &quad{a: []float64{1, 1}}, []int{0})
		if k < 2 && err != nil {
			t.Fatalf("step %d: %v", k, err)
		}
		if k == 2 {
			if err == nil || !strings.Contains(err.Error(), "SGD.Schedule.Factor(2) = -0.25") {
				t.Errorf("step 2: error %v, want the negative factor named", err)
			}
			if w[0] != before[0] || w[1] != before[1] {
				t.Errorf("step 2: w moved from %v to %v", before, w)
			}
		}
	}
}
