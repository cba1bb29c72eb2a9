package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	igemm "github.com/sdeml/sdeml/internal/gemm"
)

// TestConv32Paths checks convForward32 and convWeightGrad32, by the sliding-window
// products and by im2col, against the convolution's definition in float64 on the same
// float32 values, for square and non-square images, paddings 0, 1 and 2, kernels 1, 3
// and 5, stride 1 (sliding) and 2 (im2col), and 3 samples. Bounds: an output is a sum of
// k = kh·kw·C products formed by Sgemm (each term rounded at most k + 2 times: kw·C
// fused multiply-adds in its kernel row's chain, one combination per kernel row, and
// the kc-block combinations, γ_{k+2} of gemm's bound), so |ẑ − z| ≤ (k+2)·u·Σ|x||w|;
// a weight-gradient entry is a sum over the n samples and their output pixels (the
// junk pixels of the sliding grid add exact zeros), so its bound is (n·(npos+2)+2)·u·Σ|dy||x|,
// u = 2⁻²⁴. A wrong window, padding or transposition gives errors of the size of the
// values, far above these bounds.
func TestConv32Paths(t *testing.T) {
	const u = 0x1p-24
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		C, H, W, co, kern, stride, pad int
		slide, slideGrad               bool
	}{
		{8, 9, 8, 8, 3, 1, 1, true, true},
		{16, 8, 11, 5, 3, 1, 1, true, true},
		{8, 10, 12, 9, 3, 1, 0, true, true},
		{9, 7, 10, 4, 5, 1, 2, true, true},
		{8, 6, 9, 7, 1, 1, 0, true, true},
		{12, 8, 8, 3, 3, 1, 2, true, true},
		{10, 8, 9, 4, 1, 1, 2, true, true},    // more padding than the kernel covers: e = 2·pad − kw + 1
		{16, 9, 10, 1, 3, 1, 1, true, true},   // one output channel: stacked kernel rows
		{4, 9, 9, 6, 3, 1, 1, false, false},   // too few channels
		{8, 7, 7, 6, 3, 1, 1, true, false},    // 7 wide: sliding forward, im2col weight gradient
		{8, 6, 6, 6, 3, 1, 1, false, false},   // too narrow
		{8, 12, 12, 5, 3, 2, 1, false, false}, // stride 2
	} {
		name := fmt.Sprintf("%dx%dx%d-%d_k%d_s%d_p%d", c.H, c.W, c.C, c.co, c.kern, c.stride, c.pad)
		in := Shape{C: c.C, H: c.H, W: c.W}
		out := Shape{C: c.co, H: (c.H+2*c.pad-c.kern)/c.stride + 1, W: (c.W+2*c.pad-c.kern)/c.stride + 1}
		st := &stage{kind: stageConv, in: in, out: out, kh: c.kern, kw: c.kern, stride: c.stride, pad: c.pad, k: c.kern * c.kern * c.C}
		if _, _, ok := slideGrid(st, slideMinW); ok != c.slide {
			t.Fatalf("%s: slideGrid ok = %v, want %v", name, ok, c.slide)
		}
		if _, _, ok := slideGrid(st, slideMinWGrad); ok != c.slideGrad {
			t.Fatalf("%s: slideGrid for the weight gradient ok = %v, want %v", name, ok, c.slideGrad)
		}
		const n = 3
		x := make([]float32, n*in.Size())
		dy := make([]float32, n*out.Size())
		W := make([]float32, c.co*st.k)
		for _, v := range [][]float32{x, dy, W} {
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
		}
		scratch := make([]float32, 4*st.npos()*st.k+4096) // room for every path: the sliding one runs wherever slideGrid allows
		for _, tmpLen := range []int{st.k * c.co, 0} {    // gᵀ in tmp, or g directly
			z := make([]float32, n*out.Size())
			g := make([]float32, c.co*st.k)
			for i := range g {
				g[i] = float32(math.NaN()) // overwritten, never read (β = 0 first)
			}
			convForward32(st, scratch, z, x, W, nil, n)
			convWeightGrad32(st, scratch, make([]float32, tmpLen), g, dy, x, n)
			zRef, zMag := make([]float64, len(z)), make([]float64, len(z))
			gRef, gMag := make([]float64, len(g)), make([]float64, len(g))
			for s := range n {
				for oh := range out.H {
					for ow := range out.W {
						p := s*out.Size() + (oh*out.W+ow)*c.co
						for i := range c.kern {
							for j := range c.kern {
								ih, iw := oh*c.stride-c.pad+i, ow*c.stride-c.pad+j
								if ih < 0 || ih >= c.H || iw < 0 || iw >= c.W {
									continue
								}
								for ci := range c.C {
									xv := float64(x[s*in.Size()+(ih*c.W+iw)*c.C+ci])
									q := (i*c.kern+j)*c.C + ci
									for o := range c.co {
										wv := float64(W[o*st.k+q])
										zRef[p+o] += xv * wv
										zMag[p+o] += math.Abs(xv * wv)
										dv := float64(dy[p+o])
										gRef[o*st.k+q] += dv * xv
										gMag[o*st.k+q] += math.Abs(dv * xv)
									}
								}
							}
						}
					}
				}
			}
			for i := range z {
				if d := math.Abs(float64(z[i]) - zRef[i]); !(d <= float64(st.k+2)*u*zMag[i]) {
					t.Fatalf("%s: z[%d] = %v, want %v (|diff| %g > bound %g)", name, i, z[i], zRef[i], d, float64(st.k+2)*u*zMag[i])
				}
			}
			gb := float64(n*(st.npos()+2)+2) * u
			for i := range g {
				if d := math.Abs(float64(g[i]) - gRef[i]); !(d <= gb*gMag[i]) {
					t.Fatalf("%s, tmp %d: g[%d] = %v, want %v (|diff| %g > bound %g)", name, tmpLen, i, g[i], gRef[i], d, gb*gMag[i])
				}
			}
		}
	}
}

