package meanfield

import (
	"fmt"
	"io"
	"math"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// Checkpoint file format, version 1, in the internal/binfmt container (magic, version,
// little-endian fields, CRC-32 trailer); floats are stored as IEEE-754 bits, so a round trip
// is exact. W, Weight and the stream states carry no count of their own: N, D, the weighted
// flag and nstreams fix their lengths.
//
//	magic      "SDEMLMFC"                     8 bytes
//	version    uint32 = 1
//	next       int64
//	method     uint32
//	schedule   Gamma, Beta, Alpha float64; N int64
//	batch      int64
//	penalty    float64
//	seed       uint64
//	reference  uint8 (0 or 1)
//	N, D       int64 × 2 (N·D <= maxCheckpointCoords)
//	weighted   uint8 (0 or 1)
//	W          float64 × N·D
//	Weight     float64 × N (only if weighted = 1)
//	shared     PCG state, pcgStateLen bytes
//	nstreams   int64 (0 or N)
//	streams    PCG state × nstreams
//	crc        uint32   CRC-32 (IEEE) of every preceding byte
//
// LoadCheckpoint reads at most maxCheckpointBytes and checks every count against the bytes
// actually present before allocating, so a header claiming absurd sizes is an error, not a
// large allocation.
const (
	checkpointMagic     = "SDEMLMFC"
	checkpointVersion   = 1
	maxCheckpointBytes  = 1 << 34
	maxCheckpointCoords = 1 << 31
)

// Save writes cp to w in the checkpoint format (see LoadCheckpoint). The bytes are built
// in memory and written with one Write, so w sees either the whole file or an error; use
// SaveFile to replace a file on disk atomically.
func (cp *Checkpoint) Save(w io.Writer) error {
	ps := cp.Particles
	if ps == nil || ps.N < 1 || ps.D < 1 || len(ps.W) != ps.N*ps.D || (ps.Weight != nil && len(ps.Weight) != ps.N) {
		return fmt.Errorf("meanfield: Checkpoint.Save: invalid Checkpoint.Particles")
	}
	if len(cp.Shared) != pcgStateLen {
		return fmt.Errorf("meanfield: Checkpoint.Save: len(Shared) = %d, want %d", len(cp.Shared), pcgStateLen)
	}
	if cp.Streams != nil && len(cp.Streams) != ps.N {
		return fmt.Errorf("meanfield: Checkpoint.Save: %d Streams for %d particles", len(cp.Streams), ps.N)
	}
	e := binfmt.NewEncoder(checkpointMagic, checkpointVersion)
	e.Int(cp.Next)
	e.U32(uint32(cp.Method))
	e.F64(cp.Schedule.Gamma)
	e.F64(cp.Schedule.Beta)
	e.F64(cp.Schedule.Alpha)
	e.Int(cp.Schedule.N)
	e.Int(cp.Batch)
	e.F64(cp.Penalty)
	e.U64(cp.Seed)
	e.Bool(cp.ReferenceSystem)
	e.Int(ps.N)
	e.Int(ps.D)
	e.Bool(ps.Weight != nil)
	e.FixedFloats(ps.W)
	e.FixedFloats(ps.Weight)
	e.Raw(cp.Shared)
	e.Int(len(cp.Streams))
	for k, s := range cp.Streams {
		if len(s) != pcgStateLen {
			return fmt.Errorf("meanfield: Checkpoint.Save: len(Streams[%d]) = %d, want %d", k, len(s), pcgStateLen)
		}
		e.Raw(s)
	}
	if _, err := e.WriteTo(w); err != nil {
		return fmt.Errorf("meanfield: Checkpoint.Save: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by Checkpoint.Save. Malformed input (wrong
// magic or version, checksum mismatch, truncation, trailing bytes, counts beyond the
// input, non-finite particles) returns an error naming the problem, never a panic. The
// random-stream states are checked when Trainer.Restore decodes them.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	cp, err := loadCheckpoint(r)
	if err != nil {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: %w", err)
	}
	return cp, nil
}

func loadCheckpoint(r io.Reader) (*Checkpoint, error) {
	d, err := binfmt.Open(r, checkpointMagic, checkpointVersion, maxCheckpointBytes)
	if err != nil {
		return nil, err
	}
	const big = 1 << 62
	cp := &Checkpoint{}
	cp.Next = d.Int("next", 0, big)
	cp.Method = Method(d.U32())
	cp.Schedule.Gamma, cp.Schedule.Beta, cp.Schedule.Alpha = d.F64(), d.F64(), d.F64()
	cp.Schedule.N = d.Int("Schedule.N", 0, big)
	cp.Batch = d.Int("batch", 0, big)
	cp.Penalty = d.F64()
	cp.Seed = d.U64()
	cp.ReferenceSystem = d.Bool("reference")
	n := d.Int("N", 1, maxCheckpointCoords)
	dim := d.Int("D", 1, maxCheckpointCoords)
	weighted := d.Bool("weighted")
	// After a failed read every value is 0, so the checks below pass and d.Err reports.
	if dim > 0 && n > maxCheckpointCoords/dim {
		return nil, fmt.Errorf("particles N = %d, D = %d (need N·D <= %d)", n, dim, maxCheckpointCoords)
	}
	w := d.FixedFloats("W", uint64(n*dim))
	var wt []float64
	if weighted {
		wt = d.FixedFloats("Weight", uint64(n))
	}
	cp.Shared = d.Raw("shared stream", uint64(pcgStateLen))
	ns := d.Int("nstreams", 0, n)
	if ns != 0 && ns != n {
		return nil, fmt.Errorf("nstreams = %d, want 0 or N = %d", ns, n)
	}
	if all := d.Raw("particle streams", uint64(ns)*uint64(pcgStateLen)); ns > 0 && all != nil {
		cp.Streams = make([][]byte, ns)
		for k := range cp.Streams {
			cp.Streams[k] = all[k*pcgStateLen : (k+1)*pcgStateLen : (k+1)*pcgStateLen]
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("particle coordinate %d is %v", i, v)
		}
	}
	for k, v := range wt {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("weight %d is %v", k, v)
		}
	}
	cp.Particles = &Particles{N: n, D: dim, W: w, Weight: wt}
	return cp, nil
}
