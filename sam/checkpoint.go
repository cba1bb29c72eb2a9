package sam

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/sdeml/sdeml/internal/binfmt"
	"github.com/sdeml/sdeml/nn"
)

// Checkpoint is the state of a Train run between two steps: the parameters, the
// optimizer's state (see Stateful), the position in the shuffled epochs and the history so
// far. Train with TrainSettings.Resume set to it continues exactly where the run stopped:
// the remaining steps, and so the final parameters and history, are bit-identical to an
// uninterrupted run with the same settings.
type Checkpoint struct {
	// Epoch and Step locate the next batch: batch Step of epoch Epoch's permutation.
	Epoch, Step int
	// Seed, Batch, Len and KeepLast are the settings and data size the run used; resuming
	// with different ones is an error, since the batches would differ.
	Seed     uint64
	Batch    int
	Len      int
	KeepLast bool
	// Params is w after the last completed step.
	Params []float64
	// Optimizer is the optimizer's MarshalState.
	Optimizer []byte
	// OptimizerKind names the optimizer that wrote Optimizer, e.g. "SAM(SGD)", "Adam",
	// "RWSAM(Adam)"; Train refuses to resume with an optimizer of another kind. It is empty,
	// and not checked, for optimizers (or bases) from outside this package, which may
	// forward another's state, and in files of format version 1.
	OptimizerKind string
	// Model is the objective's MarshalState when it implements Stateful (the model state
	// of an nn.GraphSupervised: batch-normalisation running statistics and the dropout
	// step), else empty; Train restores it on Resume.
	Model []byte
	// History is what Train recorded so far; EpochLoss is the sum of the step losses of the
	// current, unfinished epoch.
	History   History
	EpochLoss float64
}

// Checkpoint file format, version 3 (internal/binfmt container: magic, version,
// little-endian fields, CRC-32 trailer):
//
//	magic "SDEMLSCK", version uint32 = 3
//	epoch, step int64; seed uint64; batch, len int64; keepLast uint8
//	params    uint64 count + float64 × count
//	optimizer uint64 length + bytes
//	kind      uint64 length + UTF-8 bytes (OptimizerKind)
//	model     uint64 length + bytes (Model; version 3 only)
//	steps int64; trainLoss, eval (count + float64s); cost 6 × int64; epochLoss float64
//	crc uint32
//
// Version 1 is the same without kind and model, version 2 without model; LoadCheckpoint
// reads all three.
const (
	checkpointMagic   = "SDEMLSCK"
	checkpointVersion = 3
	maxCheckpoint     = 1 << 36
	maxKind           = 1 << 12
)

