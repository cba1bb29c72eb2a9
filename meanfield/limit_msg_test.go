package meanfield

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestLimitHorizonMessage: RecordField(…, 3) stores the field of steps
// 0…3 (4 fields); stepping a twin at n = 4 is an error that says so, not
// "4 stored steps" (which read as steps 0…4 or 1…4).
func TestLimitHorizonMessage(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	pts := randomPoints(t, r, 8, 1, 1, false)
	ps := randomParticles(t, 20, 3, 7)
	mk := func() *Trainer {
		return &Trainer{Unit: TanhUnit(1), Loss: Squared{}, Method: GD, Data: pts, Batch: 2, Seed: 9,
			Schedule: Schedule{Gamma: 0.1, Beta: 1, N: ps.N}}
	}
	path, err := RecordField(mk(), ps.Clone(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(path.F) != 4 {
		t.Fatalf("RecordField(…, 3) stored %d fields, want 4 (steps 0…3)", len(path.F))
	}
	twin := mk()
	twin.Limit = path
	tw := ps.Clone()
	if err := twin.Run(tw, 0, 3, nil); err != nil {
		t.Fatalf("steps 0…2 (within the record): %v", err)
	}
	_, err = twin.Step(tw, 4)
	if err == nil || !strings.Contains(err.Error(), "Step n = 4") || !strings.Contains(err.Error(), "steps 0…3") || strings.Contains(err.Error(), "4 stored steps") {
		t.Errorf("error %v, want one saying the limit holds steps 0…3", err)
	}
}
