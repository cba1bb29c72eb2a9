package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestSplitAndSubset(t *testing.T) {
	d := randomData(50, 20, 3, 2)
	a, b, err := d.Split(15, rand.NewPCG(51, 0))
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 15 || b.Len() != 5 {
		t.Fatalf("sizes %d, %d", a.Len(), b.Len())
	}
	// The two parts together are a permutation of the rows, labels following their rows.
	seen := make([]bool, 20)
	for _, part := range []*Dataset{a, b} {
		for k := 0; k < part.Len(); k++ {
			found := false
			for i := 0; i < 20; i++ {
				if !seen[i] && slices.Equal(part.X.RawRowView(k), d.X.RawRowView(i)) {
					if part.Labels[k] != d.Labels[i] || !slices.Equal(part.Y.RawRowView(k), d.Y.RawRowView(i)) {
						t.Fatal("targets separated from their inputs")
					}
					seen[i], found = true, true
					break
				}
			}
			if !found {
				t.Fatal("row not from the original set")
			}
		}
	}
	// Without a source the split keeps order.
	a, _, _ = d.Split(4, nil)
	if !slices.Equal(a.X.RawRowView(3), d.X.RawRowView(3)) {
		t.Fatal("unshuffled split reordered rows")
	}
	for _, n := range []int{0, 20, -1} {
		if _, _, err := d.Split(n, nil); err == nil {
			t.Errorf("Split(%d) accepted", n)
		}
	}
}

func TestStandardizer(t *testing.T) {
	d := randomData(52, 30, 4, 2)
	X := d.X
	s := FitStandardizer(X)
	// Reference: gonum stat.MeanStdDev per column, whose std uses 1/(n-1).
	for j := 0; j < 4; j++ {
		col := mat.Col(nil, j, X)
		m, sd := stat.MeanStdDev(col, nil)
		sd *= math.Sqrt(29.0 / 30) // to the 1/n convention
		// 1e-14: a few roundings of O(1) sums of 30 terms.
		if math.Abs(s.Mean[j]-m) > 1e-14 || math.Abs(s.Std[j]-sd) > 1e-14 {
			t.Fatalf("column %d: %v %v vs %v %v", j, s.Mean[j], s.Std[j], m, sd)
		}
	}
	s.Apply(X)
	s2 := FitStandardizer(X)
	for j := range s2.Mean {
		if math.Abs(s2.Mean[j]) > 1e-14 || math.Abs(s2.Std[j]-1) > 1e-14 {
			t.Fatalf("after Apply column %d: mean %v std %v", j, s2.Mean[j], s2.Std[j])
		}
	}
}

func TestBatcher(t *testing.T) {
	b, err := NewBatcher(10, 3, rand.NewPCG(53, 0))
	if err != nil {
		t.Fatal(err)
	}
	if b.PerEpoch() != 3 {
		t.Fatalf("PerEpoch %d", b.PerEpoch())
	}
	for epoch := 0; epoch < 3; epoch++ {
		seen := map[int]bool{}
		for k := 0; k < 3; k++ {
			for _, i := range b.Next() {
				if seen[i] || i < 0 || i >= 10 {
					t.Fatalf("epoch %d: index %d repeated or out of range", epoch, i)
				}
				seen[i] = true
			}
		}
		if b.Epoch() != epoch {
			t.Fatalf("Epoch() = %d, want %d", b.Epoch(), epoch)
		}
	}
	if testing.AllocsPerRun(100, func() { b.Next() }) != 0 {
		t.Error("Next allocates")
	}
	for _, bad := range []int{0, 11} {
		if _, err := NewBatcher(10, bad, rand.NewPCG(1, 1)); err == nil {
			t.Errorf("batch %d accepted", bad)
		}
	}
}

// TestPermutationUniform checks the first position of Permutation(4) is uniform: with
// 40000 draws each count is Binomial(40000, 1/4), sd ≈ 86.6; a 6 sd band fails with
// probability ≈ 4·2e-9.
func TestPermutationUniform(t *testing.T) {
	src := rand.NewPCG(54, 0)
	var c [4]int
	for k := 0; k < 40000; k++ {
		c[Permutation(4, src)[0]]++
	}
	for i, n := range c {
		if math.Abs(float64(n)-10000) > 6*86.6 {
			t.Errorf("position 0 = %d drawn %d times of 40000", i, n)
		}
	}
}

