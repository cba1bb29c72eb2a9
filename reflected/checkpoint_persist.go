package reflected

import (
	"bytes"
	"fmt"
	"io"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// Checkpoint file format, version 2, in the internal/binfmt container (magic, version,
// little-endian fields, CRC-32 trailer; floats as IEEE-754 bits):
//
//	magic    "SDEMLRCK"  8 bytes
//	version  uint32 = 2
//	step, steps, batch, pruneAt, sparsity, n   6 × int64
//	seed     uint64
//	t0, t1, bound, emaDecay                    4 × float64
//	process  uint32
//	net      uint64 length + ScoreNet.Save bytes (itself checksummed; any body: MLP,
//	         ResMLP or U-Net)
//	opt      uint64 length + bytes (the optimizer's sam.Stateful.MarshalState or
//	         MarshalBinary)
//	rng      uint64 length + bytes
//	emaK     int64; ema uint64 count + float64 × count (count 0: no average)
//	tailSum  float64; tailN int64
//	weighting, param  2 × uint32
//	times    uint32 kind (0 LogUniform, 1 LogNormal) + 2 × float64 (Mean, Std)
//	crc      uint32       CRC-32 (IEEE) of every preceding byte
//
// The whole file is read (at most maxCheckpointBytes) before it is parsed, so a length field
// can never make the decoder allocate more than the input holds.
const (
	checkpointMagic    = "SDEMLRCK"
	checkpointVersion  = 2
	maxCheckpointBytes = 1 << 34
)

// Save writes the checkpoint to w in one Write (SaveFile replaces a file atomically).
func (cp *Checkpoint) Save(w io.Writer) error {
	if cp.Net == nil {
		return fmt.Errorf("reflected: Checkpoint.Save: Net is nil")
	}
	var net bytes.Buffer
	if err := cp.Net.Save(&net); err != nil {
		return err
	}
	e := binfmt.NewEncoder(checkpointMagic, checkpointVersion)
	for _, v := range []int{cp.Step, cp.Steps, cp.Batch, cp.PruneAt, cp.Sparsity, cp.N} {
		e.Int(v)
	}
	e.U64(cp.Seed)
	for _, v := range []float64{cp.T0, cp.T1, cp.Bound, cp.EMADecay} {
		e.F64(v)
	}
	e.U32(uint32(cp.Process))
	e.Blob(net.Bytes())
	e.Blob(cp.Opt)
	e.Blob(cp.RNG)
	e.Int(cp.EMAK)
	e.Floats(cp.EMA)
	e.F64(cp.TailSum)
	e.Int(cp.TailN)
	e.U32(uint32(cp.Weighting))
	e.U32(uint32(cp.Param))
	switch tt := cp.Times.(type) {
	case LogUniform:
		e.U32(0)
		e.F64(0)
		e.F64(0)
	case LogNormal:
		e.U32(1)
		e.F64(tt.Mean)
		e.F64(tt.Std)
	default:
		return fmt.Errorf("reflected: Checkpoint.Save: Times %T cannot be saved (LogUniform or LogNormal only)", cp.Times)
	}
	if _, err := e.WriteTo(w); err != nil {
		return fmt.Errorf("reflected: Checkpoint.Save: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by Checkpoint.Save. Malformed input (bad magic,
// version or checksum, truncation, lengths beyond the input, a bad network) returns an error,
// never a panic.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	d, err := binfmt.Open(r, checkpointMagic, checkpointVersion, maxCheckpointBytes)
	if err != nil {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: %w", err)
	}
	const big = 1<<62 - 1
	cp := &Checkpoint{}
	for _, f := range []struct {
		p    *int
		name string
	}{{&cp.Step, "step"}, {&cp.Steps, "steps"}, {&cp.Batch, "batch"}, {&cp.PruneAt, "pruneAt"}, {&cp.Sparsity, "sparsity"}, {&cp.N, "n"}} {
		*f.p = d.Int(f.name, 0, big)
	}
	cp.Seed = d.U64()
	cp.T0, cp.T1, cp.Bound, cp.EMADecay = d.F64(), d.F64(), d.F64(), d.F64()
	cp.Process = Process(d.U32())
	netBytes := d.Blob("net")
	cp.Opt, cp.RNG = d.Blob("optimizer state"), d.Blob("rng state")
	cp.EMAK = d.Int("ema count", 0, big)
	cp.EMA = d.Floats("ema")
	cp.TailSum, cp.TailN = d.F64(), d.Int("tail count", 0, big)
	cp.Weighting, cp.Param = Weighting(d.U32()), Param(d.U32())
	kind, m, sd := d.U32(), d.F64(), d.F64()
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: %w", err)
	}
	if !cp.Process.valid() {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: process %d", int(cp.Process))
	}
	if !cp.Weighting.valid() || (cp.Param != ParamPrecond && cp.Param != ParamPlain) {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: weighting %d, param %d", int(cp.Weighting), int(cp.Param))
	}
	switch kind {
	case 0:
		cp.Times = LogUniform{}
	case 1:
		ln := LogNormal{Mean: m, Std: sd}
		if err := ln.Validate(); err != nil {
			return nil, fmt.Errorf("reflected: LoadCheckpoint: %w", err)
		}
		cp.Times = ln
	default:
		return nil, fmt.Errorf("reflected: LoadCheckpoint: times kind %d, want 0 or 1", kind)
	}
	if len(cp.EMA) == 0 {
		cp.EMA = nil // count 0: no average
	}
	if cp.Net, err = LoadScoreNet(bytes.NewReader(netBytes)); err != nil {
		return nil, err
	}
	if cp.EMA != nil && len(cp.EMA) != len(cp.Net.W) {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: ema length %d, network has %d parameters", len(cp.EMA), len(cp.Net.W))
	}
	return cp, nil
}
