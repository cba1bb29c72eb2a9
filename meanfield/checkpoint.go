package meanfield

import (
	"fmt"
	"math/rand/v2"
)

// Checkpoint is the state of a Trainer run between two steps: everything that the steps
// from Next on read besides the Trainer's fixed configuration. The particle dynamics have
// no optimizer state (plain per-neuron gradient steps, no momentum), so the state is the
// particles, the step index and the positions of the random streams. The configuration
// fields that change what is computed are stored too, and Restore refuses a Trainer that
// differs in any of them.
//
// Unit, Loss, Data, Sampler and Limit are not stored: the resuming program supplies them,
// as it supplied them to the first run. A Sampler must draw only from the *rand.Rand it is
// given (FuncSampler and DatasetSampler do), so that the shared stream is its whole state.
type Checkpoint struct {
	// Next is the index of the next step to run.
	Next int
	// Method, Schedule, Batch, Penalty, Seed and ReferenceSystem are the Trainer's.
	Method          Method
	Schedule        Schedule
	Batch           int
	Penalty         float64
	Seed            uint64
	ReferenceSystem bool
	// Particles is a copy of the particle system.
	Particles *Particles
	// Shared is the state of the shared stream (minibatches, GaussianSGD normals) and
	// Streams the states of the per-particle streams (MSGLD; nil otherwise), each as
	// rand.PCG.MarshalBinary encodes it.
	Shared  []byte
	Streams [][]byte
}

// Checkpoint returns the state of a run whose next step is next, with particles ps. Call it
// between steps (after RunContext returns, or from a hook of step next−1). A Trainer that
// has not stepped yet gives the initial stream positions.
func (tr *Trainer) Checkpoint(ps *Particles, next int) (*Checkpoint, error) {
	if next < 0 {
		return nil, fmt.Errorf("meanfield: Checkpoint next = %d, want >= 0", next)
	}
	if err := tr.prepare(ps); err != nil {
		return nil, err
	}
	cp := &Checkpoint{
		Next: next, Method: tr.Method, Schedule: tr.Schedule, Batch: tr.Batch,
		Penalty: tr.Penalty, Seed: tr.Seed, ReferenceSystem: tr.ReferenceSystem,
		Particles: ps.Clone(),
	}
	var err error
	if cp.Shared, err = tr.sharedPCG.MarshalBinary(); err != nil {
		return nil, fmt.Errorf("meanfield: Checkpoint: shared stream: %w", err)
	}
	if tr.pcgs != nil {
		cp.Streams = make([][]byte, len(tr.pcgs))
		for k, p := range tr.pcgs {
			if cp.Streams[k], err = p.MarshalBinary(); err != nil {
				return nil, fmt.Errorf("meanfield: Checkpoint: stream of particle %d: %w", k, err)
			}
		}
	}
	return cp, nil
}

// Restore sets tr's random streams to the positions in cp and returns a copy of its
// particles, so that tr.RunContext(ctx, ps, cp.Next, …) continues the checkpointed run bit
// for bit. It returns an error naming the field if tr's configuration differs from the one
// that wrote cp, or if the checkpoint is inconsistent (particle shape, number of streams).
func (tr *Trainer) Restore(cp *Checkpoint) (*Particles, error) {
	if cp == nil || cp.Particles == nil {
		return nil, fmt.Errorf("meanfield: Restore: nil Checkpoint or Checkpoint.Particles")
	}
	switch {
	case cp.Method != tr.Method:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Method = %v, Trainer.Method = %v", cp.Method, tr.Method)
	case cp.Schedule != tr.Schedule:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Schedule = %+v, Trainer.Schedule = %+v", cp.Schedule, tr.Schedule)
	case cp.Batch != tr.Batch:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Batch = %d, Trainer.Batch = %d", cp.Batch, tr.Batch)
	case cp.Penalty != tr.Penalty:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Penalty = %v, Trainer.Penalty = %v", cp.Penalty, tr.Penalty)
	case cp.Seed != tr.Seed:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Seed = %d, Trainer.Seed = %d", cp.Seed, tr.Seed)
	case cp.ReferenceSystem != tr.ReferenceSystem:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.ReferenceSystem = %v, Trainer.ReferenceSystem = %v", cp.ReferenceSystem, tr.ReferenceSystem)
	case cp.Next < 0:
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Next = %d, want >= 0", cp.Next)
	}
	ps := cp.Particles.Clone()
	if ps.N < 1 || ps.D < 1 || len(ps.W) != ps.N*ps.D || (ps.Weight != nil && len(ps.Weight) != ps.N) {
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Particles has N = %d, D = %d, %d coordinates, %d weights", ps.N, ps.D, len(ps.W), len(ps.Weight))
	}
	tr.Reset()
	if err := tr.prepare(ps); err != nil {
		return nil, err
	}
	if err := tr.sharedPCG.UnmarshalBinary(cp.Shared); err != nil {
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Shared: %w", err)
	}
	if len(cp.Streams) != len(tr.pcgs) {
		return nil, fmt.Errorf("meanfield: Restore: Checkpoint has %d particle streams, Method %v with %d particles needs %d", len(cp.Streams), tr.Method, ps.N, len(tr.pcgs))
	}
	for k, b := range cp.Streams {
		if err := tr.pcgs[k].UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("meanfield: Restore: Checkpoint.Streams[%d]: %w", k, err)
		}
	}
	return ps, nil
}

// pcgStateLen is the length of rand.PCG.MarshalBinary's encoding ("pcg:" and two uint64).
var pcgStateLen = func() int { b, _ := rand.NewPCG(0, 0).MarshalBinary(); return len(b) }()