func TestSynthetic(t *testing.T) {
	teacher, _ := NewMLP([]int{3, 8, 2}, Tanh, Identity)
	wt := randomParams(teacher, 55)
	d, err := TeacherStudent(teacher, wt, 2000, 0, rand.NewPCG(56, 0))
	if err != nil {
		t.Fatal(err)
	}
	// With zero noise the teacher has zero MSE loss.
	obj, _ := NewSupervised(teacher, d, MSE{})
	if l := obj.LossGrad(nil, wt, seqInts(2000)); l != 0 {
		t.Fatalf("teacher loss %v with zero noise", l)
	}
	// With noise σ the teacher's mean loss is ½σ²·k in expectation; the sample mean of
	// 2000·2 squared N(0, σ²) values has relative sd √(2/4000) ≈ 0.022, bound 6 sd.
	d, _ = TeacherStudent(teacher, wt, 2000, 0.3, rand.NewPCG(57, 0))
	obj, _ = NewSupervised(teacher, d, MSE{})
	if l, want := obj.LossGrad(nil, wt, seqInts(2000)), 0.5*0.09*2; math.Abs(l/want-1) > 6*0.022 {
		t.Fatalf("teacher loss %v, want ≈ %v", l, want)
	}
	g, err := GaussianMixture(3000, 5, 3, 4, rand.NewPCG(58, 0))
	if err != nil {
		t.Fatal(err)
	}
	// Class-mean norms ≈ sep: the mean of ~1000 samples has per-coordinate sd 1/√1000, so
	// its norm is within 6·√(5/1000) ≈ 0.42 of sep = 4.
	for c := 0; c < 3; c++ {
		mean, n := make([]float64, 5), 0
		for i, y := range g.Labels {
			if y == c {
				n++
				for j := range mean {
					mean[j] += g.X.At(i, j)
				}
			}
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		if r := math.Sqrt(sumSq(mean)); math.Abs(r-4) > 0.42 {
			t.Errorf("class %d mean norm %v, want ≈ 4", c, r)
		}
	}
	if _, err := GaussianMixture(10, 2, 1, 1, rand.NewPCG(1, 1)); err == nil {
		t.Error("classes = 1 accepted")
	}
	if _, err := TeacherStudent(teacher, wt, 10, math.NaN(), rand.NewPCG(1, 1)); err == nil {
		t.Error("NaN noise accepted")
	}
}

func TestValidationErrors(t *testing.T) {
	for _, sizes := range [][]int{{3}, {3, 0, 2}} {
		if _, err := NewMLP(sizes, ReLU, Identity); err == nil {
			t.Errorf("NewMLP(%v) accepted", sizes)
		}
	}
	if _, err := NewMLP([]int{2, 2}, Activation(9), Identity); err == nil {
		t.Error("bad activation accepted")
	}
	net, _ := NewMLP([]int{3, 2}, ReLU, Identity)
	d := randomData(59, 4, 3, 2)
	d.Labels[1] = 2
	if _, err := NewSupervised(net, d, SoftmaxCE{}); err == nil {
		t.Error("label out of range accepted")
	}
	d = randomData(59, 4, 3, 2)
	d.X.Set(0, 0, math.NaN())
	if _, err := NewSupervised(net, d, MSE{}); err == nil {
		t.Error("NaN input accepted")
	}
	d = randomData(59, 4, 2, 2)
	if _, err := NewSupervised(net, d, MSE{}); err == nil {
		t.Error("input width mismatch accepted")
	}
}

// TestPredict compares Predict (chunked, gathered rows) with Forward on the same rows.
func TestPredict(t *testing.T) {
	net, _ := NewMLP([]int{3, 4, 2}, Sigmoid, Identity)
	d := randomData(60, chunkRows+5, 3, 2)
	obj, _ := NewSupervised(net, d, MSE{})
	w := randomParams(net, 61)
	idx := []int{chunkRows + 4, 0, 7}
	for len(idx) < chunkRows+2 {
		idx = append(idx, len(idx)%d.Len())
	}
	got := mat.NewDense(len(idx), 2, nil)
	obj.Predict(got, w, idx)
	sub := d.Subset(idx)
	want := mat.NewDense(len(idx), 2, nil)
	net.Forward(want, w, sub.X, net.NewWorkspace(len(idx)))
	if !mat.Equal(got, want) {
		t.Fatal("Predict differs from Forward")
	}
}
