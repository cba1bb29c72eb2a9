package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"
)

// File format of SaveSequential/LoadSequential: the family of Save (same magic, CRC-32
// trailer), version 2, all integers little-endian:
//
//	magic    "SDEMLNN\x00"            8 bytes
//	version  uint32 = 2               (1 is an MLP, see Save)
//	in       uint32 × 3               C, H, W
//	layers   uint32                   1..maxLayers
//	layer    uint8 kind (1 Conv2D, 2 MaxPool, 3 AvgPool, 4 Flatten, 5 Dense),
//	         uint32 × 4 (Conv2D: Out Kernel Stride Pad; pools: Size Stride 0 0;
//	         Dense: Out 0 0 0; Flatten: 0 0 0 0), uint8 Act      × layers
//	nparams  uint64                   must equal NumParams()
//	params   float64 bits × nparams
//	crc      uint32                   CRC-32 (IEEE) of every preceding byte
const seqFileVersion = 2

// maxSeqValues bounds the values of one sample at any layer of a loaded network.
const maxSeqValues = 1 << 31

const (
	kindConv = 1 + iota
	kindMax
	kindAvg
	kindFlatten
	kindDense
)

// SaveSequential writes the architecture of net and the parameters params (len
// NumParams) to w, read back by LoadSequential (SaveSequentialFile writes a file
// atomically).
func SaveSequential(w io.Writer, net *Sequential, params []float64) error {
	if net == nil || len(net.stages) == 0 {
		return errors.New("nn: SaveSequential: net is nil or not built by NewSequential")
	}
	if len(params) != net.NumParams() {
		return fmt.Errorf("nn: SaveSequential len(params) = %d, want NumParams() = %d", len(params), net.NumParams())
	}
	crc := crc32.NewIEEE()
	bw := bufio.NewWriter(io.MultiWriter(w, crc))
	var b [8]byte
	put32 := func(v int) { binary.LittleEndian.PutUint32(b[:4], uint32(v)); bw.Write(b[:4]) }
	bw.WriteString(fileMagic)
	put32(seqFileVersion)
	put32(net.In.C)
	put32(net.In.H)
	put32(net.In.W)
	put32(len(net.Layers))
	for _, l := range net.Layers {
		var kind byte
		var f [4]int
		var act Activation
		switch L := l.(type) {
		case Conv2D:
			kind, f, act = kindConv, [4]int{L.Out, L.Kernel, L.Stride, L.Pad}, L.Act
		case MaxPool:
			kind, f = kindMax, [4]int{L.Size, L.Stride}
		case AvgPool:
			kind, f = kindAvg, [4]int{L.Size, L.Stride}
		case Flatten:
			kind = kindFlatten
		case Dense:
			kind, f, act = kindDense, [4]int{L.Out}, L.Act
		}
		bw.WriteByte(kind)
		for _, v := range f {
			put32(v)
		}
		bw.WriteByte(byte(act))
	}
	binary.LittleEndian.PutUint64(b[:], uint64(len(params)))
	bw.Write(b[:])
	for _, v := range params {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		bw.Write(b[:])
	}
	return endSave(bw, crc, w, "SaveSequential")
}

// LoadSequential reads a network and its parameters written by SaveSequential. A wrong
// magic number or version, an invalid architecture (checked by NewSequential, and no layer
// above 2^31 values per sample or 2^32 parameters), a parameter count that does not match
// it, a checksum mismatch, trailing or truncated data all return an error; it never panics
// and its memory grows only with the bytes actually read.
func LoadSequential(r io.Reader) (*Sequential, []float64, error) {
	lr, err := openLoad(r, "LoadSequential")
	if err != nil {
		return nil, nil, err
	}
	if v := lr.u32(); lr.err == nil && v != seqFileVersion {
		return nil, nil, fmt.Errorf("nn: LoadSequential: format version %d is not 2 (a Sequential network; 1 is an MLP, read by Load)", v)
	}
	var in Shape
	in.C, in.H, in.W = int(lr.u32()), int(lr.u32()), int(lr.u32())
	nl := lr.u32()
	if lr.err == nil && (nl < 1 || nl > maxLayers) {
		return nil, nil, fmt.Errorf("nn: LoadSequential: %d layers outside [1, %d]", nl, maxLayers)
	}
	if lr.err == nil && float64(in.C)*float64(in.H)*float64(in.W) > maxSeqValues {
		return nil, nil, fmt.Errorf("nn: LoadSequential: input %v exceeds %d values", in, maxSeqValues)
	}
	var layers []Layer
	for i := uint32(0); lr.err == nil && i < nl; i++ {
		kind := lr.bytes(1)[0]
		var f [4]int
		for j := range f {
			f[j] = int(int32(lr.u32())) // negative values stay negative and fail validation
		}
		act := Activation(lr.bytes(1)[0])
		switch kind {
		case kindConv:
			layers = append(layers, Conv2D{Out: f[0], Kernel: f[1], Stride: f[2], Pad: f[3], Act: act})
		case kindMax:
			layers = append(layers, MaxPool{Size: f[0], Stride: f[1]})
		case kindAvg:
			layers = append(layers, AvgPool{Size: f[0], Stride: f[1]})
		case kindFlatten:
			layers = append(layers, Flatten{})
		case kindDense:
			layers = append(layers, Dense{Out: f[0], Act: act})
		default:
			if lr.err == nil {
				return nil, nil, fmt.Errorf("nn: LoadSequential: layer %d has kind %d, not 1..5", i, kind)
			}
		}
	}
	np := lr.u64()
	if lr.err != nil {
		return nil, nil, lr.fail()
	}
	net, err := NewSequential(in, layers...)
	if err != nil {
		return nil, nil, fmt.Errorf("nn: LoadSequential: %s", strings.TrimPrefix(err.Error(), "nn: "))
	}
	want := 0.0
	for _, st := range net.stages {
		// Recomputed in floating point so that a corrupt header cannot overflow ints.
		k := float64(st.kh) * float64(st.kw) * float64(st.in.C)
		if float64(st.out.C)*float64(st.out.H)*float64(st.out.W) > maxSeqValues || k > maxSeqValues {
			return nil, nil, fmt.Errorf("nn: LoadSequential: a layer of output %v exceeds %d values", st.out, maxSeqValues)
		}
		if st.kind == stageConv {
			want += float64(st.out.C) * (k + 1)
		}
	}
	if want > maxParams || np != uint64(want) {
		return nil, nil, fmt.Errorf("nn: LoadSequential: %d parameters stored, architecture needs %.0f", np, want)
	}
	params := make([]float64, 0, min(np, 1<<16))
	for i := uint64(0); i < np && lr.err == nil; i++ {
		params = append(params, math.Float64frombits(lr.u64()))
	}
	if err := lr.end(); err != nil {
		return nil, nil, err
	}
	return net, params, nil
}
