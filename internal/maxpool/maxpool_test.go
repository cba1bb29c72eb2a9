package maxpool

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/cpu"
)

// refWindow is the maximum of one window from the definition, without bit tricks: the
// activations a_e = z_e + b if that is positive, NaN if it is NaN, else +0; with a NaN the
// first NaN entry (and the canonical NaN), else the largest value and the first entry
// equal to it.
func refWindow(zs [4]float64, b float64) (uint64, int) {
	var a [4]float64
	for e, v := range zs {
		if s := v + b; s > 0 || s != s {
			a[e] = s
		}
	}
	for e := range a {
		if a[e] != a[e] {
			return NaN, e
		}
	}
	best := 0
	for e := 1; e < 4; e++ {
		if a[e] > a[best] {
			best = e
		}
	}
	return math.Float64bits(a[best]), best
}

// draw returns a value that is often negative, zero of either sign, tied with others,
// infinite or NaN of either sign.
func draw(rng *rand.Rand) float64 {
	switch rng.IntN(12) {
	case 0:
		return math.Copysign(0, -1)
	case 1:
		return 0
	case 2:
		return math.Inf(1 - 2*rng.IntN(2))
	case 3:
		return math.Float64frombits(0x7FF8000000000000 | rng.Uint64()&0xFFFF) // +NaN
	case 4:
		return math.Float64frombits(0xFFF8000000000000 | rng.Uint64()&0xFFFF) // -NaN
	case 5, 6:
		return float64(rng.IntN(3)) // ties
	}
	return rng.NormFloat64()
}

// forEachLevel runs f with the kernels of each level this CPU and build support (AVX-512,
// AVX2, portable), whatever SDEML_CPU selected, and restores the selection.
func forEachLevel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	have512, have2 := useAVX512, useAVX2
	defer func() { useAVX512, useAVX2 = have512, have2 }()
	for _, l := range []struct {
		name             string
		ok, avx512, avx2 bool
	}{
		{"avx512", have512, true, true},
		{"avx2", have2, false, true},
		{"portable", true, false, false},
	} {
		if !l.ok {
			continue
		}
		useAVX512, useAVX2 = l.avx512, l.avx2
		t.Run(l.name, f)
	}
}

// channelCounts are the C of the tests: multiples of 8 (every kernel), of 4 only (AVX2 and
// portable) and others (portable).
var channelCounts = []int{1, 3, 4, 8, 12, 16, 20, 24, 32}

func TestReLUMax2x2(t *testing.T) { forEachLevel(t, testReLUMax2x2) }

func testReLUMax2x2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 450; trial++ {
		C := channelCounts[trial%len(channelCounts)]
		W := 2 + rng.IntN(6)
		step := C * (1 + rng.IntN(2)) // stride 1 or 2
		n := 1 + (W*C-2*C)/step       // pixels whose window fits in the two rows
		r := Row{N: n, C: C, RowStride: W * C, Step: step, Index: rng.IntN(1000)}
		z := make([]float64, 2*W*C)
		for i := range z {
			z[i] = draw(rng)
		}
		b := make([]float64, C)
		for i := range b {
			b[i] = draw(rng)
			if i%3 == 0 {
				b[i] = 0
			}
		}
		checkForward(t, z, b, r)
	}
}

// checkForward runs ReLUMax2x2 and the portable loop on (z, b, r) and compares both with
// refWindow, window by window.
func checkForward(t *testing.T, z, b []float64, r Row) {
	t.Helper()
	n, C := r.N, r.C
	y, arg := make([]float64, n*C), make([]int32, n*C)
	ReLUMax2x2(y, arg, z, b, r)
	y2, arg2 := make([]float64, n*C), make([]int32, n*C)
	reluMax2x2(y2, arg2, z, b, r)
	offs := [4]int{0, C, r.RowStride, r.RowStride + C}
	for k := 0; k < n; k++ {
		for c := 0; c < C; c++ {
			var zs [4]float64
			for e, o := range offs {
				zs[e] = z[k*r.Step+o+c]
			}
			want, e := refWindow(zs, b[c])
			wantArg := int32(r.Index + k*r.Step + offs[e] + c)
			q := k*C + c
			if math.Float64bits(y[q]) != want || arg[q] != wantArg {
				t.Fatalf("%+v pixel %d channel %d: got (%#x, %d), want (%#x, %d); window %v + %v",
					r, k, c, math.Float64bits(y[q]), arg[q], want, wantArg, zs, b[c])
			}
			if math.Float64bits(y2[q]) != want || arg2[q] != wantArg {
				t.Fatalf("portable loop, %+v pixel %d channel %d: got (%#x, %d), want (%#x, %d)",
					r, k, c, math.Float64bits(y2[q]), arg2[q], want, wantArg)
			}
		}
	}
}

func TestReLUMax2x2Panics(t *testing.T) {
	z, b, y, arg := make([]float64, 64), make([]float64, 8), make([]float64, 16), make([]int32, 16)
	for _, r := range []Row{
		{N: 0, C: 8, RowStride: 16, Step: 16},
		{N: 2, C: 8, RowStride: 32, Step: 16}, // needs 16+32+16 = 64: fits
		{N: 3, C: 8, RowStride: 32, Step: 16}, // needs 80
		{N: 1, C: 8, RowStride: 8, Step: 16},  // row stride below 2C
	} {
		func() {
			defer func() {
				if recover() == nil && r.N != 2 {
					t.Errorf("%+v: no panic", r)
				}
			}()
			ReLUMax2x2(y, arg, z, b, r)
		}()
	}
}

