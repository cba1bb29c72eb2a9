package sam

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/sdeml/sdeml/nn"
)

// TrainSettings configures Train; the zero value (or nil) means one epoch of batches of
// min(128, n) with seed 0, the last incomplete batch dropped, no evaluation, no output.
type TrainSettings struct {
	// Epochs is the number of passes over the data (default 1).
	Epochs int
	// Batch is the batch size (default min(128, n)).
	Batch int
	// Seed seeds the per-epoch shuffles: epoch e uses the permutation drawn from a PCG
	// stream (Seed, e), so a run is reproducible and epochs are independent of each other.
	Seed uint64
	// KeepLast keeps the last incomplete batch of each epoch (m-SAM may then need
	// RemainderPartial); by default it is dropped.
	KeepLast bool
	// BeforeEpoch, if non-nil, is called at the start of every epoch e (also of the epoch a
	// Resume continues) before its first step; an error stops training. It is where epoch-wise
	// data preparation goes, e.g. a data.Augment redrawing the objective's inputs for epoch e:
	// since that depends only on e, a resumed run sees the same data as an uninterrupted one.
	BeforeEpoch func(epoch int) error
	// Eval, if non-nil, is called after every epoch with the current parameters; its value
	// is recorded in History.Eval and printed, and an error stops training.
	Eval func(epoch int, w []float64) (float64, error)
	// Progress, if non-nil, receives one line per epoch.
	Progress io.Writer
	// Name prefixes the progress lines (followed by a space).
	Name string
	// Context, if non-nil, is checked after every step: once it is done, Train returns
	// the history so far and an error wrapping Context.Err(), with w holding the
	// parameters after the last completed step.
	Context context.Context
	// SaveCheckpoint, if non-nil, receives a Checkpoint when Context stops the run and,
	// with CheckpointEvery = k > 0, after every k-th step; an error from it stops training.
	// The optimizer (and its Base) must implement Stateful.
	SaveCheckpoint  func(*Checkpoint) error
	CheckpointEvery int
	// Resume, if non-nil, continues the run that wrote it: w is overwritten with its
	// parameters, the optimizer's state is restored and training goes on from its epoch
	// and step, giving the same bits as the uninterrupted run. Seed, Batch, KeepLast and
	// the data size must match the checkpoint's.
	Resume *Checkpoint
}

// History is what Train records.
type History struct {
	// TrainLoss[e] is the mean of the step losses of epoch e.
	TrainLoss []float64
	// Eval[e] is the evaluation after epoch e (empty without Eval).
	Eval []float64
	// Steps is the number of optimizer steps taken.
	Steps int
	// Cost sums LastCost over all steps if the optimizer is a Coster.
	Cost Cost
}

