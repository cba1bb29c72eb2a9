package main

import (
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdeml/sdeml/internal/ot"
	"github.com/sdeml/sdeml/reflected"
)

// TestSummariseNull checks F̂² and the leave-one-out null RMS against a hand computation
// for w = (1, 2, 3): F̂² = 14/3; Q₁ = 1 − 13/2 = −5.5, Q₂ = 4 − 10/2 = −1, Q₃ = 9 − 5/2 = 6.5,
// RMS = √((30.25 + 1 + 42.25)/3) = √24.5.
func TestSummariseNull(t *testing.T) {
	st := summariseNull([]float64{1, 2, 3})
	if math.Abs(st.mean-2) > 1e-15 || math.Abs(st.f2-14.0/3) > 1e-14 || math.Abs(st.s-math.Sqrt(24.5)) > 1e-14 {
		t.Fatalf("got mean %v f2 %v s %v, want 2, 14/3, √24.5", st.mean, st.f2, st.s)
	}
	if q := st.debias(3); math.Abs(q-(9-14.0/3)) > 1e-14 {
		t.Fatalf("debias(3) = %v, want 9 − 14/3", q)
	}
}

// TestMeanChi checks E|N(0, I_k)| against its closed forms √(2/π) (k = 1), √(π/2) (k = 2)
// and 2√(2/π) (k = 3).
func TestMeanChi(t *testing.T) {
	for _, c := range []struct {
		k    int
		want float64
	}{{1, math.Sqrt(2 / math.Pi)}, {2, math.Sqrt(math.Pi / 2)}, {3, 2 * math.Sqrt(2/math.Pi)}} {
		if got := meanChi(c.k); math.Abs(got-c.want) > 1e-13 {
			t.Errorf("meanChi(%d) = %v, want %v", c.k, got, c.want)
		}
	}
}

// TestKnownCasesExact checks that the known cases have the W1 they claim. Shift: W1 between
// a sample and its own translate by w is exactly w (the identity coupling costs w and the
// mean moves by w, a lower bound), so the assignment returns w to rounding. Blur: the
// coordinates on the subspace do not move (to rounding) and the mean distance to the subspace
// is w within 4 standard errors of the sample mean (σ·sd(χ_{D−d})/√m).
func TestKnownCasesExact(t *testing.T) {
	const m, D = 300, 8
	target, err := reflected.CentredBox(D, 2, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, m*D)
	target.Sample(x, rand.NewPCG(1, 2))
	z0 := target.AllCoordinates(x)

	shifted := append([]float64(nil), x...)
	knownCase{kind: "shift", w: 0.03}.perturb(target, shifted, nil)
	w, err := ot.W1(shifted, x, D, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(w-0.03) > 1e-12 {
		t.Errorf("shift: W1 = %v, want 0.03", w)
	}

	blurred := append([]float64(nil), x...)
	const wb = 0.02
	knownCase{kind: "blur", w: wb}.perturb(target, blurred, rand.New(rand.NewPCG(3, 4)))
	z1 := target.AllCoordinates(blurred)
	for i := range z0 {
		if math.Abs(z0[i]-z1[i]) > 1e-12 {
			t.Fatalf("blur moved coordinate %d: %v → %v", i, z0[i], z1[i])
		}
	}
	k := D - 2
	sigma := wb / meanChi(k)
	se := sigma * math.Sqrt(float64(k)-meanChi(k)*meanChi(k)) / math.Sqrt(m)
	if off := target.MeanOffDistance(blurred); math.Abs(off-wb) > 4*se {
		t.Errorf("blur: mean distance to the subspace %v, want %v ± %v", off, wb, 4*se)
	}
}

// TestDebiasedNullUnbiased checks the property the estimator is built on: when the two
// samples come from the same law, Q = W1_m² − F̂² has mean 0, while the raw W1_m does not.
// R = 30 replicates of m = 200 points (d = 2, D = 4); Q must be within 3.5 standard errors
// of 0 and the raw mean more than 10 standard errors above it.
func TestDebiasedNullUnbiased(t *testing.T) {
	const m, D, R = 200, 4, 30
	c := &config{d: 2, m: m, exp: "study"}
	target, err := c.target(D)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := c.nullFloor(target, 7, c.genM())
	if err != nil {
		t.Fatal(err)
	}
	var qs, ws []float64
	for r := 0; r < R; r++ {
		x := make([]float64, m*D)
		y := make([]float64, m*D)
		target.Sample(x, stream(kindValid, 500+r, 0, 1))
		target.Sample(y, stream(kindValid, 500+r, 0, 2))
		w, err := ot.W1(x, y, D, nil)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
		qs = append(qs, ns.debias(w))
	}
	seQ := sdOf(qs) / math.Sqrt(R)
	if mq := meanOf(qs); math.Abs(mq) > 3.5*seQ {
		t.Errorf("null mean Q = %v, want 0 ± %v", mq, 3.5*seQ)
	}
	if mw, se := meanOf(ws), sdOf(ws)/math.Sqrt(R); mw < 10*se {
		t.Errorf("raw null W1 mean %v not clearly positive (se %v)", mw, se)
	}
}

// TestValidate1DClosedForms checks the two known 1-D distances of validate1D by midpoint
// quadrature on 10⁵ cells (error O(h²) ≈ 1e-10 on these smooth integrands, plus the kinks of
// |·| at a cell's scale, ≤ 1e-9): ∫₀¹|F_{c−Δ} − F_c| = Δ/π² and E|Z − ½| = 1/4 + c/π².
func TestValidate1DClosedForms(t *testing.T) {
	const c, delta, N = 0.5, 0.12, 100000
	lo, hi := reflected.Cosine{C: c - delta}, reflected.Cosine{C: c}
	var w1, mad float64
	for i := 0; i < N; i++ {
		z := (float64(i) + 0.5) / N
		w1 += math.Abs(lo.CDF1D(z)-hi.CDF1D(z)) / N
		mad += math.Abs(z-0.5) * (1 + c*math.Cos(2*math.Pi*z)) / N
	}
	if want := delta / (math.Pi * math.Pi); math.Abs(w1-want) > 1e-9 {
		t.Errorf("density case: W1 = %.12f, want Δ/π² = %.12f", w1, want)
	}
	if want := 0.25 + c/(math.Pi*math.Pi); math.Abs(mad-want) > 1e-9 {
		t.Errorf("scale case: E|Z − ½| = %.12f, want 1/4 + c/π² = %.12f", mad, want)
	}
}

// TestBandColorValid checks that the bootstrap bands keep their line's hue: in premultiplied
// form no channel may exceed alpha (the earlier color.RGBA{R: 214, …, A: 60} did, and was
// drawn in another hue), and un-premultiplied the channels are the line's.
func TestBandColorValid(t *testing.T) {
	for _, col := range palette {
		b := bandColor(col)
		r, g, bl, a := b.RGBA()
		if r > a || g > a || bl > a {
			t.Errorf("band of %v: premultiplied (%d, %d, %d) exceeds alpha %d", col, r, g, bl, a)
		}
		n := b.(color.NRGBA)
		want := color.NRGBAModel.Convert(col).(color.NRGBA)
		if n.R != want.R || n.G != want.G || n.B != want.B || n.A != 60 {
			t.Errorf("band of %v = %v, want the line's channels at alpha 60", col, n)
		}
	}
}
