package reflected

import (
	"encoding"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Checkpoint is the complete state of a Train run after Step steps: resuming from it
// (TrainSettings.Resume) continues bit for bit as if the run had not stopped. It holds the
// network (architecture, sparsity mask and current iterate), the optimizer's state, the
// parameter average, the position of the minibatch stream and the running loss tail, plus the
// settings that fix the trajectory, so that a resume with other settings is refused.
// Write it with Save and read it with LoadCheckpoint.
type Checkpoint struct {
	// Step is the number of steps completed.
	Step int
	// Net is the network with the current iterate in Net.W (not the average).
	Net *ScoreNet
	// Opt is the optimizer state from its MarshalBinary.
	Opt []byte
	// EMA and EMAK are the parameter average and the number of iterates in it (nil, 0 if
	// TrainSettings.EMA = 0).
	EMA  []float64
	EMAK int
	// RNG is the minibatch stream state (rand.PCG.MarshalBinary).
	RNG []byte
	// TailSum and TailN accumulate the loss of the last 10% of steps.
	TailSum float64
	TailN   int
	// The settings that determine the trajectory (defaults filled in) and the data size.
	Steps, Batch, PruneAt, Sparsity int
	Seed                            uint64
	T0, T1, Bound, EMADecay         float64
	Process                         Process
	N                               int
	// Weighting, Times and Param are the recipe settings (Times nil = LogUniform is never
	// stored: Train fills in its default first).
	Weighting Weighting
	Times     TimeDist
	Param     Param
}

// checkpointer is the optimizer side of a checkpoint: sam optimizers that expose their state
// (moments, step counters) through these methods can be stopped and resumed exactly.
type checkpointer interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// trainState is the mutable state of a Train loop.
type trainState struct {
	k       int
	rnd     *rand.Rand
	pcg     *rand.PCG
	avg     *ema
	tailSum float64
	tailN   int
}

// checkpoint captures s after step s.k for settings c on n data points.
func (s *trainState) checkpoint(c *TrainSettings, net *ScoreNet, opt any, n int) (*Checkpoint, error) {
	if net.Net == nil {
		return nil, fmt.Errorf("reflected: Train: checkpoints hold MLP networks only (net.Res is set)")
	}
	cp := &Checkpoint{Step: s.k, TailSum: s.tailSum, TailN: s.tailN, N: n}
	cp.fill(c)
	w := slices.Clone(net.W)
	var mask []bool
	if net.Net.Mask != nil {
		mask = slices.Clone(net.Net.Mask)
	}
	m := *net.Net
	m.Mask = mask
	var err error
	if cp.Net, err = NewScoreNetFrom(&m, net.Embed, w); err != nil {
		return nil, err
	}
	cp.Net.Pre = net.Pre
	if cp.RNG, err = s.pcg.MarshalBinary(); err != nil {
		return nil, fmt.Errorf("reflected: Train: checkpoint: %v", err)
	}
	if s.avg != nil && s.avg.avg != nil {
		cp.EMA, cp.EMAK = slices.Clone(s.avg.avg), s.avg.k
	}
	o, ok := opt.(checkpointer)
	if !ok {
		return cp, fmt.Errorf("reflected: Train: optimizer %T cannot be checkpointed (no MarshalBinary/UnmarshalBinary)", opt)
	}
	if cp.Opt, err = o.MarshalBinary(); err != nil {
		return cp, fmt.Errorf("reflected: Train: checkpoint of optimizer %T: %v", opt, err)
	}
	return cp, nil
}

// fill copies the trajectory-determining settings of c into cp.
func (cp *Checkpoint) fill(c *TrainSettings) {
	cp.Steps, cp.Batch, cp.PruneAt, cp.Sparsity = c.Steps, c.Batch, c.PruneAt, c.Sparsity
	cp.Seed, cp.T0, cp.T1, cp.Bound, cp.EMADecay, cp.Process = c.Seed, c.T0, c.T1, c.Bound, c.EMA, c.Process
	cp.Weighting, cp.Times, cp.Param = c.Weighting, c.Times, c.Param
}

// sameTimes reports whether two training-time laws are equal (false for laws whose dynamic
// type is not comparable).
func sameTimes(a, b TimeDist) (eq bool) {
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}

// restore validates cp against settings c, net, opt and n data points and loads it into
// net.W, net.Net.Mask, opt and s. Net must have cp.Net's architecture.
func (s *trainState) restore(cp *Checkpoint, c *TrainSettings, net *ScoreNet, opt any, n int) error {
	var want Checkpoint
	want.fill(c)
	switch {
	case cp.Net == nil:
		return fmt.Errorf("reflected: TrainSettings.Resume.Net is nil")
	case cp.Steps != want.Steps || cp.Batch != want.Batch || cp.PruneAt != want.PruneAt || cp.Sparsity != want.Sparsity ||
		cp.Seed != want.Seed || cp.T0 != want.T0 || cp.T1 != want.T1 || cp.Bound != want.Bound ||
		cp.EMADecay != want.EMADecay || cp.Process != want.Process:
		return fmt.Errorf("reflected: TrainSettings.Resume: checkpoint settings (Steps %d, Batch %d, PruneAt %d, Sparsity %d, Seed %d, T0 %v, T1 %v, Bound %v, EMA %v, Process %v) differ from these (Steps %d, Batch %d, PruneAt %d, Sparsity %d, Seed %d, T0 %v, T1 %v, Bound %v, EMA %v, Process %v)",
			cp.Steps, cp.Batch, cp.PruneAt, cp.Sparsity, cp.Seed, cp.T0, cp.T1, cp.Bound, cp.EMADecay, cp.Process,
			want.Steps, want.Batch, want.PruneAt, want.Sparsity, want.Seed, want.T0, want.T1, want.Bound, want.EMADecay, want.Process)
	case cp.Weighting != want.Weighting || cp.Param != want.Param || !sameTimes(cp.Times, want.Times):
		return fmt.Errorf("reflected: TrainSettings.Resume: checkpoint recipe (Weighting %v, Times %v, Param %v) differs from these settings (Weighting %v, Times %v, Param %v)",
			cp.Weighting, cp.Times, cp.Param, want.Weighting, want.Times, want.Param)
	case (cp.Net.Pre != nil) != (c.Param == ParamPrecond):
		return fmt.Errorf("reflected: TrainSettings.Resume: checkpoint network preconditioned = %v, Param = %v", cp.Net.Pre != nil, c.Param)
	case cp.N != n:
		return fmt.Errorf("reflected: TrainSettings.Resume: checkpoint of %d data points, data has %d", cp.N, n)
	case cp.Step < 0 || cp.Step > cp.Steps:
		return fmt.Errorf("reflected: TrainSettings.Resume.Step = %d, need 0 ≤ Step ≤ Steps = %d", cp.Step, cp.Steps)
	case !slices.Equal(cp.Net.Net.Sizes, net.Net.Sizes) || cp.Net.Embed != net.Embed:
		return fmt.Errorf("reflected: TrainSettings.Resume: network widths %v (Freqs %d), want %v (Freqs %d)", cp.Net.Net.Sizes, cp.Net.Embed.Freqs, net.Net.Sizes, net.Embed.Freqs)
	case cp.EMA != nil && len(cp.EMA) != len(net.W):
		return fmt.Errorf("reflected: TrainSettings.Resume: len(EMA) = %d, want %d", len(cp.EMA), len(net.W))
	case (cp.EMA != nil) != (c.EMA > 0 && cp.Step > 0):
		return fmt.Errorf("reflected: TrainSettings.Resume: EMA state present = %v, want %v", cp.EMA != nil, c.EMA > 0 && cp.Step > 0)
	case cp.TailN < 0 || math.IsNaN(cp.TailSum):
		return fmt.Errorf("reflected: TrainSettings.Resume: loss tail (%v, %d) invalid", cp.TailSum, cp.TailN)
	}
	o, ok := opt.(checkpointer)
	if !ok {
		return fmt.Errorf("reflected: TrainSettings.Resume: optimizer %T cannot restore a checkpoint (no UnmarshalBinary)", opt)
	}
	if err := o.UnmarshalBinary(cp.Opt); err != nil {
		return fmt.Errorf("reflected: TrainSettings.Resume: optimizer %T state: %v", opt, err)
	}
	if err := s.pcg.UnmarshalBinary(cp.RNG); err != nil {
		return fmt.Errorf("reflected: TrainSettings.Resume.RNG: %v", err)
	}
	copy(net.W, cp.Net.W)
	net.Pre = cp.Net.Pre
	net.Net.Mask = nil
	if cp.Net.Net.Mask != nil {
		net.Net.Mask = slices.Clone(cp.Net.Net.Mask)
	}
	if s.avg != nil && cp.EMA != nil {
		s.avg.avg, s.avg.k = slices.Clone(cp.EMA), cp.EMAK
	}
	s.k, s.tailSum, s.tailN = cp.Step, cp.TailSum, cp.TailN
	return nil
}
