package reflected

import (
	"encoding"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/sdeml/sdeml/sam"
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

// checkpointer is the optimizer side of a checkpoint: optimizers that expose their state
// (moments, step counters, random streams) can be stopped and resumed exactly. The sam
// optimizers do it through sam.Stateful; any other optimizer may implement
// encoding.BinaryMarshaler and encoding.BinaryUnmarshaler instead.
type checkpointer interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
}

// stateful adapts a sam.Stateful optimizer to checkpointer.
type stateful struct{ s sam.Stateful }

func (s stateful) MarshalBinary() ([]byte, error) { return s.s.MarshalState() }
func (s stateful) UnmarshalBinary(b []byte) error { return s.s.UnmarshalState(b) }

// asCheckpointer returns the state interface of opt: sam.Stateful first, then
// encoding.BinaryMarshaler/BinaryUnmarshaler.
func asCheckpointer(opt any) (checkpointer, bool) {
	if st, ok := opt.(sam.Stateful); ok {
		return stateful{st}, true
	}
	c, ok := opt.(checkpointer)
	return c, ok
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

// snapshot returns a copy of net's architecture and parameters: its own W and MLP mask (which
// training changes), the immutable parts (ResMLP sizes, U-Net graph, Precond) shared.
func (net *ScoreNet) snapshot() *ScoreNet {
	cp := &ScoreNet{Res: net.Res, UNet: net.UNet, Embed: net.Embed, W: slices.Clone(net.W), Pre: net.Pre}
	if net.Net != nil {
		m := *net.Net
		m.Mask = slices.Clone(net.Net.Mask)
		cp.Net = &m
	}
	return cp
}

// checkpoint captures s after step s.k for settings c on n data points.
func (s *trainState) checkpoint(c *TrainSettings, net *ScoreNet, opt any, n int) (*Checkpoint, error) {
	cp := &Checkpoint{Step: s.k, TailSum: s.tailSum, TailN: s.tailN, N: n, Net: net.snapshot()}
	cp.fill(c)
	var err error
	if cp.RNG, err = s.pcg.MarshalBinary(); err != nil {
		return nil, fmt.Errorf("reflected: Train: checkpoint: %v", err)
	}
	if s.avg != nil && s.avg.avg != nil {
		cp.EMA, cp.EMAK = slices.Clone(s.avg.avg), s.avg.k
	}
	o, ok := asCheckpointer(opt)
	if !ok {
		return cp, fmt.Errorf("reflected: Train: optimizer %T cannot be checkpointed (neither sam.Stateful nor MarshalBinary/UnmarshalBinary)", opt)
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
	if cp.Net == nil {
		return fmt.Errorf("reflected: TrainSettings.Resume.Net is nil")
	}
	if err := sameArchitecture(cp.Net, net); err != nil {
		return err
	}
	switch {
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
	case cp.EMA != nil && len(cp.EMA) != len(net.W):
		return fmt.Errorf("reflected: TrainSettings.Resume: len(EMA) = %d, want %d", len(cp.EMA), len(net.W))
	case (cp.EMA != nil) != (c.EMA > 0 && cp.Step > 0):
		return fmt.Errorf("reflected: TrainSettings.Resume: EMA state present = %v, want %v", cp.EMA != nil, c.EMA > 0 && cp.Step > 0)
	case cp.TailN < 0 || math.IsNaN(cp.TailSum):
		return fmt.Errorf("reflected: TrainSettings.Resume: loss tail (%v, %d) invalid", cp.TailSum, cp.TailN)
	}
	o, ok := asCheckpointer(opt)
	if !ok {
		return fmt.Errorf("reflected: TrainSettings.Resume: optimizer %T cannot restore a checkpoint (neither sam.Stateful nor UnmarshalBinary)", opt)
	}
	if err := o.UnmarshalBinary(cp.Opt); err != nil {
		return fmt.Errorf("reflected: TrainSettings.Resume: optimizer %T state: %v", opt, err)
	}
	if err := s.pcg.UnmarshalBinary(cp.RNG); err != nil {
		return fmt.Errorf("reflected: TrainSettings.Resume.RNG: %v", err)
	}
	copy(net.W, cp.Net.W)
	net.Pre = cp.Net.Pre
	if net.Net != nil {
		net.Net.Mask = slices.Clone(cp.Net.Net.Mask)
	}
	if s.avg != nil && cp.EMA != nil {
		s.avg.avg, s.avg.k = slices.Clone(cp.EMA), cp.EMAK
	}
	s.k, s.tailSum, s.tailN = cp.Step, cp.TailSum, cp.TailN
	return nil
}

// sameArchitecture returns an error naming the first difference between the network of a
// checkpoint and the network a run resumes into: the body (MLP, ResMLP, U-Net), the MLP
// widths, the ResMLP sizes, the U-Net's input shape, node count and nodes (layer settings
// and inputs), the time embedding, or the parameter count.
func sameArchitecture(cp, net *ScoreNet) error {
	const pre = "reflected: TrainSettings.Resume"
	if cp.bodies() != 1 {
		return fmt.Errorf("%s.Net: need exactly one of Net, Res and UNet", pre)
	}
	if a, b := cp.bodyName(), net.bodyName(); a != b {
		return fmt.Errorf("%s: checkpoint network is %s, this network %s", pre, a, b)
	}
	switch {
	case net.Net != nil:
		if !slices.Equal(cp.Net.Sizes, net.Net.Sizes) || cp.Net.Hidden != net.Net.Hidden || cp.Net.Output != net.Net.Output {
			return fmt.Errorf("%s: network widths %v (activations %v, %v), want %v (%v, %v)", pre, cp.Net.Sizes, cp.Net.Hidden, cp.Net.Output, net.Net.Sizes, net.Net.Hidden, net.Net.Output)
		}
	case net.Res != nil:
		if *cp.Res != *net.Res {
			return fmt.Errorf("%s: ResMLP %+v, want %+v", pre, *cp.Res, *net.Res)
		}
	default:
		a, b := cp.UNet, net.UNet
		if a.In != b.In {
			return fmt.Errorf("%s: U-Net input %v, want %v", pre, a.In, b.In)
		}
		if len(a.Nodes) != len(b.Nodes) {
			return fmt.Errorf("%s: U-Net of %d nodes, want %d (other Widths?)", pre, len(a.Nodes), len(b.Nodes))
		}
		for j := range a.Nodes {
			x, y := a.Nodes[j], b.Nodes[j]
			if x.Layer != y.Layer || !slices.Equal(x.From, y.From) {
				return fmt.Errorf("%s: U-Net node %d is %T%+v from %v, want %T%+v from %v", pre, j, x.Layer, x.Layer, x.From, y.Layer, y.Layer, y.From)
			}
		}
	}
	if cp.Embed != net.Embed {
		return fmt.Errorf("%s: TimeEmbedding.Freqs = %d, want %d", pre, cp.Embed.Freqs, net.Embed.Freqs)
	}
	if len(cp.W) != len(net.W) {
		return fmt.Errorf("%s: %d parameters, want %d", pre, len(cp.W), len(net.W))
	}
	return nil
}

// bodyName names the network body: "an MLP", "a ResMLP" or "a U-Net".
func (n *ScoreNet) bodyName() string {
	switch {
	case n.UNet != nil:
		return "a U-Net"
	case n.Res != nil:
		return "a ResMLP"
	}
	return "an MLP"
}
