package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	igemm "github.com/sdeml/sdeml/internal/gemm"
)

// stridedCase is one strided convolution shape of the tests below.
type stridedCase struct{ C, H, W, co, kh, kw, stride, pad, n int }

func (c stridedCase) stage() *stage {
	in := Shape{C: c.C, H: c.H, W: c.W}
	out := Shape{C: c.co, H: (c.H+2*c.pad-c.kh)/c.stride + 1, W: (c.W+2*c.pad-c.kw)/c.stride + 1}
	return &stage{kind: stageConv, in: in, out: out, kh: c.kh, kw: c.kw, stride: c.stride, pad: c.pad, k: c.kh * c.kw * c.C}
}

func (c stridedCase) String() string {
	return fmt.Sprintf("%dx%dx%d-%d_k%dx%d_s%d_p%d_n%d", c.H, c.W, c.C, c.co, c.kh, c.kw, c.stride, c.pad, c.n)
}

// checkStrided runs the strided products of case c on random values and compares them
// bit for bit with independent constructions: the forward pass with Σ_i Sgemm(A_i, W_i)
// on the explicit grid matrices A_i (row q = (oh, ow) of the grid of width Wq holds the
// kw·C input values under kernel row i at output pixel (oh, ow), built from the
// convolution's definition; junk rows zero), the weight gradient with Sgemm(A_iᵀ, ∂Z)
// on the same matrices and the grid errors (sample after sample, β = 1 from the second),
// and ∂/∂x with the im2col path (Sgemm of ∂/∂Z and W per sample, then col2im). It also
// checks the forward pass and the weight gradient against the float64 definition within
// the rounding bounds of TestConv32Paths (which catch a construction shared by mistake).
func checkStrided(t *testing.T, c stridedCase, seed uint64) {
	t.Helper()
	st := c.stage()
	l, ok := phaseGrid(st, phaseTile(st), slideMinW)
	if !ok {
		t.Fatalf("%v: phaseGrid declined", c)
	}
	_, gradOK := phaseGrid(st, 1, slideMinWGrad) // narrower outputs: im2col for the weight gradient
	rng := rand.New(rand.NewPCG(seed, 7))
	n, ni, no, co, r := c.n, st.in.Size(), st.out.Size(), c.co, c.kw*c.C
	x := make([]float32, n*ni)
	dy := make([]float32, n*no)
	W := make([]float32, co*st.k)
	for _, v := range [][]float32{x, dy, W} {
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
	}
	need := l.nph*l.ps + l.Mr*co // what the products need, no room for Wᵀ
	scratch := make([]float32, need)
	z := make([]float32, n*no)
	if !stridedForward(st, scratch, z, x, W, nil, n) {
		t.Fatalf("%v: stridedForward declined with %d scratch values", c, need)
	}
	// With room for Wᵀ (weightsT) the products read B = W_iᵀ untransposed: the same bits.
	zT := make([]float32, n*no)
	if !stridedForward(st, make([]float32, need+st.k*co), zT, x, W, nil, n) {
		t.Fatalf("%v: stridedForward declined a longer scratch", c)
	}
	if weightsT(st, scratch[l.nph*l.ps+l.Mr*co:], W) != nil {
		t.Fatalf("%v: the tight scratch holds Wᵀ too", c)
	}
	for i := range z {
		if math.Float32bits(zT[i]) != math.Float32bits(z[i]) {
			t.Fatalf("%v: z[%d] = %v with Wᵀ, %v without", c, i, zT[i], z[i])
		}
	}
	gT := make([]float32, st.k*co)
	if stridedWeightGrad(st, scratch, gT, dy, x, n) != gradOK {
		t.Fatalf("%v: stridedWeightGrad ran = %v, want %v", c, !gradOK, gradOK)
	}
	dx := make([]float32, n*ni)
	for i := range dx {
		dx[i] = float32(math.NaN()) // every value is written
	}
	if !stridedInputGrad(st, scratch, dx, dy, W, n) {
		t.Fatalf("%v: stridedInputGrad declined", c)
	}

	// The explicit grid matrices and errors of each sample.
	M := l.M
	A := make([]float32, st.kh*M*r)
	dp := make([]float32, M*co)
	zRef := make([]float32, M*co)
	gRef := make([]float32, st.k*co)
	for s := range n {
		clear(A)
		clear(dp)
		for q := range M {
			oh, ow := q/l.Wq, q%l.Wq
			if ow >= st.out.W {
				continue
			}
			copy(dp[q*co:(q+1)*co], dy[s*no+(oh*st.out.W+ow)*co:])
			for i := range st.kh {
				for j := range c.kw {
					ih, iw := oh*c.stride-c.pad+i, ow*c.stride-c.pad+j
					if ih < 0 || ih >= c.H || iw < 0 || iw >= c.W {
						continue
					}
					copy(A[(i*M+q)*r+j*c.C:(i*M+q)*r+(j+1)*c.C], x[s*ni+(ih*c.W+iw)*c.C:])
				}
			}
		}
		for i := range st.kh {
			igemm.Sgemm(false, true, M, co, r, 1, A[i*M*r:], r, W[i*r:], st.k, float32(min(i, 1)), zRef, co)
			igemm.Sgemm(true, false, r, co, M, 1, A[i*M*r:], r, dp, co, float32(min(s, 1)), gRef[i*r*co:], co)
		}
		for oh := range st.out.H {
			for ow := range st.out.W {
				for o := range co {
					got, want := z[s*no+(oh*st.out.W+ow)*co+o], zRef[(oh*l.Wq+ow)*co+o]
					if math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%v: z[%d, %d, %d, %d] = %v, explicit products %v", c, s, oh, ow, o, got, want)
					}
				}
			}
		}
	}
	for i := range gT {
		if !gradOK {
			break
		}
		if math.Float32bits(gT[i]) != math.Float32bits(gRef[i]) {
			t.Fatalf("%v: gᵀ[%d] = %v, explicit products %v", c, i, gT[i], gRef[i])
		}
	}

	// ∂/∂x: the bits of the im2col path.
	dc := make([]float32, st.npos()*st.k)
	dxRef := make([]float32, ni)
	for s := range n {
		igemm.Sgemm(false, false, st.npos(), st.k, co, 1, dy[s*no:(s+1)*no], co, W, st.k, 0, dc, st.k)
		col2imT(st, dxRef, dc, addRun32)
		for i, v := range dxRef {
			if got := dx[s*ni+i]; math.Float32bits(got) != math.Float32bits(v) {
				t.Fatalf("%v: dx[%d, %d] = %v, im2col path %v", c, s, i, got, v)
			}
		}
	}

	// The float64 definition, within the bounds of TestConv32Paths.
	const u = 0x1p-24
	for s := range n {
		for oh := range st.out.H {
			for ow := range st.out.W {
				p := s*no + (oh*st.out.W+ow)*co
				for o := range co {
					var ref, mag float64
					for i := range c.kh {
						for j := range c.kw {
							ih, iw := oh*c.stride-c.pad+i, ow*c.stride-c.pad+j
							if ih < 0 || ih >= c.H || iw < 0 || iw >= c.W {
								continue
							}
							for ci := range c.C {
								v := float64(x[s*ni+(ih*c.W+iw)*c.C+ci]) * float64(W[o*st.k+(i*c.kw+j)*c.C+ci])
								ref += v
								mag += math.Abs(v)
							}
						}
					}
					if d := math.Abs(float64(z[p+o]) - ref); !(d <= float64(st.k+2)*u*mag) {
						t.Fatalf("%v: z[%d] = %v, definition %v", c, p+o, z[p+o], ref)
					}
				}
			}
		}
	}
}

