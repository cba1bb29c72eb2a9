package reflected

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/sdeml/sdeml/internal/parallel"
	"github.com/sdeml/sdeml/sam"
)

// TrainSettings configures Train. The zero value (or nil) means the defaults, which are the
// training recipe measured best in docs/REPRODUCTION.md ("reflected: training recipe and
// samplers"): preconditioning (Param), the loss weight λ(t) = t (Weighting), log-uniform
// training times (Times), an EMA of the parameters (EMA) and, with a nil optimizer, Adam with
// a learning-rate warm-up and cosine decay (DefaultOptimizer). The EDM ingredients that lost
// in the ablation (WeightUnit, LogNormal) are options.
type TrainSettings struct {
	// Steps is the number of optimizer steps; 0 means 3000.
	Steps int
	// Batch is the minibatch size (indices drawn uniformly with replacement); 0 means 128.
	Batch int
	// T0 and T1 bound the training times; 0 means 2e-4 and MixingTime(D, 1e-3).
	T0, T1 float64
	// Times is the law of the training times on [T0, T1]; nil means LogUniform{}. LogNormal
	// (EDM's law) concentrates on middle times and measured worse near the data.
	Times TimeDist
	// Weighting is the DSM loss weight: WeightT (the zero value, λ(t) = t) or WeightUnit
	// (λ = 1/c_out², every noise level counts equally). See DSM.
	Weighting Weighting
	// Param selects the score parametrisation when net.Pre is nil: ParamPrecond (the zero
	// value) fits a Precond to the data (NewPrecond over [T0, T1]) and stores it in net.Pre
	// before training; ParamPlain keeps s = f_θ(2x − 1, e(t))/√t and requires net.Pre = nil.
	// A network that already has a Pre keeps it.
	Param Param
	// Seed selects the minibatches and the DSM noise draws.
	Seed uint64
	// DataDim, if nonzero, is the number of coordinates of each data point; Train returns
	// an error unless it equals the network's D. The flat data slice carries no column
	// count, so without DataDim a set of 100 points in 3-D (length 300) given to a D = 2
	// network would be read as 150 points in 2-D; set it whenever the data come from
	// elsewhere. 0 checks only that len(data) is a multiple of D.
	DataDim int
	// Progress, if non-nil, receives a progress line every ProgressEvery steps (0 means
	// Steps/10) and at the end: the step, the minibatch loss, the wall time since this call
	// started and the estimated time to the last step (steps left × the mean time per step
	// of this call).
	Progress      io.Writer
	ProgressEvery int
	// Sparsity S > 0 restricts the network to the class Φ(L, W, S, B): at step PruneAt
	// (0 means Steps/2) the parameters are magnitude-pruned to S nonzeros (nn.MLP.Prune,
	// which fixes the mask), and training continues on that support. 0 keeps it dense.
	Sparsity, PruneAt int
	// Bound B > 0 projects every parameter into [−B, B] after each step (nn.MLP.Project).
	Bound float64
	// EMA in (0, 1) is the decay β of an exponential moving average of the parameters; 0
	// means DefaultEMA(Steps) and EMAOff (−1) turns the average off. After every step (after pruning and projection) the average is updated as
	// avg ← βₖ·avg + (1 − βₖ)·w with βₖ = min(β, k/(k+1)), k the number of iterates already
	// averaged: a running mean of the iterates during the first 1/(1 − β) steps (so no bias
	// correction is needed), then an exponential average over the last ≈ 1/(1 − β) steps.
	// Pruning restarts the average at the pruned iterate, and masked (pruned) coordinates
	// stay exactly 0. At the end Train leaves the averaged parameters in net.W, projected
	// into [−Bound, Bound] if Bound > 0 (the average of projected iterates lies in the box
	// up to rounding), so the returned network is the EMA network. The optimizer trajectory
	// (and After) is the same as without EMA.
	EMA float64
	// Process is the forward process the score is trained for: Reflected (the zero value) or
	// Free, the unreflected baseline (see DSM.Process). Sample with the same Process.
	Process Process
	// Resume, if non-nil, continues the run recorded in a Checkpoint (from
	// TrainResult.Checkpoint or LoadCheckpoint) instead of starting at step 0: the network's
	// parameters and mask, the optimizer state, the average, the minibatch stream and the loss
	// tail are restored, and the result is bit-identical to the uninterrupted run. The other
	// settings, the data size and the network widths must match the checkpoint's (error
	// otherwise); the optimizer must implement sam.Stateful (as sam.Adam, sam.SGD and the SAM
	// family do) or encoding.BinaryMarshaler and
	// encoding.BinaryUnmarshaler. Any network body (MLP, ResMLP, U-Net) can be resumed; a
	// checkpoint of another body or architecture is refused with an error naming the field.
	Resume *Checkpoint
	// Checkpoint, if non-nil, is called with the state after every CheckpointEvery steps
	// (not after the last step, whose result Train returns): write it with
	// Checkpoint.SaveFile to survive a crash or a kill, and resume with Resume. An error it
	// returns stops Train with that error. CheckpointEvery must be ≥ 1 when Checkpoint is
	// set. The checkpoint owns its copies of the parameters and states.
	Checkpoint      func(*Checkpoint) error
	CheckpointEvery int
	// EvalPoints, if positive, limits the final loss evaluations (TrainResult.LastLoss and
	// EMALoss) to the first EvalPoints data points; 0 evaluates on all of them, which for a
	// large image set and a convolutional network costs as much as many training steps.
	EvalPoints int
	// After, if non-nil, is called after every step with the step number and the current
	// iterate (not the average).
	After func(step int, w []float64)
}