// Save writes cp to w in one Write. It returns an error, writing nothing, for a checkpoint
// that LoadCheckpoint would refuse (Batch or Len < 1, negative Epoch or Step, or a number
// of epoch losses other than Epoch). To write a file, use SaveFile, which replaces it
// atomically.
func (cp *Checkpoint) Save(w io.Writer) error {
	switch {
	case cp.Batch < 1 || cp.Len < 1:
		return fmt.Errorf("sam: Checkpoint.Save: Batch = %d, Len = %d, want both >= 1", cp.Batch, cp.Len)
	case cp.Epoch < 0 || cp.Step < 0:
		return fmt.Errorf("sam: Checkpoint.Save: Epoch = %d, Step = %d, want both >= 0", cp.Epoch, cp.Step)
	case len(cp.History.TrainLoss) != cp.Epoch:
		return fmt.Errorf("sam: Checkpoint.Save: %d epoch losses in History at Epoch = %d", len(cp.History.TrainLoss), cp.Epoch)
	}
	e := binfmt.NewEncoder(checkpointMagic, checkpointVersion)
	e.Int(cp.Epoch)
	e.Int(cp.Step)
	e.U64(cp.Seed)
	e.Int(cp.Batch)
	e.Int(cp.Len)
	e.Bool(cp.KeepLast)
	e.Floats(cp.Params)
	e.Blob(cp.Optimizer)
	e.Blob([]byte(cp.OptimizerKind))
	e.Blob(cp.Model)
	h := &cp.History
	e.Int(h.Steps)
	e.Floats(h.TrainLoss)
	e.Floats(h.Eval)
	for _, c := range []int{h.Cost.Forward, h.Cost.Backward, h.Cost.ForwardSamples, h.Cost.BackwardSamples, h.Cost.Serial, h.Cost.Depth} {
		e.Int(c)
	}
	e.F64(cp.EpochLoss)
	if _, err := e.WriteTo(w); err != nil {
		return fmt.Errorf("sam: Checkpoint.Save: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by Save. Malformed input (wrong magic or
// version, checksum mismatch, truncation, counts beyond the input, trailing bytes) returns an
// error; LoadCheckpoint never panics and allocates no more than the input holds.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCheckpoint+1))
	if err != nil {
		return nil, fmt.Errorf("sam: LoadCheckpoint: %w", err)
	}
	version := uint32(checkpointVersion)
	if len(data) >= len(checkpointMagic)+4 {
		if v := binary.LittleEndian.Uint32(data[len(checkpointMagic):]); v == 1 || v == 2 {
			version = v
		}
	}
	d, err := binfmt.Open(bytes.NewReader(data), checkpointMagic, version, maxCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("sam: LoadCheckpoint: %w", err)
	}
	const big = 1 << 62
	cp := &Checkpoint{}
	cp.Epoch = d.Int("epoch", 0, big)
	cp.Step = d.Int("step", 0, big)
	cp.Seed = d.U64()
	cp.Batch = d.Int("batch", 1, big)
	cp.Len = d.Int("len", 1, big)
	cp.KeepLast = d.Bool("keepLast")
	cp.Params = d.Floats("params")
	cp.Optimizer = d.Blob("optimizer")
	if version >= 2 {
		kind := d.Blob("optimizer kind")
		if len(kind) > maxKind || !utf8.Valid(kind) {
			return nil, fmt.Errorf("sam: LoadCheckpoint: optimizer kind of %d bytes is not a short UTF-8 name", len(kind))
		}
		cp.OptimizerKind = string(kind)
	}
	if version >= 3 {
		cp.Model = d.Blob("model")
	}
	h := &cp.History
	h.Steps = d.Int("steps", 0, big)
	h.TrainLoss = d.Floats("train loss")
	h.Eval = d.Floats("eval")
	for _, c := range []*int{&h.Cost.Forward, &h.Cost.Backward, &h.Cost.ForwardSamples, &h.Cost.BackwardSamples, &h.Cost.Serial, &h.Cost.Depth} {
		*c = d.Int("cost", 0, big)
	}
	cp.EpochLoss = d.F64()
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("sam: LoadCheckpoint: %w", err)
	}
	if len(h.TrainLoss) != cp.Epoch {
		return nil, fmt.Errorf("sam: LoadCheckpoint: %d epoch losses recorded at epoch %d", len(h.TrainLoss), cp.Epoch)
	}
	if cp.Step > 0 && (cp.Step-1)*cp.Batch >= cp.Len {
		return nil, fmt.Errorf("sam: LoadCheckpoint: step %d of batch %d is past the %d samples", cp.Step, cp.Batch, cp.Len)
	}
	return cp, nil
}

// newCheckpoint captures the run after step steps of epoch e.
func newCheckpoint(st *TrainSettings, w []float64, obj nn.Objective, opt Optimizer, h *History, e, steps int, sum float64) (*Checkpoint, error) {
	n := obj.Len()
	sf, ok := opt.(Stateful)
	if !ok {
		return nil, fmt.Errorf("sam: optimizer %T does not implement sam.Stateful, so it cannot be checkpointed", opt)
	}
	state, err := sf.MarshalState()
	if err != nil {
		return nil, err
	}
	var model []byte
	if so, ok := obj.(Stateful); ok {
		if model, err = so.MarshalState(); err != nil {
			return nil, err
		}
	}
	return &Checkpoint{Model: model, Epoch: e, Step: steps, Seed: st.Seed, Batch: st.Batch, Len: n, KeepLast: st.KeepLast,
		Params: append([]float64(nil), w...), Optimizer: state, OptimizerKind: kindOf(opt),
		History: cloneHistory(*h), EpochLoss: sum}, nil
}

// checkResume checks that cp belongs to a run with these settings and restores opt's state.
func (st *TrainSettings) checkResume(cp *Checkpoint, w []float64, obj nn.Objective, opt Optimizer) error {
	n := obj.Len()
	switch {
	case cp.Seed != st.Seed:
		return fmt.Errorf("sam: Train: Resume.Seed = %d, settings Seed = %d", cp.Seed, st.Seed)
	case cp.Batch != st.Batch:
		return fmt.Errorf("sam: Train: Resume.Batch = %d, settings Batch = %d", cp.Batch, st.Batch)
	case cp.KeepLast != st.KeepLast:
		return fmt.Errorf("sam: Train: Resume.KeepLast = %v, settings KeepLast = %v", cp.KeepLast, st.KeepLast)
	case cp.Len != n:
		return fmt.Errorf("sam: Train: Resume.Len = %d, objective Len() = %d", cp.Len, n)
	case len(cp.Params) != len(w):
		return fmt.Errorf("sam: Train: len(Resume.Params) = %d, len(w) = %d", len(cp.Params), len(w))
	case cp.Epoch > st.Epochs:
		return fmt.Errorf("sam: Train: Resume.Epoch = %d is past Epochs = %d", cp.Epoch, st.Epochs)
	case len(cp.History.TrainLoss) != cp.Epoch:
		return fmt.Errorf("sam: Train: Resume.History has %d epoch losses at epoch %d", len(cp.History.TrainLoss), cp.Epoch)
	case cp.OptimizerKind != "" && kindOf(opt) != "" && cp.OptimizerKind != kindOf(opt):
		return fmt.Errorf("sam: Train: Resume.OptimizerKind = %q, but the optimizer is %s: resume with the optimizer that wrote the checkpoint", cp.OptimizerKind, kindOf(opt))
	}
	sf, ok := opt.(Stateful)
	if !ok {
		return fmt.Errorf("sam: Train: optimizer %T does not implement sam.Stateful, so it cannot resume", opt)
	}
	if so, ok := obj.(Stateful); ok {
		if len(cp.Model) == 0 {
			return fmt.Errorf("sam: Train: Resume.Model is empty, but the objective %T has model state (a checkpoint written before format version 3, or for another objective)", obj)
		}
		if err := so.UnmarshalState(cp.Model); err != nil {
			return fmt.Errorf("sam: Train: Resume.Model: %w", unprefixed{err})
		}
	}
	if err := sf.UnmarshalState(cp.Optimizer); err != nil {
		return fmt.Errorf("sam: Train: Resume: %w", unprefixed{err})
	}
	return nil
}

func cloneHistory(h History) History {
	h.TrainLoss = append([]float64(nil), h.TrainLoss...)
	h.Eval = append([]float64(nil), h.Eval...)
	return h
}