// TestGraphSupervised32BoundSliding is TestGraphSupervised32Bound on a network whose
// convolutions take the sliding-window products (8 or more input channels, outputs at
// least 8 wide, stride 1): forward, weight gradient and the ∂/∂x of a "same"
// convolution (node 2), and a convolution to 3 channels that stacks its kernel rows
// (node 3), without BatchNorm (whose variance sensitivity would make the worst-case bound
// exceed the values at this depth). The first-order bounds of graphBound32 hold for these products as for
// im2col's: a term is rounded at most k + 2 times either way.
func TestGraphSupervised32BoundSliding(t *testing.T) {
	g, err := NewGraph(Shape{C: 8, H: 9, W: 8},
		Node{Layer: Conv2D{Out: 8, Kernel: 3, Stride: 1, Pad: 1}}, // 0
		Node{Layer: Activate{Act: ReLU}},                          // 1
		Node{Layer: Conv2D{Out: 8, Kernel: 3, Stride: 1, Pad: 1}}, // 2: ∂/∂x by the flipped kernel, sliding
		Node{Layer: Conv2D{Out: 3, Kernel: 3, Stride: 1, Pad: 1}}, // 3: few outputs, stacked kernel rows
		Node{Layer: Activate{Act: ReLU}},                          // 4
		Node{Layer: GlobalAvgPool{}},                              // 5
		Node{Layer: Flatten{}},                                    // 6
		Node{Layer: Dense{Out: 4}},                                // 7
	)
	if err != nil {
		t.Fatal(err)
	}
	ws := g.newWS32()
	for _, j := range []int{0, 2, 3} {
		st := &g.nodes[j].st
		Wp, M, ok := slideGrid(st, slideMinWGrad)
		Mr := roundUp(M, igemm.SgemmRowTile(st.out.C))
		np := paddedSize(st, Wp)
		if !ok || np+(Mr-M)*st.in.C+Mr*st.out.C > ws.maxCols || np+M*st.out.C > ws.maxCols || st.k*st.out.C > ws.maxCols {
			t.Fatalf("node %d does not take the sliding-window products", j)
		}
	}
	if st := &g.nodes[3].st; !stacked(st) {
		t.Fatal("node 3 does not stack its kernel rows")
	}
	if ts := ws.tstage(2); ts == nil {
		t.Fatal("node 2 has no transposed stage")
	} else if _, _, ok := slideGrid(ts, slideMinW); !ok {
		t.Fatal("node 2's ∂/∂x does not take the sliding-window products")
	}
	checkGraph32Draw(t, g, 4, 11, false, 0)
}

// TestConv32Bias checks that convForward32 with a bias gives, bit for bit, its result
// without one plus the bias in float32, on every path: sliding windows, stacked kernel
// rows, strided products, im2col, and channel counts that take the vector and the
// portable loops of gemm.AddBias32.
func TestConv32Bias(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ C, H, W, co, kern, stride, pad int }{
		{8, 9, 10, 16, 3, 1, 1},  // sliding
		{16, 9, 10, 1, 3, 1, 1},  // stacked
		{8, 15, 17, 32, 3, 2, 1}, // strided
		{4, 9, 9, 9, 3, 1, 1},    // im2col, 9 channels
		{8, 15, 16, 3, 1, 2, 0},  // strided 1×1, 3 channels
	} {
		in := Shape{C: c.C, H: c.H, W: c.W}
		out := Shape{C: c.co, H: (c.H+2*c.pad-c.kern)/c.stride + 1, W: (c.W+2*c.pad-c.kern)/c.stride + 1}
		st := &stage{kind: stageConv, in: in, out: out, kh: c.kern, kw: c.kern, stride: c.stride, pad: c.pad, k: c.kern * c.kern * c.C}
		const n = 2
		x := make([]float32, n*in.Size())
		W := make([]float32, c.co*st.k)
		b := make([]float32, c.co)
		for _, v := range [][]float32{x, W, b} {
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
		}
		scratch := make([]float32, 4*st.npos()*st.k+4096)
		z0, zb := make([]float32, n*out.Size()), make([]float32, n*out.Size())
		convForward32(st, scratch, z0, x, W, nil, n)
		convForward32(st, scratch, zb, x, W, b, n)
		for i := range z0 {
			if want := z0[i] + b[i%c.co]; math.Float32bits(zb[i]) != math.Float32bits(want) {
				t.Fatalf("%+v: z[%d] = %v, want %v", c, i, zb[i], want)
			}
		}
	}
}
