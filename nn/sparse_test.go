package nn

import (
	"math"
	"slices"
	"testing"
)

func TestPrune(t *testing.T) {
	net, _ := NewMLP([]int{4, 6, 3}, ReLU, Identity)
	w := randomParams(net, 30)
	orig := slices.Clone(w)
	const s = 17
	if err := net.Prune(w, s); err != nil {
		t.Fatal(err)
	}
	if got := net.NonZero(w); got != s {
		t.Fatalf("NonZero = %d, want %d", got, s)
	}
	// Every kept |w| is >= every dropped |w| (brute-force check of the top-s property).
	minKept, maxDropped := math.Inf(1), 0.0
	for i, keep := range net.Mask {
		if keep {
			minKept = min(minKept, math.Abs(orig[i]))
			if w[i] != orig[i] {
				t.Fatalf("kept weight %d changed", i)
			}
		} else {
			maxDropped = max(maxDropped, math.Abs(orig[i]))
			if w[i] != 0 {
				t.Fatalf("pruned weight %d = %v", i, w[i])
			}
		}
	}
	if minKept < maxDropped {
		t.Fatalf("kept %v < dropped %v", minKept, maxDropped)
	}
	// Pruning further never re-enables; asking for more keeps the current support.
	if err := net.Prune(w, 40); err != nil {
		t.Fatal(err)
	}
	if net.NonZero(w) != s {
		t.Fatalf("Prune to a larger s changed the support")
	}
	for _, bad := range []int{-1, net.NumParams() + 1} {
		if net.Prune(w, bad) == nil {
			t.Errorf("Prune(%d) returned nil error", bad)
		}
	}
}

// TestPrunedStayZero trains a pruned net with plain SGD and projection onto [−B, B] and
// checks the pruned weights stay exactly 0 after every gradient step and that the network
// output ignores whatever w holds at masked positions.
func TestPrunedStayZero(t *testing.T) {
	net, _ := NewMLP([]int{5, 8, 8, 2}, ReLU, Identity)
	data := randomData(31, 50, 5, 2)
	obj, _ := NewSupervised(net, data, MSE{})
	w := randomParams(net, 32)
	if err := net.Prune(w, 40); err != nil {
		t.Fatal(err)
	}
	g := make([]float64, len(w))
	for step := 0; step < 50; step++ {
		obj.LossGrad(g, w, seq(50))
		for i := range w {
			w[i] -= 0.1 * g[i]
		}
		// Checked before Project, which would re-zero masked entries itself: the zeros
		// must survive the gradient step, i.e. the masked gradient entries are exactly 0.
		for i, keep := range net.Mask {
			if !keep && w[i] != 0 {
				t.Fatalf("step %d: pruned weight %d = %v after the SGD update", step, i, w[i])
			}
		}
		if err := net.Project(w, 0.5); err != nil {
			t.Fatal(err)
		}
	}
	for i, keep := range net.Mask {
		if !keep && w[i] != 0 {
			t.Fatalf("pruned weight %d = %v after training", i, w[i])
		}
		if math.Abs(w[i]) > 0.5 {
			t.Fatalf("weight %d = %v outside [-0.5, 0.5]", i, w[i])
		}
	}
	if net.NonZero(w) > 40 {
		t.Fatalf("NonZero = %d > 40", net.NonZero(w))
	}
	// Garbage at masked positions does not change the function.
	l0 := obj.LossGrad(nil, w, seq(50))
	junk := slices.Clone(w)
	for i, keep := range net.Mask {
		if !keep {
			junk[i] = 1e3
		}
	}
	if l1 := obj.LossGrad(nil, junk, seq(50)); l1 != l0 {
		t.Fatalf("masked entries leak: loss %v vs %v", l1, l0)
	}
	if net.Project(w, -1) == nil || net.Project(w, math.NaN()) == nil {
		t.Error("Project accepted an invalid bound")
	}
}
