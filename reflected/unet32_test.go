package reflected

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestUNetScoreNetFloat32 checks the mixed-precision U-Net score network against the
// float64 one: scores and the DSM loss and gradient agree normwise within the float32
// tolerance of nn's TestGraphPass32UNet (10·Σ_l (k_l + 2)·2⁻²⁴ over the products of the
// network), differ from float64's (the float32 pass ran), and switching Float32 on a net
// whose scratch exists takes effect. Float32 on an MLP body panics with a clear message.
func TestUNetScoreNetFloat32(t *testing.T) {
	net, err := NewUNetScoreNet(tinyUNet, rand.NewPCG(3, 3))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range net.W {
		net.W[i] += 0.2 * rng.NormFloat64()
	}
	data := stripeImages(30, 0.03, 4)
	D := net.Dim()
	if net.Pre, err = NewPrecond(data, D, 1e-3, 1, Reflected, 5); err != nil {
		t.Fatal(err)
	}
	// Σ (k + 2) over the convolutions and Dense layers of tinyUNet (k the product
	// length: kernel² × input channels, or the Dense input width) is 580, read off its
	// compiled graph with the formula of nn's TestGraphPass32UNet.
	tol := 580.0
	tol *= 10 * 0x1p-24
	x := data[:8*D]
	ts := []float64{1e-3, 0.01, 0.1, 0.5, 1, 0.02, 0.3, 0.7}
	s64, s32 := make([]float64, len(x)), make([]float64, len(x))
	net.Score(s64, x, ts) // the float64 scratch now exists
	net.Float32 = true
	net.Score(s32, x, ts)
	obj, err := NewDSM(net, data, 1e-3, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{0, 4, 9, 13, 21, 29}
	g32 := make([]float64, len(net.W))
	l32 := obj.LossGrad(g32, net.W, idx)
	net.Float32 = false
	g64 := make([]float64, len(net.W))
	l64 := obj.LossGrad(g64, net.W, idx)
	rel := func(a, b []float64) float64 {
		num, den := 0.0, 0.0
		for i := range a {
			num += (a[i] - b[i]) * (a[i] - b[i])
			den += b[i] * b[i]
		}
		return math.Sqrt(num / den)
	}
	for _, c := range []struct {
		name string
		e    float64
	}{{"score", rel(s32, s64)}, {"DSM loss", math.Abs(l32-l64) / l64}, {"DSM gradient", rel(g32, g64)}} {
		if !(c.e > 0 && c.e <= tol) {
			t.Errorf("%s: relative difference %.3g, want in (0, %.3g]", c.name, c.e, tol)
		}
		t.Logf("%s: relative difference %.3g (tolerance %.3g)", c.name, c.e, tol)
	}
	mlp, err := NewScoreNet(2, []int{4}, TimeEmbedding{}, rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	mlp.Float32 = true
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "reflected: ScoreNet.Float32 is set, but only a U-Net body") {
			t.Errorf("Float32 on an MLP: panic %v", r)
		}
	}()
	mlp.Score(make([]float64, 2), []float64{0.3, 0.6}, []float64{0.1})
}