// Train runs opt over obj for s.Epochs epochs of shuffled batches, updating w in place. It
// stops with an error (wrapping the optimizer's, with the epoch and step) on a non-finite
// loss or parameter, and with an error naming the field on bad settings.
func Train(w []float64, obj nn.Objective, opt Optimizer, s *TrainSettings) (*History, error) {
	var st TrainSettings
	if s != nil {
		st = *s
	}
	if opt == nil {
		return nil, fmt.Errorf("sam: Train: optimizer = nil")
	}
	if obj == nil {
		return nil, fmt.Errorf("sam: Train: objective = nil")
	}
	n := obj.Len()
	switch {
	case len(w) != obj.Dim():
		return nil, fmt.Errorf("sam: Train: len(w) = %d, objective Dim() = %d", len(w), obj.Dim())
	case n < 1:
		return nil, fmt.Errorf("sam: Train: objective has Len() = %d samples", n)
	case st.Epochs < 0:
		return nil, fmt.Errorf("sam: Train: Epochs = %d must be >= 0", st.Epochs)
	case st.Batch < 0 || st.Batch > n:
		return nil, fmt.Errorf("sam: Train: Batch = %d must be in [0, n = %d]", st.Batch, n)
	case st.CheckpointEvery < 0:
		return nil, fmt.Errorf("sam: Train: CheckpointEvery = %d must be >= 0", st.CheckpointEvery)
	}
	if st.Epochs == 0 {
		st.Epochs = 1
	}
	if st.Batch == 0 {
		st.Batch = min(128, n)
	}
	if err := checkBatches(opt, n, st.Batch, st.KeepLast); err != nil {
		return nil, err
	}
	ctx := st.Context
	if ctx == nil {
		ctx = context.Background()
	}
	name := st.Name
	if name != "" && !strings.HasSuffix(name, " ") {
		name += " "
	}
	coster, _ := opt.(Coster)
	perm := make([]int, n)
	h := &History{}
	e0, step0, sum0 := 0, 0, 0.0
	if cp := st.Resume; cp != nil {
		if err := st.checkResume(cp, w, obj, opt); err != nil {
			return nil, err
		}
		copy(w, cp.Params)
		*h = cloneHistory(cp.History)
		e0, step0, sum0 = cp.Epoch, cp.Step, cp.EpochLoss
	}
	snapshot := func(e, steps int, sum float64) error {
		if st.SaveCheckpoint == nil {
			return nil
		}
		cp, err := newCheckpoint(&st, w, obj, opt, h, e, steps, sum)
		if err == nil {
			err = st.SaveCheckpoint(cp)
		}
		if err != nil {
			return fmt.Errorf("sam: Train: checkpoint at epoch %d, step %d: %w", e, steps, unprefixed{err})
		}
		return nil
	}
	start := time.Now()
	for e := e0; e < st.Epochs; e++ {
		if st.BeforeEpoch != nil {
			if err := st.BeforeEpoch(e); err != nil {
				return h, fmt.Errorf("sam: Train: BeforeEpoch(%d): %w", e, err)
			}
		}
		for i := range perm {
			perm[i] = i
		}
		rand.New(rand.NewPCG(st.Seed, uint64(e))).Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var sum float64
		var steps int
		if e == e0 {
			steps, sum = step0, sum0
		}
		for lo := steps * st.Batch; lo < n; lo += st.Batch {
			hi := lo + st.Batch
			if hi > n {
				if !st.KeepLast {
					break
				}
				hi = n
			}
			loss, err := opt.Step(w, obj, perm[lo:hi])
			if err == nil && !finite(loss) {
				err = fmt.Errorf("loss = %v is not finite", loss)
			}
			if err != nil {
				return h, fmt.Errorf("sam: Train: epoch %d, step %d: %w", e, steps, unprefixed{err})
			}
			sum += loss
			steps++
			h.Steps++
			if coster != nil {
				c := coster.LastCost()
				h.Cost.add(c)
				h.Cost.Serial += c.Serial
				h.Cost.Depth += c.Depth
			}
			if ctx.Err() != nil {
				if err := snapshot(e, steps, sum); err != nil {
					return h, err
				}
				return h, fmt.Errorf("sam: Train: stopped after epoch %d, step %d: %w", e, steps-1, context.Cause(ctx))
			}
			if st.CheckpointEvery > 0 && h.Steps%st.CheckpointEvery == 0 {
				if err := snapshot(e, steps, sum); err != nil {
					return h, err
				}
			}
		}
		h.TrainLoss = append(h.TrainLoss, sum/float64(max(steps, 1)))
		line := fmt.Sprintf("%sepoch %d/%d  train loss %.5g", name, e+1, st.Epochs, h.TrainLoss[e])
		if st.Eval != nil {
			v, err := st.Eval(e, w)
			if err != nil {
				return h, fmt.Errorf("sam: Train: Eval after epoch %d: %w", e, err)
			}
			h.Eval = append(h.Eval, v)
			line += fmt.Sprintf("  eval %.5g", v)
		}
		if st.Progress != nil {
			fmt.Fprintf(st.Progress, "%s  %.1fs\n", line, time.Since(start).Seconds())
		}
	}
	return h, nil
}

// unprefixed wraps an error from this package for Train's own "sam: Train: ..." message,
// dropping the inner "sam: " so the prefix appears once; errors.Is/As still see err.
type unprefixed struct{ err error }

func (u unprefixed) Error() string { return strings.TrimPrefix(u.err.Error(), "sam: ") }
func (u unprefixed) Unwrap() error { return u.err }