// TestConv32Strided checks the strided products (conv32strided.go) bit for bit against
// independent constructions (checkStrided) on the ResNet's downsampling shapes, odd
// shapes, strides 2 and 3, kernels 1 to 5 (square and not), paddings 0 to 2, and on 200
// random shapes.
func TestConv32Strided(t *testing.T) {
	cases := []stridedCase{
		{16, 28, 28, 32, 3, 3, 2, 1, 3}, // ResNet-8 downsampling
		{16, 28, 28, 32, 1, 1, 2, 0, 2}, // its 1×1 shortcut
		{32, 14, 14, 64, 3, 3, 2, 1, 2}, // 7×7 output: the weight gradient takes im2col
		{32, 14, 14, 64, 1, 1, 2, 0, 2},
		{8, 15, 17, 5, 3, 3, 2, 1, 2},  // odd sizes
		{9, 16, 15, 3, 5, 5, 2, 2, 2},  // kernel 5
		{8, 17, 22, 7, 3, 2, 2, 0, 1},  // non-square kernel, no padding
		{10, 23, 25, 4, 3, 3, 3, 1, 2}, // stride 3
		{8, 14, 21, 6, 2, 4, 3, 2, 1},  // stride 3, kernel narrower than the stride
		{8, 13, 13, 1, 3, 3, 2, 1, 2},  // one output channel
		{12, 16, 14, 33, 3, 3, 2, 1, 1},
		{8, 16, 29, 3, 3, 1, 3, 0, 2}, // the last input row under no kernel row (∂/∂x 0 there)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for len(cases) < 211 {
		c := stridedCase{C: 8 + rng.IntN(9), co: 1 + rng.IntN(40), kh: 1 + rng.IntN(5), kw: 1 + rng.IntN(5), stride: 2 + rng.IntN(2), n: 1 + rng.IntN(2)}
		c.pad = rng.IntN(min(c.kh, c.kw))
		c.H = max(c.kh, c.stride*(1+rng.IntN(6))+c.kh-2*c.pad)
		c.W = max(c.kw, c.stride*(6+rng.IntN(5))+c.kw-2*c.pad)
		if c.stage().out.W < slideMinW || c.stage().out.H < 1 {
			continue
		}
		cases = append(cases, c)
	}
	for k, c := range cases {
		checkStrided(t, c, uint64(k))
	}
}

