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
			benchCPU(b, func() { convForward32(st, scratch, z, x, W, n) })
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