// EMAOff is the TrainSettings.EMA value that turns the parameter average off.
const EMAOff = -1

// Param selects the score parametrisation Train uses for a network without one.
type Param int

const (
	// ParamPrecond is the preconditioned score of Precond (skip + c_out·f(c_in·(x − μ), e(t))).
	ParamPrecond Param = iota
	// ParamPlain is s = f_θ(2x − 1, e(t))/√t, the class of the paper's theorem (and the
	// earlier default).
	ParamPlain
)

// String returns "precond" or "plain".
func (p Param) String() string {
	switch p {
	case ParamPrecond:
		return "precond"
	case ParamPlain:
		return "plain"
	}
	return fmt.Sprintf("Param(%d)", int(p))
}

// DefaultEMA returns the EMA decay Train uses for EMA = 0 in a run of steps steps:
// β = 1 − 10/steps clamped to [0.9, 0.9999], an average over about the last 10% of the steps
// (a fixed β = 0.999 averages over the last 1000 steps, which in a short run reaches back to
// the early, poor iterates).
func DefaultEMA(steps int) float64 {
	return min(max(1-10/float64(max(steps, 1)), 0.9), 0.9999)
}

// DefaultOptimizer returns the optimizer Train uses when it is given nil, for a run of steps
// steps: Adam with learning rate 2·10⁻³, a linear warm-up over the first steps/20 updates
// (at most 500), then cosine decay to 1% over the rest.
func DefaultOptimizer(steps int) *sam.Adam {
	warm := min(max(steps/20, 1), 500)
	return &sam.Adam{LR: 2e-3, Schedule: sam.Warmup{Steps: warm, Then: sam.Cosine{Total: max(steps-warm, 1), Floor: 0.01}}}
}

// TrainResult summarises a Train run.
type TrainResult struct {
	// Loss is the mean DSM loss of the last 10% of steps (at least one step).
	Loss float64
	// Steps is the number of steps taken.
	Steps int
	// Elapsed is the wall time.
	Elapsed time.Duration
	// LastLoss and EMALoss are set only if EMA > 0: the DSM loss over all training points of
	// the last iterate and of the averaged parameters, on one common noise draw (DSM Round =
	// Steps, not used in training), so the two are directly comparable.
	LastLoss, EMALoss float64
	// Checkpoint is set when TrainContext stopped early because its context was done: the
	// state after the last completed step, to pass as TrainSettings.Resume (nil if the
	// optimizer cannot be checkpointed; the returned error says so).
	Checkpoint *Checkpoint
}

