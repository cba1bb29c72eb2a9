package nn

import (
	"fmt"
	"testing"
)

// benchObjective is the benchmark setting of DESIGN.md: MLP 784-256-256-10, ReLU, softmax
// cross-entropy, on random inputs (timing does not depend on the values).
func benchObjective(b *testing.B, masked bool) (*Supervised, []float64) {
	net, _ := NewMLP([]int{784, 256, 256, 10}, ReLU, Identity)
	if masked {
		net.Mask = randomMask(net.NumParams(), 60)
	}
	data := randomData(61, 1024, 784, 10)
	obj, err := NewSupervised(net, data, SoftmaxCE{})
	if err != nil {
		b.Fatal(err)
	}
	return obj, randomParams(net, 62)
}

func BenchmarkMLPGrad(b *testing.B) {
	obj, w := benchObjective(b, false)
	g := make([]float64, len(w))
	for _, batch := range []int{32, 128} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			idx := seqInts(batch)
			obj.LossGrad(g, w, idx)
			b.ReportAllocs()
			for b.Loop() {
				obj.LossGrad(g, w, idx)
			}
		})
	}
}

func BenchmarkPerSampleGradNorms(b *testing.B) {
	for _, masked := range []bool{false, true} {
		obj, w := benchObjective(b, masked)
		n := make([]float64, 128)
		idx := seqInts(128)
		b.Run(fmt.Sprintf("batch=128/masked=%v", masked), func(b *testing.B) {
			obj.PerSampleGradNorms(n, w, idx)
			b.ReportAllocs()
			for b.Loop() {
				obj.PerSampleGradNorms(n, w, idx)
			}
		})
	}
}

func BenchmarkPerSampleGrads(b *testing.B) {
	obj, w := benchObjective(b, false)
	idx := seqInts(32)
	G := newDense(32, len(w))
	b.Run("batch=32", func(b *testing.B) {
		obj.PerSampleGrads(G, w, idx)
		b.ReportAllocs()
		for b.Loop() {
			obj.PerSampleGrads(G, w, idx)
		}
	})
}

// BenchmarkHVP times one Hessian-vector product on the batch of 128: exact by the
// R-operator (Supervised.HVP) and by central differences of two gradients.
func BenchmarkHVP(b *testing.B) {
	obj, w := benchObjective(b, false)
	v := randomParams(obj.Net, 63)
	dst := make([]float64, len(w))
	idx := seqInts(128)
	for _, c := range []struct {
		name string
		h    *Hessian
	}{
		{"exact", &Hessian{Obj: obj}},
		{"difference", &Hessian{Obj: obj, Difference: true}},
	} {
		b.Run("batch=128/"+c.name, func(b *testing.B) {
			c.h.MulVec(dst, w, v, idx)
			b.ReportAllocs()
			for b.Loop() {
				c.h.MulVec(dst, w, v, idx)
			}
		})
	}
}

// BenchmarkLossGradNorms times the fused batch gradient + per-sample norms, to compare
// with BenchmarkMLPGrad plus BenchmarkPerSampleGradNorms at batch 128.
func BenchmarkLossGradNorms(b *testing.B) {
	for _, masked := range []bool{false, true} {
		obj, w := benchObjective(b, masked)
		g := make([]float64, len(w))
		n := make([]float64, 128)
		idx := seqInts(128)
		b.Run(fmt.Sprintf("batch=128/masked=%v", masked), func(b *testing.B) {
			obj.LossGradNorms(g, n, w, idx)
			b.ReportAllocs()
			for b.Loop() {
				obj.LossGradNorms(g, n, w, idx)
			}
		})
	}
}
