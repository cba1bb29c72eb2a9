package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	igemm "github.com/sdeml/sdeml/internal/gemm"
	"github.com/sdeml/sdeml/internal/testutil"
)

// benchCPU runs f in a b.Loop and reports the process CPU time per call (cpu-us/op).
func benchCPU(b *testing.B, f func()) {
	cpu0, i := testutil.ProcessCPU(), 0
	for b.Loop() {
		f()
		i++
	}
	b.ReportMetric(float64((testutil.ProcessCPU()-cpu0).Microseconds())/float64(max(i, 1)), "cpu-us/op")
}

// BenchmarkConv32 times one float32 convolution of a chunk of 16 samples, forward and
// weight gradient, by the path convForward32 / convWeightGrad32 choose (path=auto), by
// im2col and one product per sample (path=im2col: Z = cols·Wᵀ, and g = ∂Zᵀ·cols), and for
// the weight gradient by im2col with the transposed product gᵀ = colsᵀ·∂Z (path=im2colT),
// on the shapes of the ResNet-8 and U-Net benchmarks (H×W×C-out.C, 3×3 "same"), process
// CPU time per call (cpu-us/op).
func BenchmarkConv32(b *testing.B) {
	const n = 16
	for _, sh := range []struct{ H, C, co int }{{28, 16, 16}, {14, 32, 32}, {7, 64, 64}, {28, 32, 16}, {14, 64, 32}, {28, 1, 16}, {7, 32, 32}, {28, 16, 1}, {28, 2, 16}} {
		st := &stage{kind: stageConv, in: Shape{C: sh.C, H: sh.H, W: sh.H}, out: Shape{C: sh.co, H: sh.H, W: sh.H}, kh: 3, kw: 3, stride: 1, pad: 1, k: 9 * sh.C}
		rng := rand.New(rand.NewPCG(1, 2))
		x := make([]float32, n*st.in.Size())
		dy := make([]float32, n*st.out.Size())
		W := make([]float32, sh.co*st.k)
		for _, v := range [][]float32{x, dy, W} {
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
		}
		z := make([]float32, n*st.out.Size())
		g := make([]float32, sh.co*st.k)
		scratch := make([]float32, st.npos()*st.k)
		tmp := make([]float32, max(st.npos(), sh.co)*st.k) // as in a Graph workspace, sized by its largest stage
		name := fmt.Sprintf("%dx%dx%d-%d", sh.H, sh.H, sh.C, sh.co)
		b.Run(name+"/fwd/path=auto", func(b *testing.B) {
			benchCPU(b, func() { convForward32(st, scratch, z, x, W, nil, n) })
		})
		b.Run(name+"/fwd/path=im2col", func(b *testing.B) {
			benchCPU(b, func() {
				for s := range n {
					im2colT(st, scratch, x[s*st.in.Size():(s+1)*st.in.Size()])
					igemm.Sgemm(false, true, st.npos(), sh.co, st.k, 1, scratch, st.k, W, st.k, 0, z[s*st.out.Size():(s+1)*st.out.Size()], sh.co)
				}
			})
		})
		b.Run(name+"/wgrad/path=auto", func(b *testing.B) {
			benchCPU(b, func() { convWeightGrad32(st, scratch, tmp, g, dy, x, n) })
		})
		gT := make([]float32, sh.co*st.k)
		b.Run(name+"/wgrad/path=im2colT", func(b *testing.B) {
			benchCPU(b, func() {
				for s := range n {
					im2colT(st, scratch, x[s*st.in.Size():(s+1)*st.in.Size()])
					igemm.Sgemm(true, false, st.k, sh.co, st.npos(), 1, scratch, st.k, dy[s*st.out.Size():(s+1)*st.out.Size()], sh.co, float32(min(s, 1)), gT, sh.co)
				}
				for t := range st.k {
					for o, v := range gT[t*sh.co : (t+1)*sh.co] {
						g[o*st.k+t] = v
					}
				}
			})
		})
		b.Run(name+"/wgrad/path=im2col", func(b *testing.B) {
			benchCPU(b, func() {
				for s := range n {
					im2colT(st, scratch, x[s*st.in.Size():(s+1)*st.in.Size()])
					igemm.Sgemm(true, false, sh.co, st.k, st.npos(), 1, dy[s*st.out.Size():(s+1)*st.out.Size()], sh.co, scratch, st.k, float32(min(s, 1)), g, st.k)
				}
			})
		})
	}
}

