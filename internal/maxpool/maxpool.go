package maxpool

import (
	"fmt"
	"math"
)

// Row is one output row of a fused ReLU and 2×2 max pool over channels-last data with C
// channels. Pixel k of the row has its window's first entry at z[k·Step], and the
// entries (0,1), (1,0), (1,1) at offsets C, RowStride and RowStride + C from it (RowStride
// is the input width times C); Index is the index, in the caller's numbering, of z[0].
type Row struct {
	N, C, RowStride, Step, Index int
}

// ReLUMax2x2 sets, for pixel k < r.N and channel c < r.C of the row,
//
//	y[k·C+c]   = max over the window entries e (in order (0,0), (0,1), (1,0), (1,1)) of
//	             a_e = max(z[e] + b[c], 0),
//	arg[k·C+c] = Index + (offset in z of the first e with a_e maximal),
//
// where z[e] + b[c] is rounded once and a NaN a_e is the NaN of ReLUBits (a window with a
// NaN has that maximum, at its first NaN). It panics if a slice is too short for r or a
// size is not positive.
func ReLUMax2x2(y []float64, arg []int32, z, b []float64, r Row) {
	if r.N < 1 || r.C < 1 || r.RowStride < 2*r.C || r.Step < 1 {
		panic(fmt.Sprintf("maxpool: bad row %+v", r))
	}
	if need := (r.N-1)*r.Step + r.RowStride + 2*r.C; len(z) < need {
		panic(fmt.Sprintf("maxpool: len(z) = %d, row %+v needs %d", len(z), r, need))
	}
	if len(b) < r.C || len(y) < r.N*r.C || len(arg) < r.N*r.C {
		panic(fmt.Sprintf("maxpool: short b, y or arg (%d, %d, %d) for row %+v", len(b), len(y), len(arg), r))
	}
	if last := r.Index + (r.N-1)*r.Step + r.RowStride + 2*r.C; last > math.MaxInt32 {
		panic(fmt.Sprintf("maxpool: index %d overflows int32", last))
	}
	switch {
	case useAVX512 && r.C%8 == 0:
		reluMax2x2AVX512(z, b, y, arg, r.N, r.C, r.RowStride, r.Step, r.Index)
		return
	case useAVX2 && r.C%4 == 0:
		reluMax2x2AVX2(z, b, y, arg, r.N, r.C, r.RowStride, r.Step, r.Index)
		return
	}
	reluMax2x2(y, arg, z, b, r)
}

// reluMax2x2 is the portable ReLUMax2x2 (arguments checked by the caller).
func reluMax2x2(y []float64, arg []int32, z, b []float64, r Row) {
	C := r.C
	b = b[:C]
	o1, o2, o3 := C, r.RowStride, r.RowStride+C
	for k := 0; k < r.N; k++ {
		base := k * r.Step
		yo, ao := y[k*C:][:len(b)], arg[k*C:][:len(b)]
		z0, z1, z2, z3 := z[base:][:len(b)], z[base+o1:][:len(b)], z[base+o2:][:len(b)], z[base+o3:][:len(b)]
		for c, bc := range b {
			best, at := ReLUBits(z0[c]+bc), 0
			if u := ReLUBits(z1[c] + bc); u > best {
				best, at = u, o1
			}
			if u := ReLUBits(z2[c] + bc); u > best {
				best, at = u, o2
			}
			if u := ReLUBits(z3[c] + bc); u > best {
				best, at = u, o3
			}
			yo[c], ao[c] = math.Float64frombits(best), int32(r.Index+base+c+at)
		}
	}
}

const (
	signBit = 1 << 63
	infBits = 0x7FF0000000000000 // +Inf
	// NaN is the bit pattern of every NaN activation: the kernel's sums can carry NaN
	// payloads that depend on operand order, which would otherwise make the results
	// differ between the assembly and the portable code.
	NaN = 0x7FF8000000000000
)

// ReLUBits returns the bits of max(v, 0): +0 for v < 0 and v = −0, the bits of v for
// v > 0, and NaN for a NaN of either sign. As unsigned integers these order as the values
// do, with NaN above +Inf.
func ReLUBits(v float64) uint64 {
	u := math.Float64bits(v)
	abs := u &^ signBit
	if int64(u) < 0 {
		u = 0
	}
	if abs > infBits {
		u = NaN
	}
	return u
}

// ReLUMax2x2Back is the backward pass of ReLUMax2x2 for a row whose windows do not
// overlap (Step = 2C): it sets every entry of every window of the row in dx (indexed like
// z) to 0, except that entry arg[k·C+c] − Index of pixel k receives 0 + dy[k·C+c] when
// the window's maximum y[k·C+c] is positive (0 < y ≤ +Inf; ReLU' = 0 at +0, and nothing
// is sent back from a NaN): the bits of clearing the windows and adding dy at the argmax. dx entries outside the windows are not touched. It panics if a
// slice is too short for r, a size is not positive or Step ≠ 2C.
func ReLUMax2x2Back(dx, dy, y []float64, arg []int32, r Row) {
	if r.N < 1 || r.C < 1 || r.RowStride < 2*r.C || r.Step != 2*r.C {
		panic(fmt.Sprintf("maxpool: bad row %+v for the backward pass", r))
	}
	if need := (r.N-1)*r.Step + r.RowStride + 2*r.C; len(dx) < need {
		panic(fmt.Sprintf("maxpool: len(dx) = %d, row %+v needs %d", len(dx), r, need))
	}
	if len(dy) < r.N*r.C || len(y) < r.N*r.C || len(arg) < r.N*r.C {
		panic(fmt.Sprintf("maxpool: short dy, y or arg (%d, %d, %d) for row %+v", len(dy), len(y), len(arg), r))
	}
	switch {
	case useAVX512 && r.C%8 == 0:
		reluMax2x2BackAVX512(dx, dy, y, arg, r.N, r.C, r.RowStride, r.Index)
		return
	case useAVX2 && r.C%4 == 0:
		reluMax2x2BackAVX2(dx, dy, y, arg, r.N, r.C, r.RowStride, r.Index)
		return
	}
	reluMax2x2Back(dx, dy, y, arg, r)
}

// reluMax2x2Back is the portable ReLUMax2x2Back (arguments checked by the caller).
func reluMax2x2Back(dx, dy, y []float64, arg []int32, r Row) {
	C := r.C
	for k := 0; k < r.N; k++ {
		base := k * r.Step
		for _, o := range [4]int{0, C, r.RowStride, r.RowStride + C} {
			d := dx[base+o:][:C]
			for c := range d {
				q := k*C + c
				v := 0.0 // +0 + dy, as a scatter-add onto a cleared dx gives (−0 becomes +0)
				if u := math.Float64bits(y[q]); u-1 < infBits && int(arg[q]) == r.Index+base+o+c {
					v += dy[q]
				}
				d[c] = v
			}
		}
	}
}