// FuzzConv32Strided is checkStrided on shapes drawn from the fuzzer's bytes.
func FuzzConv32Strided(f *testing.F) {
	f.Add(uint8(8), uint8(15), uint8(17), uint8(5), uint8(3), uint8(3), uint8(2), uint8(1), uint64(1))
	f.Add(uint8(9), uint8(7), uint8(30), uint8(1), uint8(1), uint8(5), uint8(3), uint8(0), uint64(2))
	f.Fuzz(func(t *testing.T, C, H, W, co, kh, kw, stride, pad uint8, seed uint64) {
		c := stridedCase{C: 8 + int(C)%12, H: 1 + int(H)%32, W: 1 + int(W)%40, co: 1 + int(co)%40, kh: 1 + int(kh)%6, kw: 1 + int(kw)%6, stride: 2 + int(stride)%3, n: 2}
		c.pad = int(pad) % min(c.kh, c.kw)
		if c.H+2*c.pad < c.kh || c.W+2*c.pad < c.kw || c.stage().out.W < slideMinW {
			return
		}
		checkStrided(t, c, seed)
	})
}

// TestConv32StridedScratch checks that the strided products decline a scratch too short
// for them (the callers then take the im2col path) and that convForward32 and
// convInputGrad32 dispatch to them when it is long enough.
func TestConv32StridedScratch(t *testing.T) {
	c := stridedCase{16, 28, 28, 32, 3, 3, 2, 1, 1}
	st := c.stage()
	l, _ := phaseGrid(st, phaseTile(st), slideMinW)
	short := make([]float32, l.nph*l.ps+l.Mr*c.co-1)
	x := make([]float32, st.in.Size())
	z := make([]float32, st.out.Size())
	W := make([]float32, c.co*st.k)
	if stridedForward(st, short, z, x, W, nil, 1) || stridedInputGrad(st, short, x, z, W, 1) {
		t.Fatal("strided products ran with a short scratch")
	}
	l1, _ := phaseGrid(st, 1, slideMinWGrad) // the weight gradient's rows are not rounded
	if stridedWeightGrad(st, short[:l1.nph*l1.ps+l1.M*c.co-1], W, z, x, 1) {
		t.Fatal("strided weight gradient ran with a short scratch")
	}
}

