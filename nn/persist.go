package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"

	"github.com/sdeml/sdeml/internal/binfmt"
)

// File format of Save/Load, version 1, all integers little-endian:
//
//	magic    "SDEMLNN\x00"           8 bytes
//	version  uint32 = 1
//	layers   uint32 = len(Sizes)     2..maxLayers
//	sizes    uint32 × layers         each 1..maxWidth
//	hidden   uint8, output uint8     Activation values
//	masked   uint8                   0 or 1
//	nparams  uint64                  must equal NumParams()
//	params   float64 bits × nparams
//	mask     ⌈nparams/8⌉ bytes, bit i%8 of byte i/8 (only if masked = 1)
//	crc      uint32                  CRC-32 (IEEE) of every preceding byte
const (
	fileMagic   = "SDEMLNN\x00"
	fileVersion = 1
	maxLayers   = 1 << 10
	maxWidth    = 1 << 24
	maxParams   = 1 << 32
)

// Save writes the architecture of net (widths, activations, mask) and the parameters
// params (len NumParams) to w in a versioned, checksummed binary format read by Load
// (SaveFile writes a file atomically).
func Save(w io.Writer, net *MLP, params []float64) error {
	if err := net.Validate(); err != nil {
		return err
	}
	if len(params) != net.NumParams() {
		return fmt.Errorf("nn: Save len(params) = %d, want NumParams() = %d", len(params), net.NumParams())
	}
	if len(net.Sizes) > maxLayers {
		return fmt.Errorf("nn: Save len(Sizes) = %d exceeds %d", len(net.Sizes), maxLayers)
	}
	crc := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	var b [8]byte
	put32 := func(v uint32) { binary.LittleEndian.PutUint32(b[:4], v); bw.Write(b[:4]) }
	bw.WriteString(fileMagic)
	put32(fileVersion)
	put32(uint32(len(net.Sizes)))
	for _, s := range net.Sizes {
		if s > maxWidth {
			return fmt.Errorf("nn: Save width %d exceeds %d", s, maxWidth)
		}
		put32(uint32(s))
	}
	masked := byte(0)
	if net.Mask != nil {
		masked = 1
	}
	bw.Write([]byte{byte(net.Hidden), byte(net.Output), masked})
	binary.LittleEndian.PutUint64(b[:], uint64(len(params)))
	bw.Write(b[:])
	for _, v := range params {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		bw.Write(b[:])
	}
	if net.Mask != nil {
		bits := make([]byte, (len(params)+7)/8)
		for i, keep := range net.Mask {
			if keep {
				bits[i/8] |= 1 << (i % 8)
			}
		}
		bw.Write(bits)
	}
	return endSave(bw, crc, w, "Save")
}

// Load reads a network and its parameters written by Save. A wrong magic number or
// version, an invalid architecture, a parameter count that does not match it, a
// checksum mismatch, trailing or truncated data all return an error; Load never panics
// and its memory grows only with the bytes actually read.
func Load(r io.Reader) (*MLP, []float64, error) {
	lr, err := openLoad(r, "Load")
	if err != nil {
		return nil, nil, err
	}
	if v := lr.u32(); lr.err == nil && v == seqFileVersion {
		return nil, nil, errors.New("nn: Load: file holds a Sequential network (version 2): use LoadSequential")
	} else if lr.err == nil && v != fileVersion {
		return nil, nil, fmt.Errorf("nn: Load: unsupported format version %d (want %d)", v, fileVersion)
	}
	nl := lr.u32()
	if lr.err == nil && (nl < 2 || nl > maxLayers) {
		return nil, nil, fmt.Errorf("nn: Load: %d layer widths outside [2, %d]", nl, maxLayers)
	}
	net := &MLP{}
	for i := uint32(0); lr.err == nil && i < nl; i++ {
		s := lr.u32()
		if lr.err == nil && (s < 1 || s > maxWidth) {
			return nil, nil, fmt.Errorf("nn: Load: width %d = %d outside [1, %d]", i, s, maxWidth)
		}
		net.Sizes = append(net.Sizes, int(s))
	}
	var flags [3]byte
	copy(flags[:], lr.bytes(3))
	np := lr.u64()
	if lr.err != nil {
		return nil, nil, lr.fail()
	}
	net.Hidden, net.Output = Activation(flags[0]), Activation(flags[1])
	if err := net.Validate(); err != nil {
		return nil, nil, fmt.Errorf("nn: Load: %w", err)
	}
	if flags[2] > 1 {
		return nil, nil, fmt.Errorf("nn: Load: mask flag %d is not 0 or 1", flags[2])
	}
	if want := paramCount(net.Sizes); want > maxParams || np != uint64(want) {
		return nil, nil, fmt.Errorf("nn: Load: %d parameters stored, architecture %v needs %d", np, net.Sizes, want)
	}
	params := make([]float64, 0, min(np, 1<<16))
	for i := uint64(0); i < np && lr.err == nil; i++ {
		params = append(params, math.Float64frombits(lr.u64()))
	}
	if flags[2] == 1 && lr.err == nil {
		net.Mask = make([]bool, 0, len(params))
		for i := 0; i < len(params) && lr.err == nil; i += 8 {
			byt := lr.bytes(1)
			for k := i; k < min(i+8, len(params)) && lr.err == nil; k++ {
				net.Mask = append(net.Mask, byt[0]&(1<<(k-i)) != 0)
			}
		}
	}
	if err := lr.end(); err != nil {
		return nil, nil, err
	}
	return net, params, nil
}

