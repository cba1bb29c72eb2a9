package meanfield

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Checkpoint file format, version 1, in the family of the library's model files (magic,
// version, little-endian fields, CRC-32 trailer); floats are stored as IEEE-754 bits, so a
// round trip is exact:
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
// in memory and written with one Write, so w sees either the whole file or an error; write
// to a temporary file and rename it for an atomic replacement on disk.
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
	var b bytes.Buffer
	b.Grow(64 + 8*(len(ps.W)+len(ps.Weight)) + pcgStateLen*(1+len(cp.Streams)))
	u64 := func(v uint64) { b.Write(binary.LittleEndian.AppendUint64(nil, v)) }
	f64 := func(v float64) { u64(math.Float64bits(v)) }
	flag := func(v bool) {
		if v {
			b.WriteByte(1)
		} else {
			b.WriteByte(0)
		}
	}
	b.WriteString(checkpointMagic)
	b.Write(binary.LittleEndian.AppendUint32(nil, checkpointVersion))
	u64(uint64(int64(cp.Next)))
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(cp.Method)))
	f64(cp.Schedule.Gamma)
	f64(cp.Schedule.Beta)
	f64(cp.Schedule.Alpha)
	u64(uint64(int64(cp.Schedule.N)))
	u64(uint64(int64(cp.Batch)))
	f64(cp.Penalty)
	u64(cp.Seed)
	flag(cp.ReferenceSystem)
	u64(uint64(ps.N))
	u64(uint64(ps.D))
	flag(ps.Weight != nil)
	for _, v := range ps.W {
		f64(v)
	}
	for _, v := range ps.Weight {
		f64(v)
	}
	b.Write(cp.Shared)
	u64(uint64(len(cp.Streams)))
	for k, s := range cp.Streams {
		if len(s) != pcgStateLen {
			return fmt.Errorf("meanfield: Checkpoint.Save: len(Streams[%d]) = %d, want %d", k, len(s), pcgStateLen)
		}
		b.Write(s)
	}
	b.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(b.Bytes())))
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("meanfield: Checkpoint.Save: %w", err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by Checkpoint.Save. Malformed input (wrong
// magic or version, checksum mismatch, truncation, trailing bytes, counts beyond the
// input, non-finite particles) returns an error naming the problem, never a panic. The
// random-stream states are checked when Trainer.Restore decodes them.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCheckpointBytes+1))
	if err != nil {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: %w", err)
	}
	if len(data) > maxCheckpointBytes {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: input exceeds %d bytes", int64(maxCheckpointBytes))
	}
	if len(data) < len(checkpointMagic)+4+4 {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: %d bytes, too short for a checkpoint", len(data))
	}
	if m := string(data[:len(checkpointMagic)]); m != checkpointMagic {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: bad magic %q, not an sdeml mean-field checkpoint", m)
	}
	body, tail := data[:len(data)-4], data[len(data)-4:]
	if stored, sum := binary.LittleEndian.Uint32(tail), crc32.ChecksumIEEE(body); stored != sum {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: checksum mismatch (stored %08x, computed %08x): file is corrupt or truncated", stored, sum)
	}
	rd := &ckReader{b: body[len(checkpointMagic):]}
	if v := rd.u32("version"); rd.err == nil && v != checkpointVersion {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: unsupported format version %d (want %d)", v, checkpointVersion)
	}
	cp := &Checkpoint{}
	cp.Next = rd.count("next", 1<<62)
	cp.Method = Method(rd.u32("method"))
	cp.Schedule.Gamma = rd.f64("Schedule.Gamma")
	cp.Schedule.Beta = rd.f64("Schedule.Beta")
	cp.Schedule.Alpha = rd.f64("Schedule.Alpha")
	cp.Schedule.N = rd.count("Schedule.N", 1<<62)
	cp.Batch = rd.count("batch", 1<<62)
	cp.Penalty = rd.f64("penalty")
	cp.Seed = rd.u64("seed")
	cp.ReferenceSystem = rd.flag("reference")
	n := rd.count("N", maxCheckpointCoords)
	d := rd.count("D", maxCheckpointCoords)
	weighted := rd.flag("weighted")
	if rd.err == nil && (n < 1 || d < 1 || n > maxCheckpointCoords/d) {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: particles N = %d, D = %d (need N, D >= 1, N·D <= %d)", n, d, maxCheckpointCoords)
	}
	if rd.err != nil {
		return nil, rd.err
	}
	w := rd.floats("W", n*d)
	var wt []float64
	if weighted {
		wt = rd.floats("Weight", n)
	}
	cp.Shared = rd.take(uint64(pcgStateLen), "shared stream")
	ns := rd.count("nstreams", n)
	if rd.err == nil && ns != 0 && ns != n {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: nstreams = %d, want 0 or N = %d", ns, n)
	}
	if rd.err == nil && ns > 0 {
		all := rd.take(uint64(ns)*uint64(pcgStateLen), "particle streams")
		if all != nil {
			cp.Streams = make([][]byte, ns)
			for k := range cp.Streams {
				cp.Streams[k] = all[k*pcgStateLen : (k+1)*pcgStateLen : (k+1)*pcgStateLen]
			}
		}
	}
	if rd.err != nil {
		return nil, rd.err
	}
	if len(rd.b) != 0 {
		return nil, fmt.Errorf("meanfield: LoadCheckpoint: %d unexpected bytes before the checksum", len(rd.b))
	}
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("meanfield: LoadCheckpoint: particle coordinate %d is %v", i, v)
		}
	}
	for k, v := range wt {
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("meanfield: LoadCheckpoint: weight %d is %v", k, v)
		}
	}
	cp.Particles = &Particles{N: n, D: d, W: w, Weight: wt}
	return cp, nil
}

// ckReader takes fields off the front of a checkpoint body; the first failure sticks.
type ckReader struct {
	b   []byte
	err error
}

func (r *ckReader) take(n uint64, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("meanfield: LoadCheckpoint: %s needs %d bytes, %d left: file truncated", what, n, len(r.b))
		return nil
	}
	v := bytes.Clone(r.b[:n])
	r.b = r.b[n:]
	return v
}

func (r *ckReader) u64(what string) uint64 {
	if v := r.take(8, what); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (r *ckReader) u32(what string) uint32 {
	if v := r.take(4, what); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *ckReader) f64(what string) float64 { return math.Float64frombits(r.u64(what)) }

func (r *ckReader) flag(what string) bool {
	v := r.take(1, what)
	if v != nil && v[0] > 1 {
		r.err = fmt.Errorf("meanfield: LoadCheckpoint: %s = %d, want 0 or 1", what, v[0])
	}
	return v != nil && v[0] == 1
}

// count reads an int64 that must lie in [0, limit].
func (r *ckReader) count(what string, limit int) int {
	v := int64(r.u64(what))
	if r.err == nil && (v < 0 || v > int64(limit)) {
		r.err = fmt.Errorf("meanfield: LoadCheckpoint: %s = %d outside [0, %d]", what, v, limit)
	}
	return int(v)
}

// floats reads n float64 values, after checking that the input holds them.
func (r *ckReader) floats(what string, n int) []float64 {
	raw := r.take(8*uint64(n), what)
	if raw == nil {
		return nil
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return out
}
