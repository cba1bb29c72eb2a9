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

// TrainSettings configures Train. The zero value (or nil) means the defaults.
type TrainSettings struct {
	// Steps is the number of optimizer steps; 0 means 3000.
	Steps int
	// Batch is the minibatch size (indices drawn uniformly with replacement); 0 means 128.
	Batch int
	// T0 and T1 bound the log-uniform training times; 0 means 2e-4 and MixingTime(D, 1e-3).
	T0, T1 float64
	// Seed selects the minibatches and the DSM noise draws.
	Seed uint64
	// DataDim, if nonzero, is the number of coordinates of each data point; Train returns
	// an error unless it equals the network's D. The flat data slice carries no column
	// count, so without DataDim a set of 100 points in 3-D (length 300) given to a D = 2
	// network would be read as 150 points in 2-D; set it whenever the data come from
	// elsewhere. 0 checks only that len(data) is a multiple of D.
	DataDim int
	// Progress, if non-nil, receives a progress line every ProgressEvery steps (0 means
	// Steps/10) and at the end.
	Progress      io.Writer
	ProgressEvery int
	// Sparsity S > 0 restricts the network to the class Φ(L, W, S, B): at step PruneAt
	// (0 means Steps/2) the parameters are magnitude-pruned to S nonzeros (nn.MLP.Prune,
	// which fixes the mask), and training continues on that support. 0 keeps it dense.
	Sparsity, PruneAt int
	// Bound B > 0 projects every parameter into [−B, B] after each step (nn.MLP.Project).
	Bound float64
	// EMA in [0, 1) is the decay β of an exponential moving average of the parameters
	// (0 = off). After every step (after pruning and projection) the average is updated as
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
	// otherwise); the optimizer must implement encoding.BinaryMarshaler and
	// encoding.BinaryUnmarshaler.
	Resume *Checkpoint
	// After, if non-nil, is called after every step with the step number and the current
	// iterate (not the average).
	After func(step int, w []float64)
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
// any sam.Optimizer (e.g. &sam.Adam{} or a SAM variant), updating net.W in place. Step k
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
	if opt == nil {
		return TrainResult{}, fmt.Errorf("reflected: Train: optimizer is nil")
	}
	if len(net.W) != net.Net.NumParams() {
		return TrainResult{}, fmt.Errorf("reflected: Train: len(net.W) = %d, want %d parameters", len(net.W), net.Net.NumParams())
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
	case c.Sparsity < 0 || c.Sparsity > net.Net.NumParams():
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Sparsity = %d, need 0 ≤ S ≤ %d parameters", c.Sparsity, net.Net.NumParams())
	case c.PruneAt < 0:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.PruneAt = %d, need ≥ 0", c.PruneAt)
	case c.Bound < 0 || math.IsNaN(c.Bound):
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Bound = %v, need ≥ 0", c.Bound)
	case !(c.EMA >= 0 && c.EMA < 1):
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.EMA = %v, need 0 ≤ EMA < 1", c.EMA)
	case !c.Process.valid():
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.Process = %d, need Reflected or Free", int(c.Process))
	case c.ProgressEvery < 1:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.ProgressEvery = %d, need ≥ 1", c.ProgressEvery)
	case c.DataDim != 0 && c.DataDim != D:
		return TrainResult{}, fmt.Errorf("reflected: TrainSettings.DataDim = %d, but the network has D = %d (dimension mismatch)", c.DataDim, D)
	}
	obj, err := NewDSM(net, data, c.T0, c.T1, c.Seed)
	if err != nil {
		return TrainResult{}, err
	}
	obj.Process = c.Process
	start := time.Now()
	st := &trainState{pcg: parallel.Stream(c.Seed, -1)}
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
			st.avg.update(net.W, net.Net.Mask)
		}
		if c.After != nil {
			c.After(k, net.W)
		}
		if k >= c.Steps-tail {
			st.tailSum += loss
			st.tailN++
		}
		if c.Progress != nil && ((k+1)%c.ProgressEvery == 0 || k == c.Steps-1) {
			fmt.Fprintf(c.Progress, "reflected: DSM step %d/%d loss %.5g (%.1fs)\n", k+1, c.Steps, loss, time.Since(start).Seconds())
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
		res.LastLoss = evalLoss(obj, net.W, c.Batch)
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
		res.EMALoss = evalLoss(obj, net.W, c.Batch)
		if c.Progress != nil {
			fmt.Fprintf(c.Progress, "reflected: DSM loss on all points, last iterate %.5g, EMA(%g) %.5g\n", res.LastLoss, c.EMA, res.EMALoss)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// evalLoss returns the mean DSM loss of w over all training points of obj, in chunks of
// batch points.
func evalLoss(obj *DSM, w []float64, batch int) float64 {
	n := obj.Len()
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