// stridedGraph is a graph whose stride-2 convolutions take the strided products: a 3×3
// one (forward, weight gradient and ∂/∂x, since a convolution feeds it) and a 1×1
// projection shortcut, as in a ResNet's downsampling block.
func stridedGraph(t *testing.T) *Graph {
	t.Helper()
	g, err := NewGraph(Shape{C: 8, H: 16, W: 15},
		Node{Layer: Conv2D{Out: 8, Kernel: 3, Stride: 1, Pad: 1}},         // 0
		Node{Layer: Activate{Act: ReLU}},                                  // 1
		Node{Layer: Conv2D{Out: 9, Kernel: 3, Stride: 2, Pad: 1}},         // 2: 8×8, strided
		Node{Layer: Activate{Act: ReLU}},                                  // 3
		Node{Layer: Conv2D{Out: 9, Kernel: 3, Stride: 1, Pad: 1}},         // 4
		Node{Layer: Conv2D{Out: 9, Kernel: 1, Stride: 2}, From: []int{1}}, // 5: strided shortcut
		Node{Layer: Add{}, From: []int{4, 5}},                             // 6
		Node{Layer: Activate{Act: ReLU}},                                  // 7
		Node{Layer: GlobalAvgPool{}},                                      // 8
		Node{Layer: Flatten{}},                                            // 9
		Node{Layer: Dense{Out: 4}},                                        // 10
	)
	if err != nil {
		t.Fatal(err)
	}
	ws := g.newWS32()
	for _, j := range []int{2, 5} {
		st := &g.nodes[j].st
		l, ok := phaseGrid(st, phaseTile(st), slideMinW)
		l1, ok1 := phaseGrid(st, 1, slideMinWGrad)
		if !ok || !ok1 || l.nph*l.ps+l.Mr*max(st.out.C, st.in.C) > ws.maxCols || l1.nph*l1.ps+l1.M*st.out.C > ws.maxCols {
			t.Fatalf("node %d does not take the strided products", j)
		}
	}
	return g
}

// TestGraphSupervised32BoundStrided is TestGraphSupervised32BoundSliding on stridedGraph:
// the strided products round each term at most k + 2 times, as im2col's do.
func TestGraphSupervised32BoundStrided(t *testing.T) {
	checkGraph32Draw(t, stridedGraph(t), 4, 11, false, 0)
}

// TestGraphSupervised32StridedAcrossProcs checks the same bits of loss and gradient on
// stridedGraph for GOMAXPROCS 1, 2 and 3 (the strided products run inside the chunks of
// the batch, each chunk by one goroutine).
func TestGraphSupervised32StridedAcrossProcs(t *testing.T) {
	obj, _, w := graph32Objective(t, stridedGraph(t), 40, 9)
	run := func() []float64 {
		g := make([]float64, len(w))
		return append(g, obj.LossGrad(g, w, seq(37)))
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	g1 := run()
	for _, p := range []int{2, 3} {
		runtime.GOMAXPROCS(p)
		if g := run(); !slices.Equal(g, g1) {
			t.Fatalf("GOMAXPROCS=%d: results differ from GOMAXPROCS=1", p)
		}
	}
}
