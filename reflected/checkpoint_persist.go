package reflected

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Checkpoint file format, version 1 (integers little-endian, floats as IEEE-754 bits), in the
// family of the ScoreNet format:
//
//	magic    "SDEMLRCK"  8 bytes
//	version  uint32 = 1
//	step, steps, batch, pruneAt, sparsity, n   6 × int64
//	seed     uint64
//	t0, t1, bound, emaDecay                    4 × float64
//	process  uint32
//	net      uint64 length + ScoreNet.Save bytes (itself checksummed)
//	opt      uint64 length + bytes
//	rng      uint64 length + bytes
//	emaK     int64; ema uint64 count + float64 × count (count 0: no average)
//	tailSum  float64; tailN int64
//	crc      uint32       CRC-32 (IEEE) of every preceding byte
//
// The whole file is read (at most maxCheckpointBytes) before it is parsed, so a length field
// can never make the decoder allocate more than the input holds.
const (
	checkpointMagic    = "SDEMLRCK"
	checkpointVersion  = 1
	maxCheckpointBytes = 1 << 34
)

// Save writes the checkpoint to w.
func (cp *Checkpoint) Save(w io.Writer) error {
	if cp.Net == nil {
		return fmt.Errorf("reflected: Checkpoint.Save: Net is nil")
	}
	var b bytes.Buffer
	u64 := func(v uint64) { b.Write(binary.LittleEndian.AppendUint64(nil, v)) }
	b.WriteString(checkpointMagic)
	b.Write(binary.LittleEndian.AppendUint32(nil, checkpointVersion))
	for _, v := range []int{cp.Step, cp.Steps, cp.Batch, cp.PruneAt, cp.Sparsity, cp.N} {
		u64(uint64(int64(v)))
	}
	u64(cp.Seed)
	for _, v := range []float64{cp.T0, cp.T1, cp.Bound, cp.EMADecay} {
		u64(math.Float64bits(v))
	}
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(cp.Process)))
	var net bytes.Buffer
	if err := cp.Net.Save(&net); err != nil {
		return err
	}
	for _, blob := range [][]byte{net.Bytes(), cp.Opt, cp.RNG} {
		u64(uint64(len(blob)))
		b.Write(blob)
	}
	u64(uint64(int64(cp.EMAK)))
	u64(uint64(len(cp.EMA)))
	for _, v := range cp.EMA {
		u64(math.Float64bits(v))
	}
	u64(math.Float64bits(cp.TailSum))
	u64(uint64(int64(cp.TailN)))
	b.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(b.Bytes())))
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("reflected: Checkpoint.Save: %w", err)
	}
	return nil
}

// ckReader parses a checkpoint body; the first failure sticks.
type ckReader struct {
	b   []byte
	err error
}

func (r *ckReader) take(n uint64, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("reflected: LoadCheckpoint: %s needs %d bytes, %d left", what, n, len(r.b))
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *ckReader) u64(what string) uint64 {
	v := r.take(8, what)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

// int returns an int64 field that must lie in [0, 2⁶²).
func (r *ckReader) int(what string) int {
	v := int64(r.u64(what))
	if r.err == nil && (v < 0 || v >= 1<<62) {
		r.err = fmt.Errorf("reflected: LoadCheckpoint: %s = %d, need ≥ 0", what, v)
	}
	return int(v)
}

func (r *ckReader) f64(what string) float64 { return math.Float64frombits(r.u64(what)) }

func (r *ckReader) blob(what string) []byte {
	n := r.u64(what + " length")
	return bytes.Clone(r.take(n, what))
}

// LoadCheckpoint reads a checkpoint written by Checkpoint.Save. Malformed input (bad magic,
// version or checksum, truncation, lengths beyond the input, a bad network) returns an error,
// never a panic.
func LoadCheckpoint(r io.Reader) (*Checkpoint, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCheckpointBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: %w", err)
	}
	switch {
	case len(data) > maxCheckpointBytes:
		return nil, fmt.Errorf("reflected: LoadCheckpoint: input exceeds %d bytes", int64(maxCheckpointBytes))
	case len(data) < len(checkpointMagic)+8:
		return nil, fmt.Errorf("reflected: LoadCheckpoint: %d bytes, too short for a checkpoint", len(data))
	case string(data[:8]) != checkpointMagic:
		return nil, fmt.Errorf("reflected: LoadCheckpoint: bad magic %q", data[:8])
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != checkpointVersion {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: version %d, want %d", v, checkpointVersion)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: checksum %08x, stored %08x (corrupt file)", got, sum)
	}
	p := &ckReader{b: body[12:]}
	cp := &Checkpoint{}
	cp.Step, cp.Steps, cp.Batch = p.int("step"), p.int("steps"), p.int("batch")
	cp.PruneAt, cp.Sparsity, cp.N = p.int("pruneAt"), p.int("sparsity"), p.int("n")
	cp.Seed = p.u64("seed")
	cp.T0, cp.T1, cp.Bound, cp.EMADecay = p.f64("t0"), p.f64("t1"), p.f64("bound"), p.f64("ema decay")
	proc := p.take(4, "process")
	netBytes := p.blob("net")
	cp.Opt, cp.RNG = p.blob("optimizer state"), p.blob("rng state")
	cp.EMAK = p.int("ema count")
	nEMA := p.u64("ema length")
	emaBytes := p.take(nEMA*8, "ema") // nEMA·8 overflowing is caught: take checks against the input
	if nEMA > uint64(len(body)) {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: ema length %d exceeds the input", nEMA)
	}
	cp.TailSum, cp.TailN = p.f64("tail sum"), p.int("tail count")
	if p.err != nil {
		return nil, p.err
	}
	if len(p.b) != 0 {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: %d trailing bytes", len(p.b))
	}
	cp.Process = Process(binary.LittleEndian.Uint32(proc))
	if !cp.Process.valid() {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: process %d", int(cp.Process))
	}
	if nEMA > 0 {
		cp.EMA = make([]float64, nEMA)
		for i := range cp.EMA {
			cp.EMA[i] = math.Float64frombits(binary.LittleEndian.Uint64(emaBytes[8*i:]))
		}
	}
	if cp.Net, err = LoadScoreNet(bytes.NewReader(netBytes)); err != nil {
		return nil, err
	}
	if cp.EMA != nil && len(cp.EMA) != len(cp.Net.W) {
		return nil, fmt.Errorf("reflected: LoadCheckpoint: ema length %d, network has %d parameters", len(cp.EMA), len(cp.Net.W))
	}
	return cp, nil
}