// Train minimises the DSM risk of net on data (n×D row-major, points in [0,1]^D) with opt,
// any sam.Optimizer (e.g. &sam.Adam{} or a SAM variant; nil means DefaultOptimizer(Steps)),
// updating net.W in place (and setting net.Pre, see TrainSettings.Param). Step k
// uses the minibatch drawn from parallel.Stream(Seed, −1) and DSM Round k, so runs are
// reproducible. With EMA > 0 it leaves the averaged parameters in net.W (see
// TrainSettings.EMA). It stops with an error on a non-finite loss or parameter, or on an optimizer
// error, and returns an error naming the field for bad settings or data: a length of data
// that is not a multiple of D, a coordinate outside [0,1], or TrainSettings.DataDim ≠ D.
func Train(net *ScoreNet, data []float64, opt sam.Optimizer, s *TrainSettings) (TrainResult, error) {
	return TrainContext(context.Background(), net, data, opt, s)
}

// TrainContext is Train that also stops when ctx is done: it finishes the current step,
// leaves the current iterate (not the average) in net.W, and returns the steps done, a
// Checkpoint of the state in TrainResult.Checkpoint, and an error wrapping ctx.Err()
// (errors.Is(err, context.Canceled) holds). Resuming from the checkpoint with the same
// settings continues bit for bit.
func TrainContext(ctx context.Context, net *ScoreNet, data []float64, opt sam.Optimizer, s *TrainSettings) (TrainResult, error) {
	var c TrainSettings
	if s != nil {
		c = *s
	}
	if net == nil {
		return TrainResult{}, fmt.Errorf("reflected: Train: net is nil")
	}
	if net.bodies() != 1 {
		return TrainResult{}, fmt.Errorf("reflected: Train: net needs exactly one of Net, Res and UNet (Net nil: %v, Res nil: %v, UNet nil: %v)", net.Net == nil, net.Res == nil, net.UNet == nil)
	}
	if len(net.W) != net.NumParams() {
		return TrainResult{}, fmt.Errorf("reflected: Train: len(net.W) = %d, want %d parameters", len(net.W), net.NumParams())
	}
	D := net.Dim()
	if c.Steps == 0 {
		c.Steps = 3000
	}
	if c.Batch == 0 {
		c.Batch = 128
	}
	if c.T0 == 0 {
		c.T0 = 2e-4
	}
	if c.T1 == 0 {
		c.T1 = MixingTime(D, 1e-3)
	}
	if c.Times == nil {
		c.Times = LogUniform{}
	}
	if c.EMA == 0 {
		c.EMA = DefaultEMA(c.Steps)
	}
	if c.PruneAt == 0 {
		c.PruneAt = c.Steps / 2
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = max(c.Steps/10, 1)
	}
	switch {
	case c.Steps < 0:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Steps = %d, need ≥ 0", c.Steps)
	case c.Batch < 1:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Batch = %d, need ≥ 1", c.Batch)
	case c.Sparsity < 0 || c.Sparsity > net.NumParams():
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Sparsity = %d, need 0 ≤ S ≤ %d parameters", c.Sparsity, net.NumParams())
	case net.Net == nil && (c.Sparsity > 0 || c.Bound > 0):
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Sparsity = %d, Bound = %v: the sparse class Φ(L, W, S, B) needs an MLP network (net.Res or net.UNet is set)", c.Sparsity, c.Bound)
	case c.Checkpoint != nil && c.CheckpointEvery < 1:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.CheckpointEvery = %d, need ≥ 1 with a Checkpoint function", c.CheckpointEvery)
	case c.PruneAt < 0:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.PruneAt = %d, need ≥ 0", c.PruneAt)
	case c.EvalPoints < 0:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.EvalPoints = %d, need ≥ 0", c.EvalPoints)
	case c.Bound < 0 || math.IsNaN(c.Bound):
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Bound = %v, need ≥ 0", c.Bound)
	case !(c.EMA > 0 && c.EMA < 1) && c.EMA != EMAOff:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.EMA = %v, need 0 < EMA < 1, 0 (default 0.999) or EMAOff (−1)", c.EMA)
	case !c.Weighting.valid():
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Weighting = %d, need WeightUnit or WeightT", int(c.Weighting))
	case c.Param != ParamPrecond && c.Param != ParamPlain:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Param = %d, need ParamPrecond or ParamPlain", int(c.Param))
	case c.Param == ParamPlain && net.Pre != nil:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Param = plain, but net.Pre is set (a preconditioned network)")
	case !c.Process.valid():
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Process = %d, need Reflected or Free", int(c.Process))
	case c.ProgressEvery < 1:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.ProgressEvery = %d, need ≥ 1", c.ProgressEvery)
	case c.DataDim != 0 && c.DataDim != D:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.DataDim = %d, but the network has D = %d (dimension mismatch)", c.DataDim, D)
	}
	if err := c.Times.Validate(); err != nil {
		return TrainResult{}, fmt.Errorf("%w (TrainSettings.Times)", err)
	}
	if net.Pre != nil {
		if err := net.Pre.validate(D); err != nil {
			return TrainResult{}, err
		}
		if net.Pre.Free != (c.Process == Free) {
			return TrainResult{}, fmt.Errorf("reflected: Train: net.Pre.Free = %v, but TrainSettings.Process = %v", net.Pre.Free, c.Process)
		}
	}
	if opt == nil {
		opt = DefaultOptimizer(c.Steps)
	}
	if c.Param == ParamPrecond && net.Pre == nil && c.Resume == nil {
		pre, err := NewPrecond(data, D, c.T0, c.T1, c.Process, c.Seed^precondSeed)
		if err != nil {
			return TrainResult{}, err
		}
		net.Pre = pre
	}
	obj, err := NewDSM(net, data, c.T0, c.T1, c.Seed)
	if err != nil {
		return TrainResult{}, err
	}
	obj.Process, obj.Times, obj.Weighting = c.Process, c.Times, c.Weighting
	if c.Weighting == WeightUnit && net.Pre == nil {
		// a plain network trained with the unit weight: c_out from a calibration
		if obj.Pre, err = NewPrecond(data, D, c.T0, c.T1, c.Process, c.Seed^precondSeed); err != nil {
			return TrainResult{}, err
		}
	}
	start := time.Now()
	st := &trainState{pcg: parallel.Stream(c.Seed, -1)}
	var k0 int // the first step of this call
	st.rnd = rand.New(st.pcg)
	batch := make([]int, c.Batch)
	n := obj.Len()
	tail := max(c.Steps/10, 1)
	if c.EMA > 0 {
		st.avg = &ema{decay: c.EMA}
	}
	if c.Resume != nil {
		if err := st.restore(c.Resume, &c, net, opt, n); err != nil {
			return TrainResult{}, err
		}
		k0 = st.k
	}
	for ; st.k < c.Steps; st.k++ {
		k := st.k
		for i := range batch {
			batch[i] = st.rnd.IntN(n)
		}
		obj.Round = uint64(k)
		loss, err := opt.Step(net.W, obj, batch)
		if err != nil {
			return TrainResult{Steps: k, Elapsed: time.Since(start)}, fmt.Errorf("reflected: Train step %d: %w", k, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return TrainResult{Steps: k, Elapsed: time.Since(start)}, fmt.Errorf("reflected: Train step %d: non-finite loss %v", k, loss)
		}
		if c.Sparsity > 0 && k == c.PruneAt {
			if err := net.Net.Prune(net.W, c.Sparsity); err != nil {
				return TrainResult{Steps: k, Elapsed: time.Since(start)}, err
			}
		}
		if c.Bound > 0 {
			if err := net.Net.Project(net.W, c.Bound); err != nil {
				return TrainResult{Steps: k, Elapsed: time.Since(start)}, err
			}
		}
		if st.avg != nil {
			if c.Sparsity > 0 && k == c.PruneAt {
				st.avg.restart()
			}
			st.avg.update(net.W, net.mask())
		}
		if c.After != nil {
			c.After(k, net.W)
		}
		if k >= c.Steps-tail {
			st.tailSum += loss
			st.tailN++
		}
		if c.Progress != nil && ((k+1)%c.ProgressEvery == 0 || k == c.Steps-1) {
			el := time.Since(start).Seconds()
			eta := el / float64(k+1-k0) * float64(c.Steps-k-1)
			fmt.Fprintf(c.Progress, "reflected: DSM step %d/%d loss %.5g (%.1fs, ETA %.0fs)\n", k+1, c.Steps, loss, el, eta)
		}
		if c.Checkpoint != nil && (k+1)%c.CheckpointEvery == 0 && k+1 < c.Steps {
			st.k = k + 1
			cp, err := st.checkpoint(&c, net, opt, n)
			st.k = k
			if err == nil {
				err = c.Checkpoint(cp)
			}
			if err != nil {
				return TrainResult{Steps: k + 1, Elapsed: time.Since(start)}, fmt.Errorf("reflected: Train: checkpoint after step %d: %w", k+1, err)
			}
		}
		if ctx.Err() != nil && k+1 < c.Steps {
			st.k = k + 1
			res := TrainResult{Steps: st.k, Elapsed: time.Since(start)}
			cp, err := st.checkpoint(&c, net, opt, n)
			if err != nil {
				return res, fmt.Errorf("%w (stopped after step %d: %w)", err, st.k, ctx.Err())
			}
			res.Checkpoint = cp
			return res, fmt.Errorf("reflected: Train: stopped after step %d of %d: %w", st.k, c.Steps, ctx.Err())
		}
	}
	tailSum, tailN, avg := st.tailSum, st.tailN, st.avg
	for i, v := range net.W {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return TrainResult{Steps: c.Steps, Elapsed: time.Since(start)}, fmt.Errorf("reflected: Train: non-finite parameter W[%d] = %v", i, v)
		}
	}
	res := TrainResult{Steps: c.Steps}
	if tailN > 0 {
		res.Loss = tailSum / float64(tailN)
	}
	if avg != nil && c.Steps > 0 {
		obj.Round = uint64(c.Steps)
		res.LastLoss = evalLoss(obj, net.W, c.Batch, c.EvalPoints)
		copy(net.W, avg.avg)
		if c.Bound > 0 {
			if err := net.Net.Project(net.W, c.Bound); err != nil {
				return res, err
			}
		}
		for i, v := range net.W {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return res, fmt.Errorf("reflected: Train: non-finite averaged parameter W[%d] = %v", i, v)
			}
		}
		res.EMALoss = evalLoss(obj, net.W, c.Batch, c.EvalPoints)
		if c.Progress != nil {
			fmt.Fprintf(c.Progress, "reflected: DSM loss on all points, last iterate %.5g, EMA(%g) %.5g\n", res.LastLoss, c.EMA, res.EMALoss)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// precondSeed separates the calibration streams of NewPrecond from the DSM noise streams of
// the same Seed.
const precondSeed = 0x5052454344 // "PRECD"

// evalLoss returns the mean DSM loss of w over the first limit (0: all) training points of
// obj, in chunks of batch points.
func evalLoss(obj *DSM, w []float64, batch, limit int) float64 {
	n := obj.Len()
	if limit > 0 {
		n = min(n, limit)
	}
	idx := make([]int, 0, batch)
	var sum float64
	for lo := 0; lo < n; lo += batch {
		idx = idx[:0]
		for i := lo; i < min(lo+batch, n); i++ {
			idx = append(idx, i)
		}
		sum += obj.LossGrad(nil, w, idx) * float64(len(idx))
	}
	return sum / float64(n)
}
