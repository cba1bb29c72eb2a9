package nn_test

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/sdeml/sdeml/internal/testutil"
	"github.com/sdeml/sdeml/nn"
	"github.com/sdeml/sdeml/sam"
)

// benchImages is the data of the peer benchmarks (docs/bench/*_peer.py): 1024 inputs
// uniform on [0,1)^784 with random labels 0..9.
func benchImages() *nn.Dataset {
	const n = 1024
	rng := rand.New(rand.NewPCG(0, 0))
	x := make([]float64, n*784)
	for i := range x {
		x[i] = rng.Float64()
	}
	lab := make([]int, n)
	for i := range lab {
		lab[i] = rng.IntN(10)
	}
	return &nn.Dataset{X: mat.NewDense(n, 784, x), Labels: lab}
}

// cnnBench is the problem of docs/bench/cnn_peer.py: the study CNN (conv 1→16 3×3 pad 1,
// ReLU, max pool 2; conv 16→32 3×3 pad 1, ReLU, max pool 2; linear 32·7·7→10) with
// softmax cross-entropy on 1024 inputs uniform on [0,1)^784 with random labels.
func cnnBench(b *testing.B) (*nn.SeqSupervised, []float64) {
	net, err := nn.NewSequential(nn.Shape{C: 1, H: 28, W: 28},
		nn.Conv2D{Out: 16, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Conv2D{Out: 32, Kernel: 3, Stride: 1, Pad: 1, Act: nn.ReLU}, nn.MaxPool{Size: 2, Stride: 2},
		nn.Flatten{}, nn.Dense{Out: 10})
	if err != nil {
		b.Fatal(err)
	}
	obj, err := nn.NewSeqSupervised(net, benchImages(), nn.SoftmaxCE{})
	if err != nil {
		b.Fatal(err)
	}
	w := make([]float64, net.NumParams())
	net.Init(w, nn.He, rand.NewPCG(1, 1))
	return obj, w
}

// noDual hides SeqSupervised.LossGradWeighted, so RW-SAM takes ∇f_B and ∇f_p in two passes
// at each point.
type noDual struct{ *nn.SeqSupervised }

func (noDual) LossGradWeighted() {}

// BenchmarkCNNStep times one optimizer step of the study CNN, batch 128, float64: SGD with
// momentum 0.9 (lr 0.05), and SAM and m-SAM (m = 16) with ρ = 0.05 on that base, as in
// cnn_peer.py; RW-SAM's zero value (VirtualMicro) with its fused passes (two per step) and,
// as rwsam-3pass, with LossGrad and WeightedLossGrad as separate passes at w (three per step).
func BenchmarkCNNStep(b *testing.B) {
	obj, w0 := cnnBench(b)
	var obj3 nn.Objective = noDual{obj}
	base := func() sam.Updater { return &sam.SGD{LR: 0.05, Momentum: 0.9} }
	for _, c := range []struct {
		name string
		opt  sam.Optimizer
		obj  nn.Objective
	}{
		{"sgd", &sam.SGD{LR: 0.05, Momentum: 0.9}, obj},
		{"sam", &sam.SAM{Base: base(), Rho: 0.05}, obj},
		{"msam16", &sam.SAM{Base: base(), Rho: 0.05, Micro: 16}, obj},
		{"rwsam", &sam.RWSAM{Base: base(), Rho: 0.05}, obj},
		{"rwsam-3pass", &sam.RWSAM{Base: base(), Rho: 0.05}, obj3},
	} {
		b.Run("opt="+c.name, func(b *testing.B) { benchSteps(b, c.opt, c.obj, w0) })
	}
}

// BenchmarkCNNHVP times one Hessian-vector product of the study CNN over a batch of 128:
// the exact R-operator (SeqSupervised.HVP) and central differences of two gradients (the
// fallback, and the path HVP took before the R-operator existed).
func BenchmarkCNNHVP(b *testing.B) {
	obj, w := cnnBench(b)
	v := make([]float64, len(w))
	rng := rand.New(rand.NewPCG(2, 2))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	idx := make([]int, 128)
	for i := range idx {
		idx[i] = i
	}
	hv := make([]float64, len(w))
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"exact", func() { obj.HVP(hv, w, v, idx) }},
		{"differences", func() { (&nn.Hessian{Obj: obj, Difference: true}).MulVec(hv, w, v, idx) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.f()
			b.ReportAllocs()
			for b.Loop() {
				c.f()
			}
		})
	}
}

// benchSteps times c.opt's steps on batches of 128 consecutive samples of obj from w0 (one
// warm-up step first), with allocations and the process CPU time per step (cpu-ms/op, on
// Linux), which a loaded machine disturbs less than wall time.
func benchSteps(b *testing.B, opt sam.Optimizer, obj nn.Objective, w0 []float64) {
	w := append([]float64(nil), w0...)
	batches := make([][]int, obj.Len()/128)
	for i := range batches {
		for k := 0; k < 128; k++ {
			batches[i] = append(batches[i], i*128+k)
		}
	}
	if _, err := opt.Step(w, obj, batches[0]); err != nil {
		b.Fatal(err)
	}
	i := 0
	b.ReportAllocs()
	cpu0 := testutil.ProcessCPU()
	for b.Loop() {
		if _, err := opt.Step(w, obj, batches[i%len(batches)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if cpu := testutil.ProcessCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1e3/float64(max(i, 1)), "cpu-ms/op")
	}
}