// BenchmarkReLUMax2x2 times the forward pass on one sample; the kernel level
// (internal/cpu, SDEML_CPU) ends the name.
func BenchmarkReLUMax2x2(b *testing.B) {
	b.Run("level="+cpu.Active().String(), benchReLUMax2x2)
}

func benchReLUMax2x2(b *testing.B) {
	const C, W = 16, 28
	z := make([]float64, W*W*C)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	bias := make([]float64, C)
	y := make([]float64, W/2*C)
	arg := make([]int32, W/2*C)
	for b.Loop() { // one 28×28×16 sample: 14 output rows
		for oh := 0; oh < W/2; oh++ {
			ReLUMax2x2(y, arg, z[2*oh*W*C:], bias, Row{N: W / 2, C: C, RowStride: W * C, Step: 2 * C, Index: 2 * oh * W * C})
		}
	}
}

// TestReLUMax2x2Back checks the backward pass against a scatter from its definition (clear
// the windows, then send dy to the argmax of every window whose maximum is positive), on
// maxima and argmaxes made by ReLUMax2x2 from data with ties, zeros, infinities and NaNs.
func TestReLUMax2x2Back(t *testing.T) { forEachLevel(t, testReLUMax2x2Back) }

func testReLUMax2x2Back(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 360; trial++ {
		C := channelCounts[trial%len(channelCounts)]
		n := 1 + rng.IntN(6)
		W := 2*n + rng.IntN(2)
		r := Row{N: n, C: C, RowStride: W * C, Step: 2 * C, Index: rng.IntN(1000)}
		z := make([]float64, 2*W*C)
		for i := range z {
			z[i] = draw(rng)
		}
		dy := make([]float64, n*C)
		for i := range dy {
			dy[i] = rng.NormFloat64()
			if i%5 == 0 {
				dy[i] = math.Copysign(0, -1)
			}
		}
		checkBackward(t, z, make([]float64, C), dy, r)
	}
}

// checkBackward makes maxima and argmaxes with ReLUMax2x2 from (z, b, r) and checks
// ReLUMax2x2Back and the portable loop against a scatter from the definition: clear the
// windows, then add dy at the argmax of every window whose maximum is positive.
func checkBackward(t *testing.T, z, b, dy []float64, r Row) {
	t.Helper()
	n, C := r.N, r.C
	y, arg := make([]float64, n*C), make([]int32, n*C)
	ReLUMax2x2(y, arg, z, b, r)
	want := make([]float64, len(z))
	for i := range want {
		want[i] = 7 // outside the windows: untouched
	}
	for k := 0; k < n; k++ {
		for _, o := range []int{0, C, r.RowStride, r.RowStride + C} {
			for c := 0; c < C; c++ {
				want[k*r.Step+o+c] = 0
			}
		}
	}
	for q := range dy[:n*C] {
		if y[q] > 0 && !math.IsNaN(y[q]) {
			want[int(arg[q])-r.Index] += dy[q]
		}
	}
	for _, f := range []func([]float64){
		func(dx []float64) { ReLUMax2x2Back(dx, dy, y, arg, r) },
		func(dx []float64) { reluMax2x2Back(dx, dy, y, arg, r) },
	} {
		dx := make([]float64, len(z))
		for i := range dx {
			dx[i] = 7
		}
		f(dx)
		for i := range dx {
			if math.Float64bits(dx[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%+v: dx[%d] = %v, want %v", r, i, dx[i], want[i])
			}
		}
	}
}

// FuzzReLUMax2x2 checks both passes, assembly (each level) and portable, against the definitions on
// windows whose values (and biases and errors) are arbitrary bit patterns: every NaN,
// infinity, signed zero and subnormal the fuzzer finds.
func FuzzReLUMax2x2(f *testing.F) {
	f.Add(uint8(0), uint8(1), []byte{0x7f, 0xf8, 0, 0, 0, 0, 0, 1, 0x80})
	f.Add(uint8(1), uint8(3), []byte{0xff, 0xf0, 0, 0, 0, 0, 0, 0, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, shape, pixels uint8, data []byte) {
		C := []int{8, 16, 3, 4, 12}[int(shape)%5]
		n := 1 + int(pixels)%4
		W := 2*n + int(shape/5)%2
		r := Row{N: n, C: C, RowStride: W * C, Step: 2 * C, Index: int(shape)}
		value := func(i int) float64 { // the i-th float64 of data, cycled, zero-padded
			var u uint64
			for j := range 8 {
				if len(data) > 0 {
					u = u<<8 | uint64(data[(8*i+j)%len(data)])
				}
			}
			return math.Float64frombits(u)
		}
		z := make([]float64, 2*W*C)
		for i := range z {
			z[i] = value(i)
		}
		b, dy := make([]float64, C), make([]float64, n*C)
		for i := range b {
			b[i] = value(len(z) + i)
		}
		for i := range dy {
			dy[i] = value(len(z) + C + i)
		}
		forEachLevel(t, func(t *testing.T) {
			r := r
			checkForward(t, z, b, r)
			checkBackward(t, z, b, dy, r)
			if shape%2 == 1 { // overlapping windows (stride 1), forward only
				r.Step, r.N = C, 2*n-1
				checkForward(t, z, b, r)
			}
		})
	})
}