// paramCount is NumParams for sizes, saturating instead of overflowing.
func paramCount(sizes []int) uint64 {
	var n uint64
	for l := 1; l < len(sizes); l++ {
		n += uint64(sizes[l]) * uint64(sizes[l-1]+1)
		if n > maxParams {
			return maxParams + 1
		}
	}
	return n
}

// endSave flushes bw, which writes to w and to crc, then writes the CRC-32 of every byte
// written; errors name the function name.
func endSave(bw *bufio.Writer, crc hash.Hash32, w io.Writer, name string) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("nn: %s: %w", name, err)
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], crc.Sum32())
	if _, err := w.Write(b[:]); err != nil {
		return fmt.Errorf("nn: %s: %w", name, err)
	}
	return nil
}

// openLoad returns a reader of r for the function name that checksums what it reads,
// after reading the magic number; a wrong one returns an error (a short file fails later,
// as truncated).
func openLoad(r io.Reader, name string) (*loadReader, error) {
	crc := crc32.NewIEEE()
	lr := &loadReader{r: io.TeeReader(bufio.NewReader(r), crc), crc: crc, name: name}
	magic := lr.bytes(len(fileMagic))
	if lr.err == nil && string(magic) != fileMagic {
		return nil, fmt.Errorf("nn: %s: bad magic %q, not an sdeml network file", name, magic)
	}
	return lr, nil
}

// loadReader reads little-endian values and remembers the first error.
type loadReader struct {
	r    io.Reader
	err  error
	buf  [8]byte
	crc  hash.Hash32 // of every byte read
	name string      // the reading function, for errors
}

// end returns the first read error (as truncation), or an error if the stored CRC-32 that
// follows does not match the bytes read or if data follows it.
func (l *loadReader) end() error {
	if l.err != nil {
		return l.fail()
	}
	sum := l.crc.Sum32()
	stored := l.u32()
	if l.err != nil {
		return l.fail()
	}
	if stored != sum {
		return fmt.Errorf("nn: %s: checksum mismatch (stored %08x, computed %08x): file is corrupt", l.name, stored, sum)
	}
	var extra [1]byte
	if n, _ := l.r.Read(extra[:]); n > 0 {
		return fmt.Errorf("nn: %s: trailing data after checksum", l.name)
	}
	return nil
}

func (l *loadReader) bytes(n int) []byte {
	if l.err != nil {
		return l.buf[:n]
	}
	_, l.err = io.ReadFull(l.r, l.buf[:n])
	return l.buf[:n]
}

func (l *loadReader) u32() uint32 { return binary.LittleEndian.Uint32(l.bytes(4)) }
func (l *loadReader) u64() uint64 { return binary.LittleEndian.Uint64(l.bytes(8)) }

func (l *loadReader) fail() error {
	return fmt.Errorf("nn: %s: file truncated: %w", l.name, binfmt.Truncated(l.err))
}