// BenchmarkConv32Strided times the float32 convolutions of ResNet-8's downsampling
// stages (3×3 stride 2 padding 1, and the 1×1 stride-2 shortcut) on a chunk of 8 samples:
// forward, weight gradient and ∂/∂x by the strided products (path=auto) and by im2col
// (path=im2col: one product per sample on the unfolded input, gᵀ = colsᵀ·∂Z, and
// col2im(∂Z·W)), process CPU time per call (cpu-us/op).
func BenchmarkConv32Strided(b *testing.B) {
	const n = 8
	for _, c := range []stridedCase{{16, 28, 28, 32, 3, 3, 2, 1, n}, {16, 28, 28, 32, 1, 1, 2, 0, n}, {32, 14, 14, 64, 3, 3, 2, 1, n}, {32, 14, 14, 64, 1, 1, 2, 0, n}} {
		st := c.stage()
		rng := rand.New(rand.NewPCG(1, 2))
		x := make([]float32, n*st.in.Size())
		dy := make([]float32, n*st.out.Size())
		W := make([]float32, c.co*st.k)
		for _, v := range [][]float32{x, dy, W} {
			for i := range v {
				v[i] = float32(rng.NormFloat64())
			}
		}
		z, dx := make([]float32, len(dy)), make([]float32, len(x))
		g, gT := make([]float32, c.co*st.k), make([]float32, c.co*st.k)
		scratch := make([]float32, max(st.npos()*st.k, 28*28*16*9)) // as in ResNet-8's workspace
		name := fmt.Sprintf("%dx%dx%d-%d_k%d", c.H, c.W, c.C, c.co, c.kh)
		im2colFwd := func() {
			for s := range n {
				im2colT(st, scratch, x[s*st.in.Size():(s+1)*st.in.Size()])
				igemm.Sgemm(false, true, st.npos(), c.co, st.k, 1, scratch, st.k, W, st.k, 0, z[s*st.out.Size():(s+1)*st.out.Size()], c.co)
			}
		}
		im2colGrad := func() {
			for s := range n {
				im2colT(st, scratch, x[s*st.in.Size():(s+1)*st.in.Size()])
				igemm.Sgemm(true, false, st.k, c.co, st.npos(), 1, scratch, st.k, dy[s*st.out.Size():(s+1)*st.out.Size()], c.co, float32(min(s, 1)), gT, c.co)
			}
		}
		im2colDx := func() {
			for s := range n {
				igemm.Sgemm(false, false, st.npos(), st.k, c.co, 1, dy[s*st.out.Size():(s+1)*st.out.Size()], c.co, W, st.k, 0, scratch, st.k)
				col2imT(st, dx[s*st.in.Size():(s+1)*st.in.Size()], scratch, addRun32)
			}
		}
		for _, p := range []struct {
			name string
			f    func()
		}{
			{"fwd/path=auto", func() { convForward32(st, scratch, z, x, W, nil, n) }},
			{"fwd/path=im2col", im2colFwd},
			{"wgrad/path=auto", func() { convWeightGrad32(st, scratch, gT, g, dy, x, n) }},
			{"wgrad/path=im2col", im2colGrad},
			{"dx/path=auto", func() { convInputGrad32(st, scratch, dx, dy, W, n) }},
			{"dx/path=im2col", im2colDx},
		} {
			b.Run(name+"/"+p.name, func(b *testing.B) { b.ReportAllocs(); benchCPU(b, p.f) })
		}
	}
}
