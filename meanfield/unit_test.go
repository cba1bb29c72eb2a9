package meanfield

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fdVJP returns cotᵀ ∂F/∂w_i by central differences with step eps.
func fdVJP(u Unit, w, x, cot []float64, eps float64) []float64 {
	g := make([]float64, len(w))
	out := make([]float64, u.OutDim())
	wp := append([]float64(nil), w...)
	for i := range w {
		wp[i] = w[i] + eps
		u.Forward(out, wp, x)
		fp := dot(cot, out)
		wp[i] = w[i] - eps
		u.Forward(out, wp, x)
		fm := dot(cot, out)
		wp[i] = w[i]
		g[i] = (fp - fm) / (2 * eps)
	}
	return g
}

func TestUnitVJPFiniteDifference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	units := []Unit{
		TanhUnit(1), TanhUnit(3), SigmoidUnit(2),
		ScalarUnit{P: 2, Act: ReLU},
		ReLUUnit{P: 5, K: 3},
		FirstLayerUnit{P: 4, Act: Tanh}, FirstLayerUnit{P: 4, Act: Sigmoid}, FirstLayerUnit{P: 4, Act: ReLU},
	}
	for _, u := range units {
		for trial := 0; trial < 20; trial++ {
			w := make([]float64, u.Dim())
			x := make([]float64, u.InDim())
			cot := make([]float64, u.OutDim())
			for i := range w {
				w[i] = r.NormFloat64()
			}
			for i := range x {
				x[i] = r.NormFloat64()
			}
			for i := range cot {
				cot[i] = r.NormFloat64()
			}
			out := make([]float64, u.OutDim())
			s := u.Forward(out, w, x)
			g := make([]float64, u.Dim())
			u.AddVJP(g, w, x, cot, s)
			// Central differences with eps = 1e-5 have truncation error O(eps²·|F'''|)
			// ≈ 1e-10 and rounding error O(1e-16/eps) ≈ 1e-11 for O(1) values. The ReLU
			// units are piecewise linear in w, so a kink closer than eps to the pre-activation
			// would spoil the difference; such draws are skipped.
			if pre := kinkDistance(u, w, x); pre < 1e-3 {
				continue
			}
			want := fdVJP(u, w, x, cot, 1e-5)
			for i := range g {
				if math.Abs(g[i]-want[i]) > 1e-7*(1+math.Abs(want[i])) {
					t.Fatalf("%T %+v: dF/dw[%d] = %v, finite difference %v", u, u, i, g[i], want[i])
				}
			}
			// AddVJP accumulates: a second call doubles the gradient.
			g2 := append([]float64(nil), g...)
			u.AddVJP(g2, w, x, cot, s)
			for i := range g {
				if math.Abs(g2[i]-2*g[i]) > 1e-14*(1+math.Abs(g[i])) {
					t.Fatalf("%T: AddVJP does not accumulate", u)
				}
			}
		}
	}
}

// kinkDistance returns |pre-activation| for ReLU units (distance to the kink) and +Inf
// for smooth units.
func kinkDistance(u Unit, w, x []float64) float64 {
	switch v := u.(type) {
	case ReLUUnit:
		return math.Abs(dot(w[:v.P], x))
	case ScalarUnit:
		if v.Act == ReLU {
			return math.Abs(dot(w[1:1+len(x)], x) + w[len(x)+1])
		}
	case FirstLayerUnit:
		if v.Act == ReLU {
			return math.Abs(dot(w, x))
		}
	}
	return math.Inf(1)
}

func TestUnitValues(t *testing.T) {
	// Closed forms evaluated directly.
	out := make([]float64, 1)
	TanhUnit(1).Forward(out, []float64{2, 0.5, -0.25}, []float64{3})
	if want := 2 * math.Tanh(0.5*3-0.25); math.Abs(out[0]-want) > 1e-15 {
		t.Errorf("tanh unit = %v, want %v", out[0], want)
	}
	SigmoidUnit(1).Forward(out, []float64{2, 0.5, -0.25}, []float64{3})
	if want := 2 / (1 + math.Exp(-(0.5*3 - 0.25))); math.Abs(out[0]-want) > 1e-15 {
		t.Errorf("sigmoid unit = %v, want %v", out[0], want)
	}
	o2 := make([]float64, 2)
	ReLUUnit{P: 2, K: 2}.Forward(o2, []float64{1, -2, 3, 4}, []float64{1, -1})
	if o2[0] != 9 || o2[1] != 12 {
		t.Errorf("relu unit = %v, want [9 12]", o2)
	}
	ReLUUnit{P: 2, K: 2}.Forward(o2, []float64{1, 2, 3, 4}, []float64{1, -1})
	if o2[0] != 0 || o2[1] != 0 {
		t.Errorf("relu unit below kink = %v, want [0 0]", o2)
	}
	// Sigmoid is evaluated stably for large |z|.
	if v := sigmoid(-800); v != 0 && !(v > 0) {
		t.Errorf("sigmoid(-800) = %v", v)
	}
	if v := sigmoid(800); v != 1 {
		t.Errorf("sigmoid(800) = %v", v)
	}
}

func TestLossGradFiniteDifference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, l := range []Loss{Squared{}, SoftmaxCE{}} {
		for trial := 0; trial < 20; trial++ {
			K := 1 + r.IntN(5)
			yh := make([]float64, K)
			y := make([]float64, K)
			for j := range yh {
				yh[j] = 3 * r.NormFloat64()
			}
			y[r.IntN(K)] = 1
			g := make([]float64, K)
			l.ValueGrad(g, yh, y)
			for j := range yh {
				const eps = 1e-5
				yp := append([]float64(nil), yh...)
				yp[j] += eps
				fp := l.ValueGrad(nil, yp, y)
				yp[j] -= 2 * eps
				fm := l.ValueGrad(nil, yp, y)
				// Same finite-difference budget as for the units (see above).
				if fd := (fp - fm) / (2 * eps); math.Abs(g[j]-fd) > 1e-7*(1+math.Abs(fd)) {
					t.Fatalf("%T: dℓ/dŷ[%d] = %v, finite difference %v", l, j, g[j], fd)
				}
			}
		}
	}
	// Softmax CE equals −log softmax(ŷ)_c, computed naively for moderate ŷ.
	yh := []float64{0.3, -1.2, 2.0}
	v := SoftmaxCE{}.ValueGrad(nil, yh, []float64{0, 0, 1})
	z := math.Exp(0.3) + math.Exp(-1.2) + math.Exp(2.0)
	if want := -math.Log(math.Exp(2.0) / z); math.Abs(v-want) > 1e-14 {
		t.Errorf("SoftmaxCE = %v, want %v", v, want)
	}
	// It stays finite for huge logits.
	if v := (SoftmaxCE{}).ValueGrad(nil, []float64{1000, -1000}, []float64{0, 1}); math.Abs(v-2000) > 1e-9 {
		t.Errorf("SoftmaxCE for huge logits = %v, want 2000", v)
	}
}
