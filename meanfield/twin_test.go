package meanfield

import (
	"math/rand/v2"
	"testing"
)

// TestTwinOfItself drives a copy of a system by the field path recorded from the system
// itself, with the same seed: the copy sees exactly the same field and the same normals
// at every step, so it must reproduce the system bit for bit. This checks that twins
// and particles share their per-particle streams and their step indexing.
func TestTwinOfItself(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	pts := randomPoints(t, r, 8, 1, 1, false)
	for _, m := range []Method{GD, GaussianSGD, MSGLD} {
		for _, u := range []Unit{TanhUnit(1), opaque{TanhUnit(1)}} {
			ps := randomParticles(t, 70, 3, 7)
			tw := ps.Clone()
			mk := func() *Trainer {
				return &Trainer{Unit: u, Loss: Squared{}, Method: m, Data: pts, Batch: 2, Seed: 99,
					Schedule: Schedule{Gamma: 0.1, Beta: 1, N: ps.N}}
			}
			path, err := RecordField(mk(), ps, 12)
			if err != nil {
				t.Fatal(err)
			}
			twin := mk()
			twin.Limit = path
			if err := twin.Run(tw, 0, 12, nil); err != nil {
				t.Fatal(err)
			}
			for i := range ps.W {
				if ps.W[i] != tw.W[i] {
					t.Fatalf("%v %T: twin of itself differs at %d: %v vs %v", m, u, i, ps.W[i], tw.W[i])
				}
			}
			// Past the recorded horizon the twin reports an error.
			if _, err := twin.Step(tw, 13); err == nil {
				t.Errorf("%v: step beyond the stored path: no error", m)
			}
		}
	}
}
